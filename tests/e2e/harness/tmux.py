"""Drive a program in a detached tmux pane the way an operator at a keyboard would.

tmux gives a real pseudo-terminal at a fixed size, takes keystrokes with `send-keys` and
shows the screen as text with `capture-pane`, so a test can assert on exactly what the
operator sees. Each session has its own server socket and config, so it shares nothing
with a tmux the developer may be running, and `remain-on-exit` keeps a finished pane
around so its exit status can be read.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from .env import require
from .process import ends_within

WIDTH = 200
HEIGHT = 60
CONFIG = """\
set -g status off
set -g remain-on-exit on
set -g escape-time 0
set -g history-limit 0
set -g default-size {width}x{height}
"""
"""No status line, so the pane is the full 200x60; no Escape delay, so keys arrive at once."""


class ScreenTimeout(AssertionError):
    """The screen never showed what a test waited for; the message holds the last screen."""


def env_argv(env: Mapping[str, str], argv: Sequence[str]) -> list[str]:
    """`argv` run under exactly `env` and nothing else (tmux panes inherit the server's)."""
    return ["env", "-i", *(f"{key}={value}" for key, value in env.items()), *argv]


class TmuxSession:
    """One program in one detached tmux pane."""

    def __init__(self, folder: Path, name: str = "veil") -> None:
        self.folder = folder
        self.socket = folder / "tmux.sock"
        """Private server: killing it can never touch anyone else's sessions."""
        self.config = folder / "tmux.conf"
        self.name = name

    def tmux(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=10,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        if check and done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        width: int = WIDTH,
        height: int = HEIGHT,
    ) -> TmuxSession:
        """Run `argv` with exactly `env`; several arguments make tmux exec it without a shell."""
        require("tmux")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.config.write_text(CONFIG.format(width=width, height=height))
        command = env_argv(env, argv)
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                  *command)  # fmt: skip
        return self

    # -- reading the screen ----------------------------------------------------------------

    def capture(self, escapes: bool = False) -> str:
        """The visible screen as text (with SGR colour escapes if `escapes`)."""
        return self.tmux("capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.name)

    def wait_until(self, check: Callable[[str], bool], what: str, timeout: float = 10.0) -> str:
        """Poll the screen until `check` holds; returns that screen, or fails showing the last.

        A check that raises AssertionError (a tile not drawn yet) counts as not holding yet.
        """
        deadline = time.monotonic() + timeout
        while True:
            screen = self.capture()
            try:
                if check(screen):
                    return screen
            except AssertionError:
                pass
            if time.monotonic() > deadline:
                raise ScreenTimeout(f"after {timeout:g}s the screen never showed {what}:\n{screen}")
            time.sleep(0.1)

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float = 10.0) -> str:
        """Wait until the screen contains `pattern` (plain text, or a compiled regex)."""
        if isinstance(pattern, re.Pattern):
            return self.wait_until(lambda s: pattern.search(s) is not None, repr(pattern), timeout)
        return self.wait_until(lambda s: pattern in s, repr(pattern), timeout)

    def wait_gone(self, text: str, timeout: float = 10.0) -> str:
        """Wait until `text` is no longer on the screen."""
        return self.wait_until(lambda s: text not in s, f"{text!r} disappear", timeout)

    # -- typing ----------------------------------------------------------------------------

    def send_keys(self, *keys: str) -> None:
        """tmux key names: "C-q", "Enter", "Tab", "Escape", "Up"..."""
        self.tmux("send-keys", "-t", self.name, *keys)

    def type(self, text: str) -> None:
        """Literal text, character by character, as typed (no key-name lookup)."""
        self.tmux("send-keys", "-t", self.name, "-l", text)

    # -- the program -----------------------------------------------------------------------

    def _pane(self, field: str) -> str:
        return self.tmux("display-message", "-p", "-t", self.name, f"#{{{field}}}").strip()

    @property
    def pid(self) -> int:
        """The pane's program (`env` execs it, so this is the program's own pid)."""
        return int(self._pane("pane_pid"))

    def running(self) -> bool:
        return self._pane("pane_dead") != "1"

    def wait_exit(self, timeout: float = 10.0) -> int:
        """The program's exit status once it ended (minus the signal if one killed it)."""
        deadline = time.monotonic() + timeout
        while True:
            if not self.running():
                status, killer = self._pane("pane_dead_status"), self._pane("pane_dead_signal")
                if status or killer:
                    return int(status) if status else -int(killer)
                # tmux 3.3a now and then misses the SIGCHLD of a program whose pty closed
                # at the same moment, and leaves it a zombie with no status. A SIGCHLD sent
                # to our own private server makes it reap the program and record its status.
                os.kill(int(self.tmux("display-message", "-p", "#{pid}")), signal.SIGCHLD)
            if time.monotonic() > deadline:
                raise ScreenTimeout(
                    f"no exit status after {timeout:g}s; the screen:\n{self.capture()}"
                )
            time.sleep(0.1)

    def kill(self, timeout: float = 5.0) -> None:
        """End the private server and with it the pane's program (SIGHUP).

        Waits until the server process is gone: a session started on the same socket
        while the old server is still shutting down fails with "server exited
        unexpectedly".
        """
        if not self.socket.exists():
            return
        server = self.tmux("display-message", "-p", "#{pid}", check=False).strip()
        self.tmux("kill-server", check=False)
        if server.isdigit() and not ends_within(int(server), timeout):
            raise RuntimeError(f"tmux server {server} still running {timeout:g}s after kill-server")

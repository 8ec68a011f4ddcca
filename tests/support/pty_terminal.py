"""A program on a pseudo-terminal, driven as a person at a terminal would drive it.

Keys go in, the screen's text comes out (escape sequences removed), and a hang-up is what
sshd does when a connection drops: the master side closes. Used for the real console in
tests that need its process (its exit status, its signals, its files), not just its app.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import termios
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)
ROWS, COLUMNS = 40, 120


class PtyTerminal:
    """`argv` on a 120x40 pty with `env` in `cwd`: keys in, screen text and exit status out."""

    def __init__(self, argv: Sequence[str], env: Mapping[str, str], cwd: Path) -> None:
        self._output = bytearray()
        self._lock = threading.Lock()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program
            os.chdir(cwd)
            sized = {**env, "TERM": "xterm-256color", "COLUMNS": str(COLUMNS), "LINES": str(ROWS)}
            os.execve(argv[0], list(argv), sized)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        self.status: int | None = None
        self._hang_up = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Drain the terminal, or the program would block writing its screen.

        The master side is closed here, by the only thread reading it: a read blocked in
        another thread would keep the terminal open after `close`, and hide the hang-up.
        """
        while not self._hang_up.is_set():
            if not select.select([self.fd], [], [], 0.05)[0]:
                continue
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            with self._lock:
                self._output += chunk
        os.close(self.fd)

    def mark(self) -> int:
        """A position in the output, for waiting on what is drawn after it."""
        with self._lock:
            return len(self._output)

    def text(self, since: int = 0) -> str:
        """What was drawn (after `since`), escape sequences removed."""
        with self._lock:
            return ANSI.sub(b"", bytes(self._output[since:])).decode("utf-8", "replace")

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def fill(self, name: str, password: str) -> None:
        """Name, Tab, password, Enter, each step seen on screen before the next.

        Keys that reach Textual in one burst are not all handled as separate presses
        (a Tab among letters can be lost), so each step waits for its echo: the name,
        then one bullet per password character in the password field.
        """
        mark = self.mark()
        self.type(name)
        self.wait_for_text(name, mark)
        self.type("\t")
        time.sleep(0.2)
        mark = self.mark()
        self.type(password)
        self.wait_for_text("\N{BULLET}" * len(password), mark)
        self.type("\r")

    def wait_for(self, what: str, check: Callable[[], bool], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not check():
            assert self.poll() is None, f"exited while waiting for {what}: {self.text()[-2000:]}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    def wait_for_text(self, text: str, since: int = 0, timeout: float = 30.0) -> None:
        self.wait_for(repr(text), lambda: text in self.text(since), timeout)

    def poll(self) -> int | None:
        if self.status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
        return self.status

    def wait_exit(self, timeout: float) -> float:
        """Seconds until the process ended; fails after `timeout`."""
        start = time.monotonic()
        while self.poll() is None:
            assert time.monotonic() - start < timeout, f"still running after {timeout} s"
            time.sleep(0.02)
        return time.monotonic() - start

    def hang_up(self) -> None:
        """What sshd does when the connection drops: close the terminal's master side."""
        self._hang_up.set()
        self._reader.join()

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)

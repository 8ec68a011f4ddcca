"""The real console in a pseudo-terminal, ended by a hang-up or a termination while lifted.

An operator's SSH connection drops: sshd closes the terminal and the kernel sends
SIGHUP to the console. The audit must then say "session ended while lifted", the
process must be gone within seconds, and the next start must be masked. These tests
start `python -m console` in a pty exactly as a terminal would, type as an operator
would, and read the audit log the console writes.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, AuditRecord, AuditUnavailable
from console.core.site.config import load_site
from tests.conftest import DEMO_SITE, REPO
from tests.lift.conftest import FAST
from tests.ui.conftest import OPERATOR, SUPERVISOR

EXIT_WITHIN = 5.0
"""Seconds the console may take to leave after a hang-up (the issue's budget)."""

WALL = "Lobby entrance"
"""A camera's name, drawn on its tile once the wall is up."""

ANSI = re.compile(
    rb"\x1b(\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[PX^_][^\x1b]*\x1b\\|.)"
)


class Console:
    """`python -m console` on a pty: keys in, screen text and exit status out."""

    def __init__(self, site: Path, data_dir: Path) -> None:
        self.audit = AuditLog(data_dir / "audit.db")
        self._output = bytearray()
        self._lock = threading.Lock()
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the console
            os.chdir(REPO)
            env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", "LINES": "40"}
            argv = [sys.executable, "-m", "console", "--site", str(site)]
            os.execve(sys.executable, [*argv, "--data-dir", str(data_dir)], env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        self.status: int | None = None
        self._hang_up = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        """Drain the terminal, or the console would block writing its screen.

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
            assert self.poll() is None, f"the console exited while waiting for {what}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    def wait_for_text(self, text: str, since: int = 0) -> None:
        self.wait_for(repr(text), lambda: text in self.text(since))

    def wait_for_event(self, event: str, after: int = 0) -> None:
        self.wait_for(event, lambda: any(r.event == event for r in self.records(after)))

    def records(self, after: int = 0) -> list[AuditRecord]:
        try:
            return [record for record in self.audit.records() if record.seq > after]
        except AuditUnavailable:
            return []

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


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data dir holding the demo's two users (cheaply hashed; the console rehashes them)."""
    data = tmp_path / "data"
    audit = AuditLog(data / "audit.db")
    users = UserStore(data / "veil.db", load_site(DEMO_SITE).roles, audit, params=FAST)
    for (name, password), role in ((OPERATOR, "operator"), (SUPERVISOR, "supervisor")):
        users.add("test", name, role, password)
    return data


@pytest.fixture
def start(data_dir: Path) -> Iterator[Callable[[], Console]]:
    consoles: list[Console] = []

    def start_console() -> Console:
        console = Console(DEMO_SITE, data_dir)
        consoles.append(console)
        console.wait_for_text("Log in to view cameras")
        return console

    yield start_console
    for console in consoles:
        console.kill()


def log_in_and_lift(console: Console) -> int:
    """Log in as the operator, have the supervisor authorize a lift; the lift's seq."""
    mark = console.mark()
    console.fill(*OPERATOR)
    console.wait_for_event("login_ok")
    console.wait_for_text(WALL, mark)
    console.type("\x0c")  # ctrl+l
    console.wait_for_text("Authorization required")
    console.fill(*SUPERVISOR)
    console.wait_for_event("lift_started")
    console.wait_for_text("MASKS LIFTED")
    return next(r.seq for r in console.records() if r.event == "lift_started")


def session_end(console: Console, lift: int) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (r.event, r.operator, json.loads(r.details))
        for r in console.records(after=lift)
        if r.event in ("session_ended_while_lifted", "logout")
    ]


def test_a_hang_up_while_lifted_is_audited_and_the_next_start_is_masked(
    start: Callable[[], Console],
) -> None:
    console = start()
    lift = log_in_and_lift(console)
    console.hang_up()
    assert console.wait_exit(EXIT_WITHIN) < EXIT_WITHIN
    assert console.status == 128 + signal.SIGHUP
    assert session_end(console, lift) == [
        ("session_ended_while_lifted", "operator", {"cause": "SIGHUP", "lift": lift}),
        ("logout", "operator", {"cause": "SIGHUP"}),
    ]
    assert console.audit.verify().ok

    again = start()
    restart = max(r.seq for r in again.records() if r.event == "site_loaded")
    mark = again.mark()
    again.fill(*OPERATOR)
    again.wait_for_event("login_ok", after=restart)
    again.wait_for_text(WALL, mark)
    time.sleep(1)  # a few frames of the wall
    assert "MASKS LIFTED" not in again.text()
    assert not [r for r in again.records(after=restart) if r.event == "lift_started"]


def test_sigterm_while_lifted_is_audited_too(start: Callable[[], Console]) -> None:
    console = start()
    lift = log_in_and_lift(console)
    os.kill(console.pid, signal.SIGTERM)
    assert console.wait_exit(EXIT_WITHIN) < EXIT_WITHIN
    assert console.status == 128 + signal.SIGTERM
    assert session_end(console, lift) == [
        ("session_ended_while_lifted", "operator", {"cause": "SIGTERM", "lift": lift}),
        ("logout", "operator", {"cause": "SIGTERM"}),
    ]


def test_a_crash_while_lifted_is_audited_on_the_way_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever breaks inside the app, `veil`'s own `finally` ends the lift in the audit."""
    from console.core.services import Services
    from console.ui import app as app_module
    from console.verbs.run import run_console

    class CrashingApp:
        def __init__(self, services: Services, **_: object) -> None:
            self.services = services
            self.return_code: int | None = None

        def run(self) -> None:
            self.services.gate.lift("operator", "supervisor", "", 600, self.services.gate.epoch)
            raise RuntimeError("a bug")

    monkeypatch.setattr(app_module, "VeilApp", CrashingApp)
    args = argparse.Namespace(
        demo=False,
        site=str(DEMO_SITE),
        data_dir=str(tmp_path / "data"),
        render="halfblock",
        colors="truecolor",
    )
    with pytest.raises(RuntimeError, match="a bug"):
        run_console(args)
    audit = AuditLog(tmp_path / "data" / "audit.db")
    last = audit.records()[-1]
    assert last.event == "session_ended_while_lifted"
    assert json.loads(last.details)["cause"] == "crash"

"""The real console in a pseudo-terminal, ended by a hang-up or a termination while lifted.

An operator's SSH connection drops: sshd closes the terminal and the kernel sends
SIGHUP to the console. The audit must then say "session ended while lifted", the
process must be gone within seconds, and the next start must be masked. These tests
start `python -m console` in a pty exactly as a terminal would, type as an operator
would, and read the audit log the console writes.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, AuditRecord, AuditUnavailable
from console.core.site.config import load_site
from tests.conftest import DEMO_SITE, REPO
from tests.lift.conftest import FAST
from tests.support.pty_terminal import PtyTerminal
from tests.ui.conftest import OPERATOR, SUPERVISOR

EXIT_WITHIN = 5.0
"""Seconds the console may take to leave after a hang-up (the issue's budget)."""

WALL = "Lobby entrance"
"""A camera's name, drawn on its tile once the wall is up."""


class Console(PtyTerminal):
    """`python -m console` on a pty, with the audit trail it writes."""

    def __init__(self, site: Path, data_dir: Path) -> None:
        self.audit = AuditLog(data_dir / "audit.db")
        argv = [sys.executable, "-m", "console", "--site", str(site), "--data-dir", str(data_dir)]
        super().__init__(argv, os.environ, REPO)

    def wait_for_event(self, event: str, after: int = 0) -> None:
        self.wait_for(event, lambda: any(r.event == event for r in self.records(after)))

    def records(self, after: int = 0) -> list[AuditRecord]:
        try:
            return [record for record in self.audit.records() if record.seq > after]
        except AuditUnavailable:
            return []


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
            self.services.gate.lift("operator", "supervisor", "", 600)
            raise RuntimeError("a bug")

    monkeypatch.setattr(app_module, "VeilApp", CrashingApp)
    args = argparse.Namespace(
        demo=False,
        site=str(DEMO_SITE),
        data_dir=str(tmp_path / "data"),
        render="halfblock",
        colors="truecolor",
        ssh_keys=None,
    )
    with pytest.raises(RuntimeError, match="a bug"):
        run_console(args)
    audit = AuditLog(tmp_path / "data" / "audit.db")
    last = audit.records()[-1]
    assert last.event == "session_ended_while_lifted"
    assert json.loads(last.details)["cause"] == "crash"

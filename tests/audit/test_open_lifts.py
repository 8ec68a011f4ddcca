"""Open lifts: started, never ended. Reported by `veil audit verify` and `veil audit show`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.core.access.lift import LiftController
from console.core.audit.open_lifts import open_lifts
from console.core.audit.trail import AuditLog, Event
from console.core.site.paths import resolve_paths
from console.core.timebase.clock import FakeClock
from tests.support.admin_cli import run_veil

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class MinuteClock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        moment = self.now
        self.now += timedelta(minutes=1)
        return moment


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.db", now=MinuteClock())


def test_every_way_a_console_ends_a_lift_closes_it(log: AuditLog) -> None:
    clock = FakeClock()
    controller = LiftController(log, clock)
    controller.lift("olga", "sam", "", 600, controller.epoch)
    controller.apply("olga")
    controller.lift("olga", "sam", "", 600, controller.epoch)
    clock.advance(600)
    assert not controller.lifted()  # expired
    controller.lift("olga", "sam", "", 600, controller.epoch)
    controller.lift("olga", "sue", "", 600, controller.epoch)  # replaces the one before
    controller.end_session("SIGHUP")
    assert open_lifts(log.records()) == []


def test_a_lift_nobody_ended_is_open_and_described(log: AuditLog) -> None:
    controller = LiftController(log, FakeClock())
    controller.lift("olga", "sam", "case 4", 600, controller.epoch)
    log.append(Event.LOGOUT, operator="olga")
    (lift,) = open_lifts(log.records())
    assert lift.started.seq == 1 and lift.duration == 600
    assert lift.describe(START + timedelta(minutes=5)) == (
        "open lift: record 1, olga (authorized by sam), started 2024-05-01T12:00:00.000000Z; "
        "still in force, or its console was killed or lost power"
    )
    assert lift.describe(START + timedelta(minutes=10)).endswith(
        "its time ran out at 2024-05-01T12:10:00.000000Z with no record of the end: the "
        "console was killed or lost power while lifted"
    )


def test_any_later_record_naming_the_lift_ends_it(log: AuditLog) -> None:
    """The convention, not a list of events: another helper's "lift voided" needs nothing."""
    controller = LiftController(log, FakeClock())
    controller.lift("olga", "sam", "", 600, controller.epoch)
    log.append(Event.LOGOUT, operator="olga", details={"lift": 1})
    assert open_lifts(log.records()) == []


def test_verify_and_show_report_open_lifts(capsys: pytest.CaptureFixture[str]) -> None:
    log = AuditLog(resolve_paths().audit_db, now=MinuteClock())
    controller = LiftController(log, FakeClock())
    controller.lift("olga", "sam", "", 600, controller.epoch)
    line = "veil: open lift: record 1, olga (authorized by sam), started 2024-05-01T12:00:00."
    assert run_veil("audit", "verify") == 0
    out = capsys.readouterr().out
    assert out.startswith(line) and "the console was killed or lost power while lifted" in out
    assert run_veil("audit", "show") == 0
    assert line in capsys.readouterr().out
    assert run_veil("audit", "show", "--json") == 0
    shown = capsys.readouterr()
    assert shown.out.startswith("[") and line in shown.err, "JSON stays parseable"

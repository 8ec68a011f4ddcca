"""The site's active lifts as the audit shows them, ended from elsewhere and followed here,
on both backends: the audit in the data dir, and the site's PostgreSQL."""

from __future__ import annotations

import json
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest

from console.core.access.lift import LiftController, LiftEnd
from console.core.access.lift_watch import LiftWatch
from console.core.access.runs import RunRegistry
from console.core.access.site_lifts import LiftNotActive, active_lifts, end_lift
from console.core.audit.open_lifts import open_lifts
from console.core.audit.trail import AuditLog, AuditRecord, Event
from console.core.timebase.clock import FakeClock
from console.core.timebase.utc import parse_utc
from tests.lift.conftest import HOST
from tests.support.storage_backends import Backend


@pytest.fixture
def audit(backend: Backend) -> AuditLog:
    """This console's audit, on the backend of the test's parameter."""
    return AuditLog(backend("audit"))


def other_console(backend: Backend) -> AuditLog:
    """The same audit as another console process opens it."""
    return AuditLog(backend("audit"))


def test_a_lift_is_listed_with_where_who_why_and_time_left(
    controller: LiftController, audit: AuditLog, backend: Backend
) -> None:
    lift = controller.lift("olga", "sam", "case 42", 600, controller.epoch)
    (listed,) = active_lifts(other_console(backend))
    assert listed.started.seq == lift.started_seq
    assert (listed.host, listed.started.operator, listed.started.authorizer) == (
        HOST,
        "olga",
        "sam",
    )
    assert listed.started.reason == "case 42"
    started = parse_utc(listed.started.time)
    assert listed.remaining(started + timedelta(seconds=100)) == 500
    assert listed.remaining(started + timedelta(seconds=900)) == 0


def test_a_start_record_from_before_hosts_were_recorded_still_lists(audit: AuditLog) -> None:
    audit.append(Event.LIFT_STARTED, operator="olga", details={"duration_s": 60})
    (listed,) = active_lifts(audit)
    assert listed.host == "" and listed.duration == 60


def test_ending_a_lift_records_who_ended_it_why_and_which(
    controller: LiftController, audit: AuditLog, backend: Backend
) -> None:
    lift = controller.lift("olga", "sam", "case 42", 600, controller.epoch)
    record = end_lift(other_console(backend), lift.started_seq, "sue", " done here ", "desk-2")
    assert (record.event, record.operator, record.reason) == ("lift_ended", "sue", "done here")
    assert json.loads(record.details) == {
        "lift": lift.started_seq,
        "host": "desk-2",
        "lift_operator": "olga",
        "lift_host": HOST,
    }
    assert active_lifts(audit) == []


def test_a_lift_that_is_not_active_or_a_missing_reason_is_refused(
    controller: LiftController, audit: AuditLog
) -> None:
    lift = controller.lift("olga", "sam", "", 600, controller.epoch)
    with pytest.raises(ValueError, match="needs a reason"):
        end_lift(audit, lift.started_seq, "sue", "  ", "desk-2")
    with pytest.raises(LiftNotActive, match="no active lift 99"):
        end_lift(audit, 99, "sue", "why", "desk-2")
    controller.apply("olga")
    audit.flush()
    with pytest.raises(LiftNotActive):
        end_lift(audit, lift.started_seq, "sue", "why", "desk-2")
    assert [r.event for r in audit.records()] == ["lift_started", "lift_applied"]


def test_the_watch_ends_this_consoles_lift_when_another_console_ends_it(
    controller: LiftController, audit: AuditLog, backend: Backend
) -> None:
    watch = LiftWatch(controller)
    lift = controller.lift("olga", "sam", "", 600, controller.epoch)
    assert not watch.poll()  # nothing after the start yet
    order = end_lift(other_console(backend), lift.started_seq, "sue", "wrong camera", "desk-2")
    assert watch.poll()
    assert not controller.lifted()
    assert (controller.last_end, controller.ended_by) == (LiftEnd.REMOTE, "sue")
    audit.flush()
    confirmation = audit.records()[-1]
    assert confirmation.event == "lift_end_applied"
    assert json.loads(confirmation.details) == {
        "lift": lift.started_seq,
        "order": order.seq,
        "by": "sue",
    }
    assert open_lifts(audit.records()) == []


def test_the_watch_reads_from_the_lifts_own_start_so_an_early_end_is_not_skipped(
    controller: LiftController, audit: AuditLog, backend: Backend
) -> None:
    """The watch had read past the second lift's start (and its end) while the first was
    in force: the second lift, once in force, is still found ended."""
    watch = LiftWatch(controller)
    controller.lift("olga", "sam", "", 600, controller.epoch)
    other = other_console(backend)
    other.append(Event.LIFT_STARTED, operator="olga", details={"duration_s": 60})  # seq 2
    other.append(Event.LIFT_ENDED, operator="sue", reason="x", details={"lift": 3})
    assert not watch.poll()  # read up to 3 while lift 1 was in force
    second = controller.lift("olga", "sue", "", 600, controller.epoch)  # seq 4
    end_lift(other, second.started_seq, "sue", "again", "desk-2")
    assert watch.poll() and not controller.lifted()


def test_an_end_of_another_lift_or_after_an_apply_changes_nothing(
    controller: LiftController, audit: AuditLog, clock: FakeClock, backend: Backend
) -> None:
    watch = LiftWatch(controller)
    first = controller.lift("olga", "sam", "", 600, controller.epoch)
    second = controller.lift("olga", "sue", "", 600, controller.epoch)  # replaces the first
    other = other_console(backend)
    other.append(Event.LIFT_ENDED, operator="sue", reason="x", details={"lift": first.started_seq})
    assert not watch.poll()
    assert controller.current() == second
    # Written while the lift was still open, read by this console after its Apply (the
    # Apply's record is posted, so whether it lands before `end_lift` reads is a race).
    ending = end_lift(other, second.started_seq, "sue", "late", "desk-2")
    controller.apply("olga")
    assert not controller.end_remotely(second.started_seq, ending)
    assert controller.last_end is LiftEnd.APPLIED
    audit.flush()
    assert [r.event for r in audit.records()].count("lift_end_applied") == 0


def test_an_unreadable_audit_ends_and_extends_nothing(
    controller: LiftController, audit: AuditLog, clock: FakeClock, backend: Backend
) -> None:
    watch = LiftWatch(controller)
    controller.lift("olga", "sam", "", 600, controller.epoch)
    with backend.unreadable(audit) as said:
        assert not watch.poll()
        assert watch.problem is not None and said in str(watch.problem)
        assert controller.lifted()
        clock.advance(600)
        assert not watch.poll() and not controller.lifted()  # its deadline still holds
        assert controller.last_end is LiftEnd.EXPIRED


def test_the_watch_thread_ends_a_lift_within_a_second(
    controller: LiftController, audit: AuditLog, backend: Backend
) -> None:
    watch = LiftWatch(controller)
    watch.start()
    try:
        lift = controller.lift("olga", "sam", "", 600, controller.epoch)
        end_lift(other_console(backend), lift.started_seq, "sue", "stop", "desk-2")
        began = time.monotonic()
        while controller.lifted() and time.monotonic() - began < 5:
            time.sleep(0.01)
        took = time.monotonic() - began
    finally:
        watch.stop()
    assert not controller.lifted() and took < 1.0


def test_on_postgresql_a_remote_end_wakes_the_watch_before_its_poll(
    controller: LiftController, audit: AuditLog, backend: Backend
) -> None:
    """With a poll far longer than the promise, only the commit's notification can end
    the lift within a second; a file has none, so on SQLite the same watch waits."""
    watch = LiftWatch(controller, interval=30.0)
    watch.start()
    try:
        lift = controller.lift("olga", "sam", "", 600, controller.epoch)
        time.sleep(0.3)  # the watch is waiting (listening, on PostgreSQL)
        end_lift(other_console(backend), lift.started_seq, "sue", "stop", "desk-2")
        began = time.monotonic()
        while controller.lifted() and time.monotonic() - began < 1.0:
            time.sleep(0.01)
        ended = not controller.lifted()
    finally:
        watch.stop()
    assert ended is (backend.server is not None)


def test_the_run_file_forgets_a_lift_ended_remotely(
    controller: LiftController, audit: AuditLog, tmp_path: Path, backend: Backend
) -> None:
    """The console's own confirmation passes through its audit's observers: were it killed
    afterwards, the next start would not report a lift that had ended."""
    runs = RunRegistry(tmp_path / "runs", audit)
    runs.start()
    try:
        lift = controller.lift("olga", "sam", "", 600, controller.epoch)
        (run_file,) = (tmp_path / "runs").iterdir()
        assert str(lift.started_seq) in json.loads(run_file.read_text())["lifts"]
        end_lift(other_console(backend), lift.started_seq, "sue", "stop", "desk-2")
        assert LiftWatch(controller).poll()
        audit.flush()
        assert json.loads(run_file.read_text())["lifts"] == {}
    finally:
        runs.stop()


def remote_end(
    controller: LiftController,
    barrier: threading.Barrier,
    results: list[bool],
    seq: int,
    ending: AuditRecord,
) -> None:
    barrier.wait()
    results.append(controller.end_remotely(seq, ending))


def test_an_apply_racing_a_remote_end_ends_the_lift_exactly_once(
    controller: LiftController, audit: AuditLog, backend: Backend
) -> None:
    """The operator's Apply and the watch's end, from two threads, many times: each lift
    ends once, by one of them, and is never left in force."""
    other = other_console(backend)
    for _ in range(40):
        lift = controller.lift("olga", "sam", "", 600, controller.epoch)
        ending = end_lift(other, lift.started_seq, "sue", "stop", "desk-2")
        barrier = threading.Barrier(2)
        results: list[bool] = []
        thread = threading.Thread(
            target=remote_end, args=(controller, barrier, results, lift.started_seq, ending)
        )
        thread.start()
        barrier.wait()
        results.append(controller.apply("olga"))
        thread.join()
        assert sorted(results) == [False, True] and not controller.lifted()
    audit.flush()
    kinds = [r.event for r in audit.records() if r.event in ("lift_applied", "lift_end_applied")]
    assert len(kinds) == 40
    assert open_lifts(audit.records()) == []

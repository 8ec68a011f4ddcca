"""Posted records: never waited on, written by a worker that retries, in the order asked."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.timebase.utc import format_utc, system_now
from tests.support.audit_lock import audit_locked_elsewhere


def wait_for(ready: Callable[[], bool], seconds: float = 10.0) -> float:
    """Poll `ready()` until true; the seconds it took."""
    start = time.monotonic()
    while not ready():
        assert time.monotonic() - start < seconds, "timed out"
        time.sleep(0.005)
    return time.monotonic() - start


def test_a_post_returns_at_once_and_lands_when_the_other_process_lets_go(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog(path)
    log.append(Event.SITE_LOADED)
    with audit_locked_elsewhere(path) as lock:
        began = time.monotonic()
        log.post(Event.LIFT_APPLIED, operator="olga")
        assert time.monotonic() - began < 0.05
        time.sleep(0.5)
        assert log.backlog().count == 1
        assert [r.event for r in AuditLog(path).records()] == ["site_loaded"]
        released_at = format_utc(system_now())
        lock.release()
        landed = wait_for(lambda: log.backlog().count == 0)
    assert landed < 1.0
    records = AuditLog(path).records()
    assert [r.event for r in records] == ["site_loaded", "lift_applied"]
    # Stamped when it was posted, not half a second later when it could be written.
    assert records[1].time < released_at
    assert AuditLog(path).verify().ok


def test_a_posted_record_waits_out_a_broken_audit_and_is_reported_meanwhile(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data dir should be")
    log = AuditLog(blocker / "audit.db")
    log.post(Event.LIFT_EXPIRED, operator="olga")
    wait_for(lambda: log.backlog().error is not None)
    backlog = log.backlog()
    assert backlog.count == 1 and "is unavailable" in str(backlog.error)
    with pytest.raises(AuditUnavailable):  # nothing jumps the queue past it
        log.append(Event.LOGIN_OK, operator="sam")
    blocker.unlink()
    blocker.mkdir(exist_ok=True)  # the retrying writer may create it first
    wait_for(lambda: log.backlog().count == 0)
    assert [r.event for r in log.records()] == ["lift_expired"]
    assert log.backlog().error is None


def test_records_keep_the_order_they_were_asked_in_whichever_thread_writes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog(path)
    log.append(Event.SITE_LOADED)
    appended: list[int] = []
    with audit_locked_elsewhere(path) as lock:
        log.post(Event.LIFT_APPLIED, operator="first")
        wait_for(lambda: log._lock.locked())  # the worker is waiting on the lock
        writer = threading.Thread(
            target=lambda: appended.append(log.append(Event.LOGIN_OK, operator="second").seq)
        )
        writer.start()
        time.sleep(0.1)  # the append is queued behind the post
        log.post(Event.LOGOUT, operator="third")
        lock.release()
        writer.join(10)
    wait_for(lambda: log.backlog().count == 0)
    records = log.records()
    assert [r.operator for r in records[1:]] == ["first", "second", "third"]
    assert appended == [3]
    assert log.verify().ok


def test_an_append_that_cannot_be_written_leaves_nothing_behind(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog(path, busy_timeout=0.2)
    log.append(Event.SITE_LOADED)
    with audit_locked_elsewhere(path):
        with pytest.raises(AuditUnavailable, match="locked by another process"):
            log.append(Event.LIFT_STARTED, operator="olga")
        assert log.backlog().count == 0
    log.flush()
    assert [r.event for r in log.records()] == ["site_loaded"]


def test_flush_waits_for_the_posted_records_or_says_why_not(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    log = AuditLog(path, busy_timeout=0.3)
    log.append(Event.SITE_LOADED)
    with audit_locked_elsewhere(path):
        log.post(Event.LOGOUT, operator="olga")
        with pytest.raises(AuditUnavailable, match="locked by another process"):
            log.flush()
    log.flush()
    assert log.backlog().count == 0
    assert [r.event for r in AuditLog(path).records()] == ["site_loaded", "logout"]

"""The lift gate: audited before it starts, ends on the monotonic deadline, never persisted."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from console.core.access.lift import LiftController, LiftEnd, LiftVoided
from console.core.audit.trail import AuditLog, AuditRecord, AuditUnavailable, Event
from console.core.timebase.clock import FakeClock
from tests.lift.conftest import HOST


def events(audit: AuditLog) -> list[str]:
    return [record.event for record in audit.records()]


def unusable_audit(tmp_path: Path) -> AuditLog:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where the data dir should be")
    return AuditLog(blocker / "audit.db")


def repair(tmp_path: Path) -> None:
    """Make `unusable_audit`'s data dir a dir again."""
    blocker = tmp_path / "blocker"
    blocker.unlink()
    blocker.mkdir(exist_ok=True)  # the retrying writer may create it first


def test_lift_is_recorded_before_it_is_in_force(
    controller: LiftController, audit: AuditLog
) -> None:
    assert not controller.lifted()
    lift = controller.lift("olga", "sam", "case 42", 600, controller.epoch)
    assert controller.lifted()
    [record] = audit.records()
    assert (record.seq, record.event, record.operator, record.authorizer, record.reason) == (
        lift.started_seq,
        "lift_started",
        "olga",
        "sam",
        "case 42",
    )
    assert json.loads(record.details) == {"duration_s": 600, "host": HOST}


def test_lift_expires_on_the_clock_and_records_it_once(
    controller: LiftController, audit: AuditLog, clock: FakeClock
) -> None:
    controller.lift("olga", "sam", "", 600, controller.epoch)
    clock.advance(599.5)
    assert controller.lifted()
    assert controller.remaining() == pytest.approx(0.5)
    clock.advance(0.5)
    assert not controller.lifted()
    assert not controller.lifted()
    assert controller.remaining() == 0.0
    assert controller.last_end is LiftEnd.EXPIRED
    assert events(audit) == ["lift_started", "lift_expired"]
    expired = audit.records()[-1]
    assert (expired.operator, expired.authorizer) == ("olga", "sam")
    assert json.loads(expired.details) == {"lift": 1}


def test_apply_ends_the_lift_at_once(
    controller: LiftController, audit: AuditLog, clock: FakeClock
) -> None:
    controller.lift("olga", "sam", "", 600, controller.epoch)
    assert controller.apply("olga")
    assert not controller.lifted()
    assert not controller.apply("olga")
    clock.advance(601)
    assert not controller.lifted()
    assert events(audit) == ["lift_started", "lift_applied"]
    assert controller.last_end is LiftEnd.APPLIED


def test_session_end_while_lifted_is_recorded_with_its_cause(
    controller: LiftController, audit: AuditLog
) -> None:
    assert not controller.end_session("quit")
    controller.lift("olga", "sam", "case 7", 600, controller.epoch)
    assert controller.end_session("SIGHUP")
    assert not controller.lifted()
    record = audit.records()[-1]
    assert (record.event, record.label, record.operator, record.reason) == (
        "session_ended_while_lifted",
        "session ended while lifted",
        "olga",
        "case 7",
    )
    assert json.loads(record.details) == {"lift": 1, "cause": "SIGHUP"}


def test_a_new_lift_while_lifted_replaces_it_with_a_fresh_deadline(
    controller: LiftController, audit: AuditLog, clock: FakeClock
) -> None:
    controller.lift("olga", "sam", "", 600, controller.epoch)
    clock.advance(500)
    second = controller.lift("olga", "sue", "", 600, controller.epoch)
    clock.advance(500)
    assert controller.current() == second
    assert json.loads(audit.records()[-1].details) == {
        "duration_s": 600,
        "host": HOST,
        "replaces": 1,
    }


def test_lift_state_is_not_persisted(controller: LiftController, audit: AuditLog) -> None:
    controller.lift("olga", "sam", "", 600, controller.epoch)
    assert not LiftController(audit, FakeClock()).lifted()


def test_no_lift_when_the_audit_cannot_record_it(tmp_path: Path, clock: FakeClock) -> None:
    controller = LiftController(unusable_audit(tmp_path), clock)
    with pytest.raises(AuditUnavailable, match="is unavailable"):
        controller.lift("olga", "sam", "", 600, controller.epoch)
    assert not controller.lifted()


def test_masks_return_on_expiry_even_when_the_audit_fails(
    tmp_path: Path, controller: LiftController, clock: FakeClock
) -> None:
    controller.lift("olga", "sam", "", 600, controller.epoch)
    controller.audit = unusable_audit(tmp_path)
    clock.advance(600)
    assert not controller.lifted()
    assert controller.audit.backlog().count == 1  # queued, retried, reported meanwhile
    repair(tmp_path)
    controller.audit.flush()
    assert events(controller.audit) == ["lift_expired"]


def test_apply_puts_masks_back_at_once_whatever_the_audit_does(
    tmp_path: Path, controller: LiftController
) -> None:
    controller.lift("olga", "sam", "", 600, controller.epoch)
    controller.audit = unusable_audit(tmp_path)
    assert controller.apply("olga")
    assert not controller.lifted()
    assert controller.audit.backlog().count == 1
    repair(tmp_path)
    controller.audit.flush()
    assert events(controller.audit) == ["lift_applied"]


@pytest.mark.parametrize(
    ("end", "cause"),
    [
        (lambda c: c.apply("olga"), "masks applied"),
        (lambda c: c.end_session("logout"), "logout"),
        (lambda c: c.end_session("login"), "login"),
    ],
)
def test_a_lift_asked_for_in_an_ended_epoch_is_void(
    controller: LiftController,
    audit: AuditLog,
    end: Callable[[LiftController], object],
    cause: str,
) -> None:
    audit.append(Event.SITE_LOADED)
    asked = controller.epoch
    end(controller)
    with pytest.raises(LiftVoided) as voided:
        controller.lift("olga", "sam", "", 600, asked)
    assert (voided.value.cause, voided.value.started_seq) == (cause, None)
    assert not controller.lifted()
    assert events(audit) == ["site_loaded"]  # nothing of it was written: nothing to void
    controller.lift("olga", "sam", "", 600, controller.epoch)  # a fresh request lifts
    assert controller.lifted()


def test_an_epoch_ended_while_lift_started_is_written_voids_it_on_the_record(
    controller: LiftController, audit: AuditLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The logout lands while "lift started" waits on the disk: the record is in, the
    lift is not, and "lift voided" names it."""
    append = audit.append

    def slow_append(*args: Any, **kwargs: Any) -> AuditRecord:
        record = append(*args, **kwargs)
        controller.end_session("logout")
        return record

    monkeypatch.setattr(audit, "append", slow_append)
    with pytest.raises(LiftVoided) as voided:
        controller.lift("olga", "sam", "case 9", 600, controller.epoch)
    assert not controller.lifted()
    assert voided.value.cause == "logout"
    started, void = audit.records()
    assert (started.event, void.event) == ("lift_started", "lift_voided")
    assert voided.value.started_seq == started.seq
    assert (void.operator, void.authorizer, void.reason) == ("olga", "sam", "case 9")
    assert json.loads(void.details) == {"lift": started.seq, "cause": "logout"}


def test_the_epoch_ends_however_masks_go_back(controller: LiftController) -> None:
    epochs = [controller.epoch]
    controller.apply("olga")
    epochs.append(controller.epoch)
    controller.end_session("logout")
    epochs.append(controller.epoch)
    assert epochs == sorted(set(epochs))


def test_duration_must_be_positive(controller: LiftController) -> None:
    with pytest.raises(ValueError, match="positive duration"):
        controller.lift("olga", "sam", "", 0, controller.epoch)
    assert not controller.lifted()

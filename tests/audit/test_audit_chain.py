"""The hash chain: intact logs verify, and every kind of tampering is named at its first record."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from console.core.audit.trail import (
    GENESIS_HASH,
    AuditLog,
    AuditUnavailable,
    Event,
    event_label,
    record_hash,
)

START = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class SteppingClock:
    """A wall clock that moves a minute per reading."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        moment = self.now
        self.now += timedelta(minutes=1)
        return moment


@pytest.fixture
def log(tmp_path: Path) -> AuditLog:
    audit = AuditLog(tmp_path / "audit.db", now=SteppingClock())
    for index in range(6):
        audit.append(
            Event.LIFT_STARTED if index % 2 else Event.LOGIN_OK,
            operator=f"user{index}",
            authorizer="sam",
            reason=f"case {index}",
            details={"index": index, "note": "ünïcode ✓"},
        )
    return audit


def tamper(log: AuditLog, *statements: tuple[str, tuple[object, ...]]) -> None:
    """Edit the file the way someone with the sqlite3 shell would: triggers dropped first."""
    with sqlite3.connect(log.path) as connection:
        connection.execute("DROP TRIGGER audit_no_update")
        connection.execute("DROP TRIGGER audit_no_delete")
        for sql, parameters in statements:
            connection.execute(sql, parameters)


def row(log: AuditLog, seq: int) -> tuple[object, ...]:
    with sqlite3.connect(log.path) as connection:
        found = connection.execute("SELECT * FROM audit WHERE seq = ?", (seq,)).fetchone()
    assert found is not None
    return tuple(found)


def test_records_are_chained_and_verify(log: AuditLog) -> None:
    records = log.records()
    assert [r.seq for r in records] == [1, 2, 3, 4, 5, 6]
    assert records[0].prev_hash == GENESIS_HASH
    for previous, record in zip(records, records[1:], strict=False):
        assert record.prev_hash == previous.hash
    assert records[0].time == "2024-05-01T12:00:00.000000Z"
    assert json.loads(records[1].details) == {"index": 1, "note": "ünïcode ✓"}
    assert log.verify().ok
    assert log.verify().records == 6


def test_the_chain_survives_reopening(log: AuditLog) -> None:
    reopened = AuditLog(log.path)
    reopened.append(Event.LOGOUT, operator="user5")
    assert reopened.verify().ok
    assert reopened.records()[-1].prev_hash == log.records()[-2].hash


def test_sqlite_refuses_updates_and_deletes(log: AuditLog) -> None:
    with sqlite3.connect(log.path) as connection:
        for statement in ("UPDATE audit SET reason = 'x'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.IntegrityError, match="append-only"):
                connection.execute(statement)
    assert log.verify().ok


def test_edited_record_is_named(log: AuditLog) -> None:
    tamper(log, ("UPDATE audit SET operator = 'someone-else' WHERE seq = 3", ()))
    result = log.verify()
    assert (result.ok, result.first_bad) == (False, 3)
    assert result.problem == "record 3: contents do not match its hash (edited?)"


def test_edit_with_a_recomputed_hash_breaks_the_next_link(log: AuditLog) -> None:
    seq, time, event, _, authorizer, reason, outcome, details, prev, _ = row(log, 3)
    forged = record_hash(3, str(time), str(event), "x", str(authorizer), str(reason),
                         str(outcome), str(details), str(prev))  # fmt: skip
    tamper(log, ("UPDATE audit SET operator = 'x', hash = ? WHERE seq = 3", (forged,)))
    result = log.verify()
    assert result.first_bad == 4
    assert "does not link to the record before it" in result.problem


@pytest.mark.parametrize(
    ("deleted", "first_bad", "problem"),
    [
        (1, 2, "record 2: record 1 is missing before it (deleted?)"),
        (3, 4, "record 4: record 3 is missing before it (deleted?)"),
        (6, 6, "record 6 is missing from the end (deleted?)"),
    ],
)
def test_deleted_record_is_named(log: AuditLog, deleted: int, first_bad: int, problem: str) -> None:
    tamper(log, ("DELETE FROM audit WHERE seq = ?", (deleted,)))
    result = log.verify()
    assert (result.first_bad, result.problem) == (first_bad, problem)


def test_several_deleted_records_are_named_as_a_range(log: AuditLog) -> None:
    tamper(log, ("DELETE FROM audit WHERE seq BETWEEN 2 AND 4", ()))
    assert log.verify().problem == "record 5: records 2..4 are missing before it (deleted?)"


def test_deleting_every_record_is_detected(log: AuditLog) -> None:
    tamper(log, ("DELETE FROM audit", ()))
    result = log.verify()
    assert (result.records, result.first_bad) == (0, 1)
    assert result.problem == "records 1..6 are missing from the end (deleted?)"


def test_a_deleted_tail_stays_detected_after_later_appends(log: AuditLog) -> None:
    tamper(log, ("DELETE FROM audit WHERE seq = 6", ()))
    log.append(Event.LOGOUT, operator="user5")
    assert log.records()[-1].seq == 7
    assert log.verify().first_bad == 7


def test_inserted_record_is_named(log: AuditLog) -> None:
    _, time, *_ = row(log, 3)
    prev = str(row(log, 2)[-1])
    fields = (3, str(time), "lift_started", "intruder", "sam", "", "ok", "{}", prev)
    tamper(
        log,
        ("UPDATE audit SET seq = seq + 100 WHERE seq >= 3", ()),
        ("UPDATE audit SET seq = seq - 99 WHERE seq >= 100", ()),
        (
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*fields, "0" * 64),
        ),
    )
    result = log.verify()
    assert result.first_bad == 3
    assert result.problem == "record 3: contents do not match its hash (edited?)"


def test_a_well_forged_insertion_breaks_the_link_after_it(log: AuditLog) -> None:
    _, time, *_ = row(log, 3)
    prev = str(row(log, 2)[-1])
    fields = (3, str(time), "lift_started", "intruder", "sam", "", "ok", "{}", prev)
    tamper(
        log,
        ("UPDATE audit SET seq = seq + 100 WHERE seq >= 3", ()),
        ("UPDATE audit SET seq = seq - 99 WHERE seq >= 100", ()),
        (
            "INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (*fields, record_hash(*fields)),
        ),
    )
    result = log.verify()
    assert result.first_bad == 4
    assert "does not link" in result.problem


def test_reordered_records_are_named(log: AuditLog) -> None:
    tamper(
        log,
        ("UPDATE audit SET seq = 100 WHERE seq = 3", ()),
        ("UPDATE audit SET seq = 3 WHERE seq = 4", ()),
        ("UPDATE audit SET seq = 4 WHERE seq = 100", ()),
    )
    result = log.verify()
    assert result.first_bad == 3
    assert "does not link" in result.problem


def test_since_filters_by_utc_time(log: AuditLog) -> None:
    since = [r.seq for r in log.records(since=START + timedelta(minutes=3))]
    assert since == [4, 5, 6]
    two_hours_east = datetime(2024, 5, 1, 14, 4, tzinfo=timezone(timedelta(hours=2)))
    assert [r.seq for r in log.records(since=two_hours_east)] == [5, 6]


def test_reading_a_missing_log_does_not_create_one(tmp_path: Path) -> None:
    missing = AuditLog(tmp_path / "audit.db")
    for read in (missing.records, missing.verify):
        with pytest.raises(AuditUnavailable, match="no audit log at"):
            read()
    assert not (tmp_path / "audit.db").exists()


def test_every_event_has_a_label() -> None:
    assert {event.label for event in Event} >= {"session ended while lifted", "lift started"}
    assert len({event.label for event in Event}) == len(Event)
    assert event_label("session_ended_while_lifted") == "session ended while lifted"
    assert event_label("made_up") == "made_up"

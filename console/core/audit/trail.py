"""The tamper-evident audit trail: who saw what beneath the masks, and who allowed it.

Records live in one append-only SQLite table shared by every console process on the
machine. Each record carries the SHA-256 of its predecessor and a SHA-256 over its own
fields, so editing, deleting, inserting or reordering records breaks the chain at a
point `AuditLog.verify` can name. Triggers refuse UPDATE and DELETE through SQLite;
someone editing the file by other means is caught by the chain, and someone deleting
the newest records by the AUTOINCREMENT high-water mark SQLite keeps separately.

The chain is keyless: whoever can rewrite the whole file can forge a consistent one.
It proves the console did not lose or alter records, not that the disk was guarded.

Appending reads the last record and inserts the next inside ``BEGIN IMMEDIATE``, so two
processes appending at once serialise on SQLite's write lock and neither forks the
chain. If a record cannot be written, `AuditUnavailable` is raised, and callers refuse
the action it would have recorded: a lift nobody can audit does not happen.

Each append opens the file at its path and closes it again, as the users store does,
rather than holding it open for a whole shift: a record must reach the audit file that
is there now, not one moved or replaced since the console started, and a disk that has
become read-only (or a data dir that lost its permissions) must refuse the next lift
instead of being bypassed by a handle opened while it was writable. Records are rare
(logins, lifts, exports), so the millisecond an open costs does not matter.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from console.core.storage.sqlite import DEFAULT_BUSY_TIMEOUT, connect, connect_existing
from console.core.timebase.utc import WallClock, format_utc, system_now

GENESIS_HASH = "0" * 64
"""The predecessor hash of the first record."""

_log = logging.getLogger(__name__)
"""Every record written, and every one refused, for the console's log (no reasons)."""


class Event(StrEnum):
    """Every kind of audit record; the value is what is stored."""

    LOGIN_OK = "login_ok"
    LOGIN_FAILED = "login_failed"
    LOGOUT = "logout"
    LIFT_REQUESTED = "lift_requested"
    LIFT_AUTHORIZED = "lift_authorized"
    LIFT_DENIED = "lift_denied"
    LIFT_LOCKED = "lift_locked"
    LIFT_STARTED = "lift_started"
    LIFT_APPLIED = "lift_applied"
    LIFT_EXPIRED = "lift_expired"
    SESSION_ENDED_WHILE_LIFTED = "session_ended_while_lifted"
    EXPORT = "export"
    EXPORT_KEY = "export_key"
    LIVE_TAKEN = "live_taken"
    USER_ADMIN = "user_admin"
    SITE_LOADED = "site_loaded"

    @property
    def label(self) -> str:
        """How the event reads in listings and the in-app viewer."""
        return _LABELS[self]


_LABELS: dict[Event, str] = {
    Event.LOGIN_OK: "login",
    Event.LOGIN_FAILED: "login failed",
    Event.LOGOUT: "logout",
    Event.LIFT_REQUESTED: "lift requested",
    Event.LIFT_AUTHORIZED: "lift authorized",
    Event.LIFT_DENIED: "lift denied",
    Event.LIFT_LOCKED: "lift authorization locked",
    Event.LIFT_STARTED: "lift started",
    Event.LIFT_APPLIED: "masks applied manually",
    Event.LIFT_EXPIRED: "lift expired",
    Event.SESSION_ENDED_WHILE_LIFTED: "session ended while lifted",
    Event.EXPORT: "export",
    Event.EXPORT_KEY: "export key",
    Event.LIVE_TAKEN: "live video taken by a command",
    Event.USER_ADMIN: "user admin",
    Event.SITE_LOADED: "site file loaded",
}


def event_label(stored: str) -> str:
    """The label of a stored event name; an unknown name is shown as stored, not hidden."""
    try:
        return Event(stored).label
    except ValueError:
        return stored


class AuditUnavailable(Exception):
    """A record could not be written or the log could not be read; the message says why."""


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One row of the trail, exactly as stored."""

    seq: int
    """Position in the chain, from 1 without gaps."""
    time: str
    """UTC, ISO 8601 with a trailing Z."""
    event: str
    operator: str
    """The console user acting, or the OS user for command-line administration."""
    authorizer: str
    """The supervisor who authorised a lift ("" when none)."""
    reason: str
    """The reason or case id given for a lift ("" when none)."""
    outcome: str
    details: str
    """Canonical JSON object with event-specific facts."""
    prev_hash: str
    hash: str

    @property
    def label(self) -> str:
        return event_label(self.event)


@dataclass(frozen=True, slots=True)
class Verification:
    """The result of checking the whole chain."""

    records: int
    """How many records were read."""
    first_bad: int | None
    """Sequence number of the first record that fails, None when the chain is intact."""
    problem: str
    """What is wrong with it ("" when intact)."""

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def record_hash(
    seq: int,
    time: str,
    event: str,
    operator: str,
    authorizer: str,
    reason: str,
    outcome: str,
    details: str,
    prev_hash: str,
) -> str:
    """SHA-256 over an unambiguous encoding of every field and the predecessor's hash.

    A JSON array (ASCII-escaped, no whitespace) rather than concatenation, so no field
    boundary can shift between two different records with the same bytes.
    """
    fields = [seq, time, event, operator, authorizer, reason, outcome, details, prev_hash]
    encoded = json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def canonical_details(details: Mapping[str, object]) -> str:
    """Details as stored: sorted keys, so the same facts always hash the same."""
    return json.dumps(dict(details), sort_keys=True, ensure_ascii=True, separators=(",", ":"))


_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    event TEXT NOT NULL,
    operator TEXT NOT NULL,
    authorizer TEXT NOT NULL,
    reason TEXT NOT NULL,
    outcome TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""

_COLUMNS = "seq, time, event, operator, authorizer, reason, outcome, details, prev_hash, hash"


class AuditLog:
    """The audit trail in one database file, safe to share between threads and processes."""

    def __init__(
        self,
        path: Path,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        now: WallClock = system_now,
    ) -> None:
        self.path = path
        """The SQLite file, normally ``data_dir / "audit.db"``."""
        self.busy_timeout = busy_timeout
        """Seconds an append waits for another process's write before it fails."""
        self._now = now
        self._lock = threading.Lock()

    def append(
        self,
        event: Event,
        *,
        operator: str = "",
        authorizer: str = "",
        reason: str = "",
        outcome: str = "ok",
        details: Mapping[str, object] | None = None,
    ) -> AuditRecord:
        """Write one record and return it, or raise `AuditUnavailable` having written none."""
        details_text = canonical_details(details or {})
        with self._lock, self._writing() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                seq = _high_water_mark(connection) + 1
                last = connection.execute(
                    "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                prev_hash = str(last[0]) if last else GENESIS_HASH
                time = format_utc(self._now())
                fields = (
                    seq,
                    time,
                    str(event),
                    operator,
                    authorizer,
                    reason,
                    outcome,
                    details_text,
                    prev_hash,
                )
                record = AuditRecord(*fields, hash=record_hash(*fields))
                connection.execute(
                    f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*fields, record.hash),
                )
                connection.execute("COMMIT")
            except BaseException:
                if connection.in_transaction:
                    with suppress(sqlite3.Error):  # the original error is the one to report
                        connection.execute("ROLLBACK")
                raise
        _log.info(
            "audit %d: %s, operator %r, authorizer %r, outcome %r, details %s",
            seq,
            event,
            operator,
            authorizer,
            outcome,
            details_text,
        )
        return record

    def records(self, since: datetime | None = None) -> list[AuditRecord]:
        """All records in chain order, optionally only those at or after `since`."""
        with self._reading() as connection:
            if since is None:
                rows = connection.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY seq")
            else:
                rows = connection.execute(
                    f"SELECT {_COLUMNS} FROM audit WHERE time >= ? ORDER BY seq",
                    (format_utc(since),),
                )
            return [_record(row) for row in rows]

    def verify(self) -> Verification:
        """Walk the chain and report the first record that breaks it."""
        with self._reading() as connection:
            rows = connection.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY seq").fetchall()
            high_water = _high_water_mark(connection)
        return _verify([_record(row) for row in rows], high_water)

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        """A connection for one record, closed after it (see the module docstring)."""
        try:
            connection = connect(self.path, self.busy_timeout)
        except (sqlite3.Error, OSError) as error:
            raise self._refused(error) from error
        try:
            connection.executescript(_SCHEMA)
            yield connection
        except sqlite3.Error as error:
            raise self._refused(error) from error
        finally:
            connection.close()

    def _refused(self, error: BaseException) -> AuditUnavailable:
        """Why a record cannot be written, logged: the action it would record is refused."""
        unavailable = AuditUnavailable(self._explain(error))
        _log.error("audit record not written: %s", unavailable)
        return unavailable

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        try:
            connection = connect_existing(self.path, self.busy_timeout)
        except FileNotFoundError:
            raise AuditUnavailable(f"no audit log at {self.path}") from None
        except (sqlite3.Error, OSError) as error:
            raise AuditUnavailable(self._explain(error)) from error
        try:
            yield connection
        except sqlite3.Error as error:
            raise AuditUnavailable(self._explain(error)) from error
        finally:
            connection.close()

    def _explain(self, error: BaseException) -> str:
        text = str(error)
        if "locked" in text or "busy" in text:
            return (
                f"audit log {self.path} is locked by another process "
                f"(waited {self.busy_timeout:g} s)"
            )
        if why := _unwritable(self.path):
            return f"audit log {self.path} cannot be written: {why}"
        return f"audit log {self.path} is unavailable: {text}"


def _unwritable(path: Path) -> str:
    """Says "its file system is read-only" when it is, else nothing ("").

    SQLite then says only "unable to open database file" or "attempt to write a readonly
    database", and whoever must fix it needs to know it is the disk, not the file.
    """
    try:
        read_only = os.statvfs(path.parent).f_flag & os.ST_RDONLY
    except OSError:
        return ""
    return "its file system is read-only" if read_only else ""


def _high_water_mark(connection: sqlite3.Connection) -> int:
    """The largest sequence number ever issued, kept by SQLite apart from the rows."""
    row = connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'audit'").fetchone()
    return int(row[0]) if row else 0


def _record(row: tuple[object, ...]) -> AuditRecord:
    seq, *text = row
    return AuditRecord(int(str(seq)), *(str(value) for value in text))


def _verify(records: list[AuditRecord], high_water: int) -> Verification:
    previous_hash = GENESIS_HASH
    expected_seq = 1
    for record in records:
        problem = ""
        if record.seq != expected_seq:
            problem = f"{_span(expected_seq, record.seq - 1)} missing before it (deleted?)"
        elif record.prev_hash != previous_hash:
            problem = (
                "does not link to the record before it "
                "(a record was inserted, removed or reordered, or one of the two was edited)"
            )
        elif record.hash != record_hash(
            record.seq,
            record.time,
            record.event,
            record.operator,
            record.authorizer,
            record.reason,
            record.outcome,
            record.details,
            record.prev_hash,
        ):
            problem = "contents do not match its hash (edited?)"
        if problem:
            return Verification(len(records), record.seq, f"record {record.seq}: {problem}")
        previous_hash = record.hash
        expected_seq = record.seq + 1
    if high_water >= expected_seq:
        return Verification(
            len(records),
            expected_seq,
            f"{_span(expected_seq, high_water)} missing from the end (deleted?)",
        )
    return Verification(len(records), None, "")


def _span(first: int, last: int) -> str:
    return f"record {first} is" if first == last else f"records {first}..{last} are"

"""The tamper-evident audit trail: who saw what beneath the masks, and who allowed it.

Records live in one append-only SQLite table shared by every console process on the
machine. Each record carries the SHA-256 of its predecessor and a SHA-256 over its own
fields, so editing, deleting, inserting or reordering records breaks the chain at a
point `AuditLog.verify` can name. Triggers refuse UPDATE and DELETE through SQLite;
someone editing the file by other means is caught by the chain, and someone deleting
the newest records by the AUTOINCREMENT high-water mark SQLite keeps separately.

On its own the chain is keyless: whoever can rewrite the whole file can forge a
consistent one, cut off the newest records, or delete the file and let the next command
begin a new chain. With an anchor (`console.core.audit.anchor`, configured in the
site's ``[audit]`` table) every record is signed into a log outside the console
account's reach right after it is committed, and `verify` checks the database against
that log, which catches all three. A fresh chain is never started while the anchor has
signed anything, or while the `genesis_guard` objects (the site already has users).

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

Two ways in, one order. `append` writes now and raises when it cannot: for records that
must exist before their act (a lift starts only once "lift started" is written). `post`
is for records of acts that must never wait on a disk, because they put masks back (the
panic key, logout, expiry): the act has happened, the record is queued and a worker
thread writes it, retrying until it lands. Both go through one queue in this process,
and whichever thread writes takes it from the head, so the chain holds this process's
records in the order they were asked for; an appended record that cannot be written is
dropped from the queue (its act is refused), a posted one stays at the head. A posted
record carries the time it was posted, not the time the disk let it in. If the process
dies before a posted record lands, the "lift started" it would have ended is still in
the chain with no end: an open lift, which is what a check of the trail reports (every
end record names its lift's ``seq``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from console.core.audit.anchor import Anchor, AnchorError, compare, span
from console.core.audit.checkpoint import Checkpoint
from console.core.storage.database import Connection, Database, StorageUnavailable
from console.core.storage.sqlite import DEFAULT_BUSY_TIMEOUT, SqliteDatabase
from console.core.timebase.utc import WallClock, format_utc, system_now

GENESIS_HASH = "0" * 64
"""The predecessor hash of the first record."""
RETRY_FIRST = 0.05
"""Seconds the queue's worker waits before its first retry of a record that failed."""
RETRY_MOST = 1.0
"""The longest wait between retries: an audit that comes back is used within a second
(a lock held by another process is noticed sooner, by SQLite's own busy handler)."""

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
    SESSION_ENDED_UNCLEANLY = "session_ended_uncleanly"
    LIFT_VOIDED = "lift_voided"
    LIFT_ENDED = "lift_ended"
    LIFT_END_APPLIED = "lift_end_applied"
    EXPORT = "export"
    EXPORT_KEY = "export_key"
    SEARCH = "search"
    LIVE_TAKEN = "live_taken"
    USER_ADMIN = "user_admin"
    ACCOUNT_LOCKED = "account_locked"
    ACCOUNT_UNLOCKED = "account_unlocked"
    SITE_LOADED = "site_loaded"
    SITE_CHANGED = "site_changed"
    MASK_EDITOR_OPENED = "mask_editor_opened"
    MASK_EDITOR_CLOSED = "mask_editor_closed"
    MASKS_SAVED = "masks_saved"

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
    Event.SESSION_ENDED_UNCLEANLY: "session ended uncleanly",
    Event.LIFT_VOIDED: "lift voided (its session ended first)",
    Event.LIFT_ENDED: "lift ended by a supervisor",
    Event.LIFT_END_APPLIED: "masks back after a supervisor ended the lift",
    Event.EXPORT: "export",
    Event.EXPORT_KEY: "export key",
    Event.SEARCH: "smart search",
    Event.LIVE_TAKEN: "live video taken by a command",
    Event.USER_ADMIN: "user admin",
    Event.ACCOUNT_LOCKED: "account locked",
    Event.ACCOUNT_UNLOCKED: "account unlocked",
    Event.SITE_LOADED: "site file loaded",
    Event.SITE_CHANGED: "site changed",
    Event.MASK_EDITOR_OPENED: "mask editor opened",
    Event.MASK_EDITOR_CLOSED: "mask editor closed",
    Event.MASKS_SAVED: "masks saved",
}


def event_label(stored: str) -> str:
    """The label of a stored event name; an unknown name is shown as stored, not hidden."""
    try:
        return Event(stored).label
    except ValueError:
        return stored


class AuditUnavailable(Exception):
    """A record could not be written or the log could not be read; the message says why."""

    def __init__(self, message: str, written: AuditRecord | None = None) -> None:
        super().__init__(message)
        self.written = written
        """The record, when it is in the chain but its anchor did not sign it: its act is
        refused all the same, and the caller may record that it never happened."""


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
    anchored: bool = False
    """Whether an anchor was asked (False: nothing outside the database was checked)."""
    checkpoint: Checkpoint | None = None
    """The anchor's newest checkpoint, when the database matches it."""
    unanchored: tuple[int, int] | None = None
    """First and last record after that checkpoint: written while the anchor was
    unreachable or by a writer without it, so not yet protected by it."""

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
    return hashlib.sha256(_HASHED.encode(fields).encode("ascii")).hexdigest()


_HASHED = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
"""`json.dumps(fields, ensure_ascii=True, separators=(",", ":"))`, made once: dumps with
any argument builds a new encoder per call, a third of a verify's time."""


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


@dataclass(slots=True)
class _Entry:
    """A record as asked for, waiting for its place in the chain."""

    event: Event
    operator: str
    authorizer: str
    reason: str
    outcome: str
    details: str
    time: str | None
    """When it was posted; None for `append`, which stamps the time of writing."""
    must_land: bool
    """Posted: retried until written. Appended: tried once, and dropped if that fails
    (the act it records is refused then, so the record must never appear later)."""
    record: AuditRecord | None = None
    """Once written."""
    error: AuditUnavailable | None = None
    """Why an appended entry was dropped."""


@dataclass(frozen=True, slots=True)
class Backlog:
    """Posted records this process has not written yet, for the console to show."""

    count: int
    error: AuditUnavailable | None
    """Why the latest attempt to write them failed (None before any failed)."""


class AuditLog:
    """The audit trail in one database file, safe to share between threads and processes."""

    def __init__(
        self,
        path: Path | Database,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        now: WallClock = system_now,
        anchor: Anchor | None = None,
        genesis_guard: Callable[[], str] | None = None,
    ) -> None:
        self.database: Database = (
            SqliteDatabase(path, _SCHEMA, "audit log", create_on_read=False,
                           busy_timeout=busy_timeout)
            if isinstance(path, Path)
            else path
        )  # fmt: skip
        """Where the chain lives: normally ``data_dir / "audit.db"``, or the site's
        PostgreSQL database shared by every console."""
        self.path: Path | None = path if isinstance(path, Path) else None
        """The SQLite file, None on PostgreSQL."""
        self.busy_timeout = busy_timeout
        """Seconds an append waits for another process's write before it fails."""
        self.anchor = anchor
        """The signer every record is anchored with; None: the chain stands alone."""
        self.genesis_guard = genesis_guard
        """Says why no new chain may be started here ("" when one may)."""
        self.observers: list[Callable[[AuditRecord], None]] = []
        """Called with every record this object wrote, once it is committed (and, for an
        appended record, anchored), by the thread that wrote it."""
        self._now = now
        self._lock = threading.Lock()
        """Held while writing: one writer at a time in this process, in queue order."""
        self._queued: deque[_Entry] = deque()
        self._queue_lock = threading.Lock()
        """Guards the queue, its entries, `_error` and `_worker`; never held while
        writing, so posting never waits on a disk."""
        self._error: AuditUnavailable | None = None
        self._worker: threading.Thread | None = None

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
        """Write one record now, after every record asked for before it, and return it;
        or raise `AuditUnavailable`.

        Without an anchor, nothing is written when it raises. With one, a record the
        anchor could not sign stays in the database (it is committed first, so that an
        anchored sequence number always exists in the database) and `AuditUnavailable`
        says so: the caller refuses the act as if nothing had been written, and `verify`
        lists the record as not anchored.
        """
        entry = _Entry(
            event,
            operator,
            authorizer,
            reason,
            outcome,
            canonical_details(details or {}),
            time=None,
            must_land=False,
        )
        with self._queue_lock:
            self._queued.append(entry)
        failure: AuditUnavailable | None = None
        try:
            with self._lock:
                self._drain()
        except AuditUnavailable as error:
            failure = error
        with self._queue_lock:
            if entry.record is None and entry.error is None:  # stuck behind a posted one
                self._queued.remove(entry)
                entry.error = failure
        if entry.record is not None:
            return entry.record
        raise entry.error or AuditUnavailable(f"{self.where} is unavailable")

    def post(
        self,
        event: Event,
        *,
        operator: str = "",
        authorizer: str = "",
        reason: str = "",
        outcome: str = "ok",
        details: Mapping[str, object] | None = None,
    ) -> None:
        """Queue a record and return at once; a worker thread writes it, retrying until
        it lands. For acts that have already happened and must not wait (masks back)."""
        entry = _Entry(
            event,
            operator,
            authorizer,
            reason,
            outcome,
            canonical_details(details or {}),
            time=format_utc(self._now()),
            must_land=True,
        )
        with self._queue_lock:
            self._queued.append(entry)
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._write_queued, name="audit writer", daemon=True
                )
                self._worker.start()

    def flush(self) -> None:
        """Write every queued record now, waiting as long as `append` would; raises
        `AuditUnavailable` when they cannot all be written (they stay queued)."""
        with self._queue_lock:
            if not self._queued:
                return
        with self._lock:
            self._drain()

    def backlog(self) -> Backlog:
        with self._queue_lock:
            count = sum(entry.must_land for entry in self._queued)
            return Backlog(count, self._error if count else None)

    def _write_queued(self) -> None:
        """The worker: write the queue, retrying after failures; ends when it is empty."""
        delay = RETRY_FIRST
        while True:
            try:
                with self._lock:
                    self._drain()
            except Exception:  # noqa: BLE001 (whatever failed, the record must still land)
                time.sleep(delay)
                delay = min(2 * delay, RETRY_MOST)
            with self._queue_lock:
                if not self._queued:
                    self._worker = None
                    return

    def _drain(self) -> None:
        """Write the queue in order; the caller holds `_lock`. Stops at the first
        failure: a posted record stays at the head, an appended one is dropped."""
        while True:
            with self._queue_lock:
                if not self._queued:
                    self._error = None
                    return
                entry = self._queued[0]
            try:
                record, unanchored = self._write(entry)
            except Exception as error:
                failure = (
                    error
                    if isinstance(error, AuditUnavailable)
                    else AuditUnavailable(f"{self.where} failed: {error!r}")
                )
                with self._queue_lock:
                    if entry.must_land:
                        self._error = failure
                    else:
                        self._queued.popleft()
                        entry.error = failure
                raise failure from error
            # A posted record has landed even unanchored: its act happened, and the next
            # anchored record covers it. An appended one's act is refused.
            refused = unanchored if not entry.must_land else None
            with self._queue_lock:
                self._queued.popleft()
                if refused is None:
                    entry.record = record
                else:
                    entry.error = refused
            if refused is not None:
                raise refused
            for observer in self.observers:
                observer(record)

    def _write(self, entry: _Entry) -> tuple[AuditRecord, AuditUnavailable | None]:
        """Put one record at the end of the chain and anchor it; the caller holds
        `_lock`. Returns the record and, when it was committed but not anchored, why."""
        if not self.database.present():
            self._may_start_chain()
        try:
            with self.database.write("audit") as connection:
                seq = self.database.high_water(connection, "audit") + 1
                last = connection.execute(
                    "SELECT hash FROM audit ORDER BY seq DESC LIMIT 1"
                ).fetchone()
                if last is None and seq == 1:
                    self._may_start_chain()
                prev_hash = str(last[0]) if last else GENESIS_HASH
                fields = (
                    seq,
                    entry.time or format_utc(self._now()),
                    str(entry.event),
                    entry.operator,
                    entry.authorizer,
                    entry.reason,
                    entry.outcome,
                    entry.details,
                    prev_hash,
                )
                record = AuditRecord(*fields, hash=record_hash(*fields))
                connection.execute(
                    f"INSERT INTO audit ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*fields, record.hash),
                )
        except StorageUnavailable as error:
            raise self._refused(error) from None
        _log.info(
            "audit %d: %s, operator %r, authorizer %r, outcome %r, details %s",
            record.seq,
            record.event,
            record.operator,
            record.authorizer,
            record.outcome,
            record.details,
        )
        try:
            self._anchor(record)
        except AuditUnavailable as error:
            return record, error
        return record, None

    def _may_start_chain(self) -> None:
        """Raise `AuditUnavailable` unless a new chain may begin here.

        A missing or empty audit where the anchor has signed records, or where the site
        already has users, is a deleted or replaced audit, not a new site: starting
        over would quietly bury what was there.
        """
        refusal = f"refusing to start a new audit chain in {self.where}"
        if self.anchor is not None:
            try:
                head = self.anchor.head()
            except AnchorError as error:
                raise AuditUnavailable(f"{refusal}: {error}") from None
            if head is not None:
                raise AuditUnavailable(
                    f"{refusal}: the anchor has signed records up to {head.seq} (the last at "
                    f"{head.time}), so the audit was deleted or replaced; restore it from a "
                    "backup"
                )
        why = self.genesis_guard() if self.genesis_guard else ""
        if why:
            raise AuditUnavailable(f"{refusal}: {why}")

    def _anchor(self, record: AuditRecord) -> None:
        """Have the committed `record` signed; raise `AuditUnavailable` if it is not covered."""
        if self.anchor is None:
            return
        unanchored = f"record {record.seq} was written but not anchored"
        try:
            checkpoint = self.anchor.extend(record.seq, record.hash, record.prev_hash)
        except AnchorError as error:
            raise AuditUnavailable(f"{unanchored}: {error}", record) from None
        if checkpoint.seq == record.seq:
            return
        # Another process's later record was anchored first; it covers this one only if
        # it is in this database's chain.
        with self._reading() as connection:
            row = connection.execute(
                "SELECT hash FROM audit WHERE seq = ?", (checkpoint.seq,)
            ).fetchone()
        if row is None or str(row[0]) != checkpoint.hash:
            raise AuditUnavailable(
                f"{unanchored}: the anchor has signed record {checkpoint.seq}, which this "
                "database does not hold (it was truncated or replaced)",
                record,
            )

    def records(self, since: datetime | None = None) -> list[AuditRecord]:
        """All records in chain order, optionally only those at or after `since`.

        Records this process posted are written first when they can be, so a reader
        sees what this console has done (a queued record it cannot write yet is not
        in the result, and does not stop the read).
        """
        with suppress(AuditUnavailable):
            self.flush()
        with self._reading() as connection:
            if since is None:
                rows = connection.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY seq")
            else:
                rows = connection.execute(
                    f"SELECT {_COLUMNS} FROM audit WHERE time >= ? ORDER BY seq",
                    (format_utc(since),),
                )
            return [_record(row) for row in rows]

    def records_after(self, seq: int) -> list[AuditRecord]:
        """The records after `seq`, in chain order: for a console following what other
        processes write (`console.core.access.lift_watch`), a read of the tail only.

        Unlike `records` it writes nothing first: a reader polling twice a second must
        never wait on a disk this process cannot write. Raises `AuditUnavailable`.
        """
        with self._reading() as connection:
            rows = connection.execute(
                f"SELECT {_COLUMNS} FROM audit WHERE seq > ? ORDER BY seq", (seq,)
            )
            return [_record(row) for row in rows]

    def wait_for_append(self, timeout: float) -> None:
        """Return once another process may have appended, or after `timeout` seconds
        (PostgreSQL notifies its listeners of each commit; a file cannot)."""
        self.database.wait_for_write("audit", timeout)

    def verify(self) -> Verification:
        """Walk the chain, then hold it against the anchor; report the first problem.

        Records this process posted are written first, as `records` does. Raises
        `AuditUnavailable` when the database or the anchor cannot be read.
        """
        with suppress(AuditUnavailable):
            self.flush()
        # The anchor's log first: every checkpoint in it is then of a record already
        # committed, while records appended meanwhile only show as not yet anchored.
        checkpoints = self._checkpoints(self.anchor) if self.anchor is not None else []
        if self.anchor is not None and not self.database.present():
            return self._verify_missing(self.anchor, checkpoints)
        with self._reading() as connection:
            # One snapshot for both: a record committed between two reads would otherwise
            # look like one deleted from the end.
            rows = connection.execute(f"SELECT {_COLUMNS} FROM audit ORDER BY seq").fetchall()
            high_water = self.database.high_water(connection, "audit")
        # The rows as text, not `AuditRecord`s: building 100,000 frozen records took
        # longer than hashing them.
        chain_rows = [_as_text(row) for row in rows]
        chain = _verify(chain_rows, high_water)
        if self.anchor is None:
            return chain
        found = compare({int(r[0]): r[9] for r in chain_rows}, checkpoints, self.anchor.key)
        if chain.ok and found.problem:
            return Verification(len(rows), found.first_bad, found.problem, anchored=True)
        return replace(
            chain, anchored=True, checkpoint=found.checkpoint, unanchored=found.unanchored
        )

    def _verify_missing(self, anchor: Anchor, checkpoints: list[Checkpoint]) -> Verification:
        if not checkpoints:
            raise AuditUnavailable(f"no audit log at {self.path or self.where}")
        found = compare({}, checkpoints, anchor.key)
        problem = found.problem
        if found.truncated:
            last = checkpoints[-1]
            problem = (
                f"the audit database {self.path or self.where} is missing: the anchor signed "
                f"records 1.."
                f"{last.seq} (the last at {last.time}), and all of them are gone (deleted?)"
            )
        return Verification(0, 1, problem, anchored=True)

    def _checkpoints(self, anchor: Anchor) -> list[Checkpoint]:
        try:
            return anchor.checkpoints()
        except AnchorError as error:
            raise AuditUnavailable(f"cannot check the audit against its anchor: {error}") from None

    @property
    def where(self) -> str:
        """The audit's file or server, for messages."""
        return self.database.where

    def _refused(self, error: BaseException) -> AuditUnavailable:
        """Why a record cannot be written, logged: the action it would record is refused."""
        unavailable = AuditUnavailable(str(error))
        _log.error("audit record not written: %s", unavailable)
        return unavailable

    @contextmanager
    def _reading(self) -> Iterator[Connection]:
        try:
            with self.database.read() as connection:
                yield connection
        except StorageUnavailable as error:
            raise AuditUnavailable(str(error)) from None


def _record(row: tuple[object, ...]) -> AuditRecord:
    seq, *text = row
    return AuditRecord(int(str(seq)), *(str(value) for value in text))


def _as_text(row: tuple[object, ...]) -> tuple[str, ...]:
    """A stored row's columns as the text `record_hash` covers (what `_record` reads)."""
    return tuple(map(str, row))


def _verify(rows: list[tuple[str, ...]], high_water: int) -> Verification:
    """Walk `rows` (`_COLUMNS` order, as text) from the genesis hash."""
    previous_hash = GENESIS_HASH
    expected_seq = 1
    for row in rows:
        seq = int(row[0])
        problem = ""
        if seq != expected_seq:
            problem = f"{span(expected_seq, seq - 1)} missing before it (deleted?)"
        elif row[8] != previous_hash:
            problem = (
                "does not link to the record before it "
                "(a record was inserted, removed or reordered, or one of the two was edited)"
            )
        elif row[9] != record_hash(seq, *row[1:9]):
            problem = "contents do not match its hash (edited?)"
        if problem:
            return Verification(len(rows), seq, f"record {seq}: {problem}")
        previous_hash = row[9]
        expected_seq = seq + 1
    if high_water >= expected_seq:
        return Verification(
            len(rows),
            expected_seq,
            f"{span(expected_seq, high_water)} missing from the end (deleted?)",
        )
    return Verification(len(rows), None, "")

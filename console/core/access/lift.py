"""The lift: liftable masks off for a bounded time, recorded before it starts.

`LiftController` is the `LiftGate` every `CameraMasker` asks on every frame. Its rules:

- A lift starts only after its "lift started" record is in the audit; if the record
  cannot be written, `AuditUnavailable` propagates and nothing is lifted.
- A lift belongs to a session epoch. Logout, login, quitting, a fatal signal and
  applying masks (the panic key) each end the epoch, and a lift whose request began in
  an earlier epoch is void: `lift` raises `LiftVoided` and nothing is lifted. Writing
  "lift started" can wait seconds on another console's write; when the epoch ended
  meanwhile, the record is already in the chain, so a "lift voided" record follows it.
  The check and the lift's start happen under one lock, so an epoch's end either
  voids the lift or ends it: never neither.
- The deadline is on the monotonic clock and checked on every `lifted()` call, so masks
  return on time whether or not any UI timer runs; the first call past the deadline
  ends the lift and records "lift expired", once.
- Every ending (expiry, apply, end of session, void) puts masks back at once and posts
  its record to the audit's queue (`AuditLog.post`): the UI thread, the panic key and
  the feed threads asking per frame never wait on a disk. Every end record names its
  lift's "lift started" ``seq``, so a lift whose end never landed (the process died
  first) shows in the trail as a start with no end.
- A lift ended elsewhere (a supervisor's `veil lifts end`, or their console) is
  ended here by `end_remotely`, which the console's `LiftWatch` calls when the audit
  shows a record ending this console's lift; it ends only that lift, under the same
  lock, so an apply, a logout or a newer lift meanwhile is never undone or cut short.
- Lift state lives only in this object: a new process always starts masked.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass
from enum import StrEnum

from console.core.audit.trail import AuditLog, AuditRecord, AuditUnavailable, Event
from console.core.timebase.clock import Clock, monotonic

APPLIED = "masks applied"
"""The cause of an epoch ended by applying masks (the panic key)."""
CAUSES_KEPT = 64
"""Ended epochs whose cause is remembered, for the record of a lift they void."""


@dataclass(frozen=True, slots=True)
class ActiveLift:
    """One lift in force."""

    operator: str
    """The console user whose session sees beneath the masks."""
    authorizer: str
    """Who allowed it: a supervisor, or the operator when their own role may lift."""
    reason: str
    started_seq: int
    """Sequence number of its "lift started" audit record."""
    deadline: float
    """Clock reading at which liftable masks return."""


class LiftEnd(StrEnum):
    """Why the last lift ended, so the UI can say so."""

    EXPIRED = "expired"
    APPLIED = "applied"
    SESSION_ENDED = "session ended"
    REMOTE = "ended remotely"
    """By a record another process wrote (a supervisor ended it); see `ended_by`."""


class LiftVoided(Exception):
    """The epoch the lift was asked in has ended; nothing is lifted."""

    def __init__(self, cause: str, started_seq: int | None) -> None:
        super().__init__(f"the lift was voided: {cause} while it was being asked for")
        self.cause = cause
        """What ended the epoch: "logout", "login", "masks applied", a signal..."""
        self.started_seq = started_seq
        """Its "lift started" record, when that was written before the void; None else."""


class LiftController:
    """The lift state of one console process; thread-safe, since every feed thread asks."""

    def __init__(self, audit: AuditLog, clock: Clock = monotonic, host: str | None = None) -> None:
        self.audit = audit
        self.clock = clock
        """Monotonic time for deadlines; a `FakeClock` in tests."""
        self.host = socket.gethostname() if host is None else host
        """This console's machine, in every "lift started" record: the site's list of
        active lifts says where each one is."""
        self.last_end: LiftEnd | None = None
        """How the most recent lift ended; None before any lift ended."""
        self.ended_by = ""
        """Who ended the most recent lift when `last_end` is REMOTE."""
        self._active: ActiveLift | None = None
        self._epoch = 0
        self._causes: dict[int, str] = {}
        """What ended each recent epoch."""
        self._lock = threading.Lock()

    @property
    def epoch(self) -> int:
        """The current session epoch: read when a lift is asked for, passed to `lift`."""
        return self._epoch

    def lifted(self) -> bool:
        """Asked per frame: True while a lift is in force."""
        return self.current() is not None

    def current(self) -> ActiveLift | None:
        """The lift in force, after ending it if its deadline has passed."""
        with self._lock:
            active = self._active
            if active is None or self.clock() < active.deadline:
                return active
            self._end(LiftEnd.EXPIRED)
        self._record(Event.LIFT_EXPIRED, active, active.operator)
        return None

    def remaining(self) -> float:
        """Seconds until masks return; 0.0 when nothing is lifted."""
        active = self.current()
        return max(0.0, active.deadline - self.clock()) if active else 0.0

    def lift(
        self, operator: str, authorizer: str, reason: str, duration: float, epoch: int
    ) -> ActiveLift:
        """Record "lift started", then lift for `duration` seconds, unless the session
        epoch `epoch` (read when the lift was asked for) has ended by then.

        A lift while one is in force replaces it (an extension needs the same fresh
        authorization as a new lift). Raises `AuditUnavailable`, lifting nothing, when
        the record cannot be written, and `LiftVoided` when the epoch has ended.
        """
        if duration <= 0:
            raise ValueError(f"a lift needs a positive duration, got {duration}")
        self.check(epoch)
        previous = self.current()
        details: dict[str, object] = {"duration_s": round(duration, 3), "host": self.host}
        if previous is not None:
            details["replaces"] = previous.started_seq
        try:
            record = self.audit.append(
                Event.LIFT_STARTED,
                operator=operator,
                authorizer=authorizer,
                reason=reason,
                details=details,
            )
        except AuditUnavailable as error:
            if error.written is not None:
                # In the chain, but the anchor never signed it: the lift did not begin,
                # and the trail must not show it as open forever.
                self.audit.post(
                    Event.LIFT_VOIDED,
                    operator=operator,
                    authorizer=authorizer,
                    reason=reason,
                    details={"lift": error.written.seq, "cause": "not anchored"},
                )
            raise
        active = ActiveLift(operator, authorizer, reason, record.seq, self.clock() + duration)
        with self._lock:
            voided = self._voided_by(epoch)
            if voided is None:
                self._active = active
                return active
        self._record(Event.LIFT_VOIDED, active, operator, cause=voided)
        raise LiftVoided(voided, record.seq)

    def apply(self, operator: str) -> bool:
        """Put liftable masks back now and end the epoch (voiding any lift still being
        asked for); False when nothing was lifted. Never waits on the audit."""
        with self._lock:
            active = self._end(LiftEnd.APPLIED)
            self._next_epoch(APPLIED)
        if active is None:
            return False
        self._record(Event.LIFT_APPLIED, active, operator)
        return True

    def end_session(self, cause: str) -> bool:
        """For login, logout, quit and fatal signals: masks back, the epoch ended, and
        the audit told (queued, never waited on).

        `cause` ("logout", "SIGHUP", ...) goes into the record's details and into the
        record of any lift it voids. Returns False when nothing was lifted (nothing is
        recorded then).
        """
        with self._lock:
            active = self._end(LiftEnd.SESSION_ENDED)
            self._next_epoch(cause)
        if active is None:
            return False
        self._record(Event.SESSION_ENDED_WHILE_LIFTED, active, active.operator, cause=cause)
        return True

    def end_remotely(self, started_seq: int, ending: AuditRecord) -> bool:
        """End the lift of record `started_seq` because `ending` (written elsewhere)
        ends it: masks back at once, and the console's confirmation queued. False, and
        nothing done, when that lift is no longer the one in force (applied, expired,
        replaced or ended by this console meanwhile). The epoch goes on: only the lift
        ends, and another needs a fresh authorization as always."""
        with self._lock:
            active = self._active
            if active is None or active.started_seq != started_seq:
                return False
            self._end(LiftEnd.REMOTE)
            self.ended_by = ending.operator
        self._record(
            Event.LIFT_END_APPLIED, active, active.operator, order=ending.seq, by=ending.operator
        )
        return True

    def check(self, epoch: int) -> None:
        """Raise `LiftVoided` when `epoch` has ended: a request asks before each step."""
        with self._lock:
            voided = self._voided_by(epoch)
        if voided is not None:
            raise LiftVoided(voided, None)

    def _voided_by(self, epoch: int) -> str | None:
        """What ended `epoch`, or None while it is current; the caller holds the lock."""
        if epoch == self._epoch:
            return None
        return self._causes.get(epoch, "the session ended")

    def _next_epoch(self, cause: str) -> None:
        """The caller holds the lock."""
        self._causes[self._epoch] = cause
        self._causes.pop(self._epoch - CAUSES_KEPT, None)
        self._epoch += 1

    def _end(self, how: LiftEnd) -> ActiveLift | None:
        """Clear the lift; the caller holds the lock."""
        active, self._active = self._active, None
        if active is not None:
            self.last_end = how
        return active

    def _record(self, event: Event, active: ActiveLift, operator: str, **details: object) -> None:
        self.audit.post(
            event,
            operator=operator,
            authorizer=active.authorizer,
            reason=active.reason,
            details={"lift": active.started_seq, **details},
        )

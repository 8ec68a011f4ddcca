"""The lift: liftable masks off for a bounded time, recorded before it starts.

`LiftController` is the `LiftGate` every `CameraMasker` asks on every frame. Its rules:

- A lift starts only after its "lift started" record is in the audit; if the record
  cannot be written, `AuditUnavailable` propagates and nothing is lifted.
- The deadline is on the monotonic clock and checked on every `lifted()` call, so masks
  return on time whether or not any UI timer runs; the first call past the deadline
  ends the lift and records "lift expired", once.
- Every ending (expiry, apply, end of session) puts masks back first and records after,
  so a failing audit can delay a record but never keep video unmasked.
- Lift state lives only in this object: a new process always starts masked.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from enum import StrEnum

from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.timebase.clock import Clock, monotonic


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


class LiftController:
    """The lift state of one console process; thread-safe, since every feed thread asks."""

    def __init__(self, audit: AuditLog, clock: Clock = monotonic) -> None:
        self.audit = audit
        self.clock = clock
        """Monotonic time for deadlines; a `FakeClock` in tests."""
        self.last_end: LiftEnd | None = None
        """How the most recent lift ended; None before any lift ended."""
        self.unrecorded: AuditUnavailable | None = None
        """The error that kept an expiry record out of the audit, for the UI to show."""
        self._active: ActiveLift | None = None
        self._lock = threading.Lock()

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
        try:
            self._record(Event.LIFT_EXPIRED, active, active.operator)
        except AuditUnavailable as error:
            self.unrecorded = error
        return None

    def remaining(self) -> float:
        """Seconds until masks return; 0.0 when nothing is lifted."""
        active = self.current()
        return max(0.0, active.deadline - self.clock()) if active else 0.0

    def lift(self, operator: str, authorizer: str, reason: str, duration: float) -> ActiveLift:
        """Record "lift started", then lift for `duration` seconds.

        A lift while one is in force replaces it (an extension needs the same fresh
        authorization as a new lift). Raises `AuditUnavailable`, lifting nothing, when
        the record cannot be written.
        """
        if duration <= 0:
            raise ValueError(f"a lift needs a positive duration, got {duration}")
        previous = self.current()
        details: dict[str, object] = {"duration_s": round(duration, 3)}
        if previous is not None:
            details["replaces"] = previous.started_seq
        record = self.audit.append(
            Event.LIFT_STARTED,
            operator=operator,
            authorizer=authorizer,
            reason=reason,
            details=details,
        )
        active = ActiveLift(operator, authorizer, reason, record.seq, self.clock() + duration)
        with self._lock:
            self._active = active
        return active

    def apply(self, operator: str) -> bool:
        """Put liftable masks back now; False when nothing was lifted.

        Masks are back before the record is written; `AuditUnavailable` then still
        propagates so the caller can say the record is missing.
        """
        with self._lock:
            active = self._end(LiftEnd.APPLIED)
        if active is None:
            return False
        self._record(Event.LIFT_APPLIED, active, operator)
        return True

    def end_session(self, cause: str) -> bool:
        """For logout, quit and fatal signals: masks back, and the audit says it happened.

        `cause` ("logout", "SIGHUP", ...) goes into the record's details. Returns False
        when nothing was lifted (nothing is recorded then).
        """
        with self._lock:
            active = self._end(LiftEnd.SESSION_ENDED)
        if active is None:
            return False
        self._record(Event.SESSION_ENDED_WHILE_LIFTED, active, active.operator, cause=cause)
        return True

    def _end(self, how: LiftEnd) -> ActiveLift | None:
        """Clear the lift; the caller holds the lock."""
        active, self._active = self._active, None
        if active is not None:
            self.last_end = how
        return active

    def _record(self, event: Event, active: ActiveLift, operator: str, **details: object) -> None:
        self.audit.append(
            event,
            operator=operator,
            authorizer=active.authorizer,
            reason=active.reason,
            details={"lift": active.started_seq, **details},
        )

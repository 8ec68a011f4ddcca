"""Lifts the audit shows as started and never ended: in force now, or cut off by a kill.

A console ends every lift it can (expiry, apply, logout, SIGHUP) with a record that
names the lift's "lift started" record in its details as ``"lift": SEQ``, and a lift
that replaces another names it as ``"replaces": SEQ``. SIGKILL and power loss end a
lift with no record at all; reading the trail this way is how `veil audit verify`,
`veil audit show` and the next console start find those. The rule is the convention
every lift record follows: whatever record names a lift ends it (voided, expired,
applied, session ended, ended by a supervisor...), so a new kind of ending needs no
change here.

The same reading is the site's list of active lifts (`veil lifts`, the console's
"Active lifts" screen): every console of a site writes to one audit, so the lifts it
shows as open are the lifts in force across the site, with no second store to drift
from it. A "lift started" record says where and for how long: ``duration_s`` and,
since consoles record it, ``host`` (the console's machine); older records without a
host still read, with the host unknown.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.core.audit.trail import AuditRecord, Event
from console.core.timebase.utc import format_utc, parse_utc


def ended_lifts(record: AuditRecord) -> list[int]:
    """The "lift started" records that `record` ends."""
    try:
        details = json.loads(record.details)
    except ValueError:
        return []
    if not isinstance(details, dict):
        return []
    key = "replaces" if record.event == Event.LIFT_STARTED else "lift"
    named = details.get(key)
    return [named] if isinstance(named, int) and not isinstance(named, bool) else []


@dataclass(frozen=True, slots=True)
class OpenLift:
    """A "lift started" record nothing has ended."""

    started: AuditRecord
    duration: float | None
    """Seconds the lift was granted, from its record (None if unreadable)."""

    @property
    def host(self) -> str:
        """The machine of the console that lifted ("" when its record does not say)."""
        value = _detail(self.started, "host")
        return value if isinstance(value, str) else ""

    def remaining(self, now: datetime) -> float | None:
        """Seconds of the lift left at `now` (0.0 once run out; None when unknown)."""
        deadline = self.deadline
        if deadline is None:
            return None
        return max(0.0, (deadline - now).total_seconds())

    @property
    def deadline(self) -> datetime | None:
        if self.duration is None:
            return None
        try:
            return parse_utc(self.started.time) + timedelta(seconds=self.duration)
        except ValueError:
            return None

    def describe(self, now: datetime) -> str:
        """One line for an auditor."""
        record = self.started
        who = f"{record.operator} (authorized by {record.authorizer})"
        deadline = self.deadline
        if deadline is not None and deadline <= now:
            state = (
                f"its time ran out at {format_utc(deadline)} with no record of the end: the "
                "console was killed or lost power while lifted"
            )
        else:
            state = "still in force, or its console was killed or lost power"
        return f"open lift: record {record.seq}, {who}, started {record.time}; {state}"


def open_lifts(records: Iterable[AuditRecord]) -> list[OpenLift]:
    """Every lift started in `records` that no later record ends, oldest first."""
    started: dict[int, AuditRecord] = {}
    for record in records:
        for ended in ended_lifts(record):
            started.pop(ended, None)
        if record.event == Event.LIFT_STARTED:
            started[record.seq] = record
    return [OpenLift(record, _duration(record)) for record in started.values()]


def _detail(record: AuditRecord, key: str) -> object:
    """One fact from the record's details; None when absent or unreadable."""
    try:
        details = json.loads(record.details)
    except ValueError:
        return None
    return details.get(key) if isinstance(details, dict) else None


def _duration(record: AuditRecord) -> float | None:
    value = _detail(record, "duration_s")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None

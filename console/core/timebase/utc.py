"""Wall-clock timestamps for records people read: the audit and the user table.

Expiry never uses these (see `console.core.timebase.clock`); they exist so an auditor can line a
record up with a recording or a door log. One text form is used everywhere, UTC with a
trailing ``Z`` and fixed microsecond precision, so stored timestamps sort as text and a
``--since`` filter can be a plain string comparison in SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

WallClock = Callable[[], datetime]
"""Returns an aware datetime; injectable so tests and snapshots get fixed times."""


def system_now() -> datetime:
    """The production wall clock."""
    return datetime.now(UTC)


def format_utc(moment: datetime) -> str:
    """``2024-05-01T12:00:00.000000Z``; naive datetimes are refused, not guessed."""
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a time zone")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_utc(text: str) -> datetime:
    """Read an ISO 8601 date or date-time as given on a command line.

    A value without an offset is taken as UTC, because the audit is kept in UTC and an
    auditor comparing against it should not depend on the shell's local time zone.
    """
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date or time (expected e.g. 2024-05-01 or "
            "2024-05-01T12:30:00Z)"
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

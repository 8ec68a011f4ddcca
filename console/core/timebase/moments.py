"""Recording times as an operator reads and types them: "jump to", an export's from and to.

Recordings are named and shown in UTC, so typed times are UTC too unless they carry an
offset (the same rule as `veil export --from`). Inside one day of footage an operator
thinks in clock times, so a bare `10:00:30` means that time on the day being viewed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

from console.core.timebase.utc import parse_utc

_CLOCK_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2}(\.\d{1,6})?)?")


def parse_moment(text: str, day_of: float) -> float:
    """POSIX seconds for `text`: ISO 8601, or a clock time on the UTC day of `day_of`.

    Raises ValueError saying what was expected.
    """
    text = text.strip()
    if _CLOCK_TIME.fullmatch(text):
        hour, rest = text.split(":", 1)
        seconds = "" if ":" in rest else ":00"
        try:
            clock = time.fromisoformat(f"{int(hour):02d}:{rest}{seconds}")
        except ValueError:
            raise ValueError(f"{text!r} is not a time of day (expected e.g. 10:00:30)") from None
        day = datetime.fromtimestamp(day_of, UTC).date()
        return datetime.combine(day, clock, UTC).timestamp()
    try:
        return parse_utc(text).timestamp()
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time (expected e.g. 10:00:30, or 2026-11-27T10:00:30Z)"
        ) from None


def format_time(seconds: float) -> str:
    """`2026-11-27T10:00:00.040Z`: UTC with milliseconds, as the manifest and UI show it."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"

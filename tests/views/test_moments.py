"""Typed times: clock times on the day being viewed, or full ISO 8601 in UTC."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from console.core.timebase.moments import parse_moment

DAY = datetime(2026, 11, 27, 23, 59, 0, tzinfo=UTC).timestamp()


def utc(hour: int, minute: int, second: float = 0.0, day: int = 27) -> float:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC).timestamp() + second


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10:00:30", utc(10, 0, 30)),
        ("9:05", utc(9, 5)),
        (" 10:00:30.5 ", utc(10, 0, 30.5)),
        ("2026-11-28T01:02:03Z", utc(1, 2, 3, day=28)),
        ("2026-11-28T01:02:03", utc(1, 2, 3, day=28)),
        ("2026-11-28T03:02:03+02:00", utc(1, 2, 3, day=28)),
    ],
)
def test_accepted_forms(text: str, expected: float) -> None:
    assert parse_moment(text, DAY) == expected


@pytest.mark.parametrize("text", ["25:00", "10:61", "yesterday", "", "10:00:00:00"])
def test_refused_with_an_example(text: str) -> None:
    with pytest.raises(ValueError, match="expected e.g. 10:00:30"):
        parse_moment(text, DAY)

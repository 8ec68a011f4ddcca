"""Time sources for everything that expires.

Lift expiry, reconnect back-off, carousels and lockouts all read a `Clock` rather than
`time.monotonic` directly, so tests can move time forward without sleeping and the
wall clock (which NTP or an administrator can step) never decides when masks return.
"""

from __future__ import annotations

import time
from collections.abc import Callable

Clock = Callable[[], float]
"""Seconds on a monotonic scale; only differences between two readings mean anything."""

monotonic: Clock = time.monotonic
"""The production clock."""


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now
        """The current reading."""

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward; time never goes backwards on a monotonic clock."""
        if seconds < 0:
            raise ValueError("a monotonic clock cannot go backwards")
        self.now += seconds

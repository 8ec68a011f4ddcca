"""Rate limiting of supervisor-password attempts, per operator.

The authorization modal is a password oracle for every supervisor account, so an
operator who keeps guessing is locked out of it for a while after a few failures
within a window. The state is in memory on purpose: a lockout protects this console
session, and restarting the console costs a login that is itself audited.
"""

from __future__ import annotations

import threading
from collections import deque

from console.core.timebase.clock import Clock, monotonic


class AttemptLimiter:
    """Counts failures per key inside a sliding window and locks the key when they pile up."""

    def __init__(
        self, max_failures: int, window: float, lockout: float, clock: Clock = monotonic
    ) -> None:
        self.max_failures = max_failures
        """Failures within `window` seconds that trigger a lock."""
        self.window = window
        self.lockout = lockout
        """Seconds a lock lasts."""
        self._clock = clock
        self._failures: dict[str, deque[float]] = {}
        self._locked_until: dict[str, float] = {}
        self._lock = threading.Lock()

    def locked_for(self, key: str) -> float:
        """Seconds left on `key`'s lock, 0.0 when it may try."""
        with self._lock:
            until = self._locked_until.get(key)
            if until is None:
                return 0.0
            left = until - self._clock()
            if left <= 0:
                del self._locked_until[key]
                return 0.0
            return left

    def failed(self, key: str) -> bool:
        """Count a failure; True when it is the one that locks `key`."""
        with self._lock:
            now = self._clock()
            failures = self._failures.setdefault(key, deque())
            failures.append(now)
            while failures and failures[0] <= now - self.window:
                failures.popleft()
            if len(failures) < self.max_failures:
                return False
            del self._failures[key]
            self._locked_until[key] = now + self.lockout
            return True

    def succeeded(self, key: str) -> None:
        """A success clears the count: the operator found the right supervisor."""
        with self._lock:
            self._failures.pop(key, None)

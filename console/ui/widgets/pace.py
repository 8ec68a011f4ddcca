"""How fast one tile redraws: as fast as allowed, slower while the console cannot keep up.

A wall of sixteen cameras must degrade gracefully on a slow link or a busy machine: a
tile that keeps asking for frames the terminal cannot take only grows the backlog, and
the operator's keys wait behind it. So each tile watches two symptoms of overload: its
own encode time (masking and rendering, wall clock, so a starved machine counts) against
its frame period, and how much output Textual's writer thread still has to send to the
terminal. The symptoms are smoothed over a few frames, so one pause (a garbage
collection, another program) does not halve every tile's rate. Either lowers the rate
multiplicatively; half a second without symptoms raises it by a tenth of the cap, so a
tile is back at full rate a few seconds after a burst (additive increase, multiplicative
decrease, the way TCP shares a link).

How long finished frames wait for a render thread and for the UI is smoothed too and
shown in Diagnostics, but it does not slow a tile: on a busy wall frames queue briefly
by nature, and slowing tiles for it cost frames without making any frame earlier (the
whole-app benchmark measured the same capture-to-write latency either way).
"""

from __future__ import annotations

from dataclasses import dataclass

ENCODE_SHARE = 0.5
"""Largest share of the frame period one frame's encoding may take."""
BACKLOG_LIMIT = 6
"""Writes queued for the terminal; Textual writes each frame as about three."""
DECREASE = 0.7
"""Factor applied to the rate on overload."""
COOLDOWN = 0.5
"""Seconds between two decreases: one burst must not collapse the rate."""
RECOVER_AFTER = 0.5
"""Seconds without symptoms before the rate goes up (by a tenth of the cap)."""
SMOOTHING = 0.25
"""Weight of the newest frame in the smoothed load."""


@dataclass(frozen=True, slots=True)
class Load:
    """What one presented frame tells about the console's load."""

    encode: float
    """Seconds spent masking and rendering the frame."""
    lag: float
    """Seconds the finished frame waited before the UI took it."""
    backlog: float
    """Writes still queued for the terminal when it was taken."""


class Pace:
    """The frame rate of one tile, adjusted after every presented frame."""

    def __init__(self, cap: float, floor: float = 1.0) -> None:
        if not 0 < floor <= cap:
            raise ValueError(f"frame rate bounds must satisfy 0 < floor <= cap, got {floor}, {cap}")
        self.cap = cap
        """The most frames per second this tile may show."""
        self.floor = floor
        """The fewest: even an overloaded console shows every tile moving."""
        self.fps = cap
        """The current rate."""
        self.load = Load(0.0, 0.0, 0)
        """The smoothed load, for Diagnostics."""
        self.overloaded = False
        """Whether the smoothed load shows a symptom, for Diagnostics."""
        self._last_decrease = float("-inf")
        self._calm_since: float | None = None

    @property
    def period(self) -> float:
        return 1.0 / self.fps

    def observe(self, now: float, load: Load) -> None:
        """Adjust the rate after a frame was presented at `now` (monotonic seconds)."""
        old = self.load
        self.load = smoothed = Load(
            old.encode + SMOOTHING * (load.encode - old.encode),
            old.lag + SMOOTHING * (load.lag - old.lag),
            old.backlog + SMOOTHING * (load.backlog - old.backlog),
        )
        self.overloaded = (
            smoothed.encode > ENCODE_SHARE * self.period or smoothed.backlog > BACKLOG_LIMIT
        )
        if self.overloaded:
            self._calm_since = None
            if now - self._last_decrease >= COOLDOWN:
                self.fps = max(self.floor, self.fps * DECREASE)
                self._last_decrease = now
        elif self._calm_since is None:
            self._calm_since = now
        elif now - self._calm_since >= RECOVER_AFTER:
            self.fps = min(self.cap, self.fps + max(1.0, self.cap / 10))
            self._calm_since = now

"""Play, pause and speed for playback: the caller's clock turned into a recording time.

The playhead is computed, not ticked: position = anchor + (clock - anchor clock) x speed.
A late or skipped UI timer therefore never slows playback down or lets it drift between
cameras; the screen simply asks for the frame at `position()` whenever it draws.
"""

from __future__ import annotations

from console.core.timebase.clock import Clock

SPEEDS = (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
"""The speeds an operator steps through; any value between the ends is accepted."""


class Transport:
    """A playhead over recording time (POSIX seconds) that moves while playing."""

    def __init__(self, clock: Clock, position: float = 0.0) -> None:
        self._clock = clock
        self._anchor = position
        self._anchored_at = clock()
        self.playing = False
        """Whether the playhead moves with the clock."""
        self.speed = 1.0
        """Recording seconds per clock second, SPEEDS[0]..SPEEDS[-1]."""

    def position(self) -> float:
        if not self.playing:
            return self._anchor
        return self._anchor + (self._clock() - self._anchored_at) * self.speed

    def seek(self, position: float) -> None:
        """Jump; playing continues from there."""
        self._anchor = position
        self._anchored_at = self._clock()

    def play(self) -> None:
        self._reanchor()
        self.playing = True

    def pause(self) -> None:
        self._reanchor()
        self.playing = False

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, speed: float) -> None:
        if not SPEEDS[0] <= speed <= SPEEDS[-1]:
            raise ValueError(f"speed must be from {SPEEDS[0]}x to {SPEEDS[-1]}x, got {speed}x")
        self._reanchor()
        self.speed = speed

    def faster(self) -> None:
        """The next speed up in SPEEDS (stays at the top)."""
        self.set_speed(next((s for s in SPEEDS if s > self.speed), SPEEDS[-1]))

    def slower(self) -> None:
        """The next speed down in SPEEDS (stays at the bottom)."""
        self.set_speed(next((s for s in reversed(SPEEDS) if s < self.speed), SPEEDS[0]))

    def _reanchor(self) -> None:
        self._anchor = self.position()
        self._anchored_at = self._clock()

"""A wall slot that tours cameras: `[[carousels]]` in site.toml.

Which camera is on is computed from the clock, never ticked: camera number
floor((now - started) / interval) modulo the tour. A late UI timer therefore never
stretches a camera's turn, and a test moves the tour on by advancing a `FakeClock`.
The carousel is only a chooser: the pictures are the member feeds' own masked
previews, so a camera shows exactly the masks it shows on its own tile.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping

from console.core.privacy.masking import MaskedFrame
from console.core.site.model import Carousel
from console.core.timebase.clock import Clock
from console.core.video.feed import FeedStatus, TileSource


class CarouselSource:
    """A `TileSource` showing each member camera for `interval` seconds in turn."""

    def __init__(self, carousel: Carousel, feeds: Mapping[str, TileSource], clock: Clock) -> None:
        self.carousel = carousel
        self.members = tuple((ident, feeds[ident]) for ident in carousel.cameras if ident in feeds)
        """(camera id, source) of every member the console has a feed for, in tour order."""
        if not self.members:
            raise ValueError(f"carousel {carousel.id!r} has no camera this console can show")
        self._clock = clock
        self._started = clock()

    def _turn(self) -> tuple[int, float]:
        """(turns since the start, seconds into the current turn)."""
        elapsed = max(0.0, self._clock() - self._started)
        turns = math.floor(elapsed / self.carousel.interval)
        return turns, elapsed - turns * self.carousel.interval

    @property
    def position(self) -> int:
        """Index into `members` of the camera on now."""
        return self._turn()[0] % len(self.members)

    @property
    def current_id(self) -> str:
        return self.members[self.position][0]

    @property
    def current(self) -> TileSource:
        return self.members[self.position][1]

    def remaining(self) -> float:
        """Seconds until the next camera comes on."""
        return self.carousel.interval - self._turn()[1]

    @property
    def title(self) -> str:
        """`Perimeter: Street · next 7s`: the tour, the camera on, the time to the switch."""
        seconds = math.ceil(self.remaining())
        return f"{self.carousel.name}: {self.current.title} · next {seconds}s"

    @property
    def status(self) -> FeedStatus:
        return self.current.status

    @property
    def version(self) -> Hashable:
        """Changes with the camera's picture and every second, so the countdown stays current."""
        turns, into = self._turn()
        source = self.members[turns % len(self.members)][1]
        return (turns, math.floor(into), source.version)

    def preview(self, width: int, height: int) -> MaskedFrame | None:
        return self.current.preview(width, height)

"""Tiles repaint together, a fixed number of times a second, not whenever a frame lands.

Each of Textual's screen updates re-renders every widget that overlaps the union of
the dirty regions, and on a wall of sixteen tiles that union is nearly the whole screen:
the cost of an update hardly depends on how many tiles changed. Sixteen tiles at 10 fps
presenting at random moments would cost one full update per frame, up to Textual's 60
per second. Collecting the tiles' new rows and marking them dirty together at
`PAINT_HZ` costs one update per tick instead, for at most one tick of added latency.
The ticks keep their period however late the loop takes the first frame after one.

A picture that takes unmasked pixels off the screen (masks back after an apply, a
logout or an expiry) does not wait for the tick: `paint_now`. It happens once per lift,
so it costs nothing worth batching, and a tick (plus a busy event loop's lag on its
timer) was most of the time between the panic key and masked pictures on screen.
"""

from __future__ import annotations

import time
import weakref
from typing import Protocol

from textual.app import App
from textual.timer import Timer

PAINT_HZ = 20.0
"""Repaints per second of the tiles with new rows: above any tile's frame rate. 30 was
tried on the 4x4 wall: more, smaller updates for no better capture-to-write p95."""
SOONEST = 0.001
"""The shortest wait asked of Textual's timer: with no wait at all, Textual 8.2's timer
divides by its zero interval when it fires late, and the tick never runs again."""


class Paintable(Protocol):
    def paint(self) -> None:
        """Mark the rows that changed since the last tick dirty."""


class PaintTick:
    """The tick of one app."""

    _ticks: weakref.WeakKeyDictionary[App[object], PaintTick] = weakref.WeakKeyDictionary()

    def __init__(self, app: App[object]) -> None:
        self._app = app
        self._pending: dict[Paintable, None] = {}
        self._timer: Timer | None = None
        self._last = float("-inf")
        """Monotonic time of the last tick."""

    @classmethod
    def of(cls, app: App[object]) -> PaintTick:
        tick = cls._ticks.get(app)
        if tick is None:
            tick = cls._ticks[app] = cls(app)
        return tick

    def request(self, tile: Paintable) -> None:
        """Paint `tile` at the next tick: one period after the last, not after this request.

        Timing from the request would halve the rate on a busy wall: the frames that
        arrive while a screen update is being written are only taken after it, so the
        first request of a tick comes late and its period comes on top.
        """
        self._pending[tile] = None
        if self._timer is None:
            wait = max(SOONEST, self._last + 1.0 / PAINT_HZ - time.monotonic())
            self._timer = self._app.set_timer(wait, self._paint, name="tile paint")

    def _paint(self) -> None:
        self._timer = None
        self._last = time.monotonic()
        pending, self._pending = self._pending, {}
        for tile in pending:
            tile.paint()

    def paint_now(self, tile: Paintable) -> None:
        """Paint `tile` at once instead of at the next tick."""
        self._pending.pop(tile, None)
        tile.paint()

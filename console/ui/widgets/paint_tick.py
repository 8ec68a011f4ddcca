"""Tiles repaint together, a fixed number of times a second, not whenever a frame lands.

Each of Textual's screen updates re-renders every widget that overlaps the union of
the dirty regions, and on a wall of sixteen tiles that union is nearly the whole screen:
the cost of an update hardly depends on how many tiles changed. Sixteen tiles at 10 fps
presenting at random moments would cost one full update per frame, up to Textual's 60
per second. Collecting the tiles' new rows and marking them dirty together at
`PAINT_HZ` costs one update per tick instead, for at most one tick of added latency.

A picture that takes unmasked pixels off the screen (masks back after an apply, a
logout or an expiry) does not wait for the tick: `paint_now`. It happens once per lift,
so it costs nothing worth batching, and a tick (plus a busy event loop's lag on its
timer) was most of the time between the panic key and masked pictures on screen.
"""

from __future__ import annotations

import weakref
from typing import Protocol

from textual.app import App
from textual.timer import Timer

PAINT_HZ = 20.0
"""Repaints per second of the tiles with new rows: above any tile's frame rate."""


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

    @classmethod
    def of(cls, app: App[object]) -> PaintTick:
        tick = cls._ticks.get(app)
        if tick is None:
            tick = cls._ticks[app] = cls(app)
        return tick

    def request(self, tile: Paintable) -> None:
        """Paint `tile` at the next tick (the first request of a tick starts its timer)."""
        self._pending[tile] = None
        if self._timer is None:
            self._timer = self._app.set_timer(1.0 / PAINT_HZ, self._paint, name="tile paint")

    def _paint(self) -> None:
        self._timer = None
        pending, self._pending = self._pending, {}
        for tile in pending:
            tile.paint()

    def paint_now(self, tile: Paintable) -> None:
        """Paint `tile` at once instead of at the next tick."""
        self._pending.pop(tile, None)
        tile.paint()

"""Helpers for the views, playback and export pilot tests: log in, find the wall, wait."""

from __future__ import annotations

from textual.pilot import Pilot

from console.core.video.feed import CameraFeed, TileSource
from console.core.wall.carousel import CarouselSource
from console.ui.app import VeilApp
from console.ui.screens.wall import WallScreen
from console.ui.widgets.tile_grid import Slot, TileGrid
from tests.ui.conftest import OPERATOR, log_in, settle

SIZE = (110, 34)
"""Terminal size for pilot tests: small, because every refresh composites every tile."""


async def open_wall(pilot: Pilot[None], user: tuple[str, str] = OPERATOR) -> WallScreen:
    await log_in(pilot, user)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, WallScreen), f"expected the wall, got {screen!r}"
    return screen


def slots(app: VeilApp) -> list[Slot]:
    return app.screen.query_one(TileGrid).slots


def shown(app: VeilApp) -> list[str | None]:
    """What each visible slot shows: camera id, `carousel:ID`, or None."""
    return [describe(slot.source) for slot in slots(app)]


def describe(source: TileSource | None) -> str | None:
    if source is None:
        return None
    if isinstance(source, CarouselSource):
        return f"carousel:{source.carousel.id}"
    assert isinstance(source, CameraFeed)
    return source.camera.id


def focused_slot(app: VeilApp) -> int:
    return app.screen.query_one(TileGrid).focused_index


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)

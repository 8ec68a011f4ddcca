"""The camera wall: every camera's tile in a grid."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Footer

from console.core.services import Services
from console.ui.widgets.camera_tile import CameraTile
from console.ui.widgets.header import VeilHeader


class WallScreen(Screen[None]):
    """Live masked video from every camera of the site."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        feeds = list(self.services.feeds.values())
        side = max(1, math.ceil(math.sqrt(len(feeds))))
        grid = Grid(id="wall")
        grid.styles.grid_size_columns = side
        grid.styles.grid_size_rows = max(1, math.ceil(len(feeds) / side))
        with grid:
            for feed in feeds:
                yield CameraTile(feed)
        yield Footer()

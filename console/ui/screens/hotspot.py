"""The hotspot: one camera large, in the same renderer as its tile, until Escape.

The large tile is an ordinary `CameraTile` over the same source, so it gets the same
masks and the same renderer, only with more cells (or a larger sixel): there is no
second path from a camera to the screen.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from console.core.video.feed import TileSource
from console.ui.widgets.camera_tile import CameraTile
from console.ui.widgets.footer import VeilFooter
from console.ui.widgets.header import VeilHeader


class HotspotScreen(Screen[None]):
    """A single tile filling the screen."""

    DEFAULT_CSS = """
    HotspotScreen CameraTile { width: 1fr; height: 1fr; }
    """

    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]
    """Escape returns to the grid the hotspot was opened from."""

    def __init__(self, source: TileSource) -> None:
        super().__init__()
        self.source = source
        """What the large tile shows: the slot's camera or recording."""

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        yield CameraTile(self.source)
        yield VeilFooter()

    def on_mount(self) -> None:
        self.query_one(CameraTile).focus()

"""One masked still (a search hit's thumbnail) drawn with half-blocks.

Only a `MaskedFrame` is accepted: the picture comes from the masking stage, as every
picture in the console does. Half-blocks whatever the wall's renderer, as the export
preview: a still among form widgets must stay inside its text cells.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.strip import Strip
from textual.widget import Widget

from console.core.privacy.masking import MaskedFrame
from console.core.render.halfblock import HalfBlockRenderer
from console.core.render.tile import ColorDepth, RenderedTile
from console.ui.widgets.tile_strips import segments, style_book


class StillView(Widget):
    """A masked frame, scaled into the widget in its own proportions; or a word why not."""

    DEFAULT_CSS = """
    StillView { width: 1fr; height: 1fr; min-height: 6; border: round $secondary; }
    """

    def __init__(self, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(id=id)
        self.frame: MaskedFrame | None = None
        self.message = "Select a hit to see it"
        self._renderer = HalfBlockRenderer(ColorDepth.TRUECOLOR)
        self._tile: RenderedTile | None = None

    def show(self, frame: MaskedFrame | None, message: str = "") -> None:
        self.frame = frame
        self.message = message
        self._render_tile()

    def on_resize(self) -> None:
        self._render_tile()

    def _render_tile(self) -> None:
        cols, rows = self.content_size
        frame = self.frame
        self._tile = None
        if frame is not None and cols > 0 and rows > 0:
            aspect = frame.width / frame.height
            if cols / (2 * rows) > aspect:
                cols = max(1, round(2 * rows * aspect))
            else:
                rows = max(1, min(rows, round(cols / aspect / 2)))
            self._tile = self._renderer.render(frame, cols, rows, (1, 2))
        self.refresh()

    def render_line(self, y: int) -> Strip:
        cols = self.content_size.width
        tile = self._tile
        if tile is None:
            text = self.message if y == self.content_size.height // 2 else ""
            return Strip([Segment(text.center(cols)[:cols])])
        if y >= len(tile.rows):
            return Strip.blank(cols)
        base = self.rich_style
        picture = Strip(segments(tile.rows[y], style_book(tile.depth, base)), tile.cols)
        return picture.extend_cell_length(cols, base)

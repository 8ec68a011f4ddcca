"""Extra export masks drawn on an invisible grid over a preview frame, as XProtect does.

The operator toggles grid cells with the keyboard (arrows, Space) or the mouse (click,
or drag to paint). A touched cell is masked whole. The picture under the grid is a
`MaskedFrame` the export screen asks for with the extra masks already applied by the
export's own masker, so the solid blocks seen here are drawn by the same code that
burns them into the file; this widget only adds the cursor on top.

The picture's cells are laid out as half-blocks (two pixels per cell) whatever the
wall's renderer: grid cells must line up with text cells for the cursor and the mouse.
Where the app draws sixel, the same cells show the picture as a sixel image through the
screen's `ImageOverlay`, as the wall's tiles do; the tints and the cursor are then painted
into the image's pixels (`masking.editor_view`), since text drawn over an image would be
hidden under it. The image is rebuilt at every change of what is drawn (a key, a frame),
and whenever the overlay may not draw it (a toast in front) the half-block text stands in.
Only grids that say so (`DRAWS_IMAGES`, the mask editor's canvas) do this: the export,
search and recorded-range grids stay half-block, since an image is only as current as the
last `repaint`, and they repaint their tints with a bare `refresh`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from rich.color import Color
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip

from console.core.privacy.masking import MaskedFrame, Pixels, editor_view
from console.core.privacy.masks import GridGeometry
from console.core.render.factory import make_renderer
from console.core.render.halfblock import HalfBlockRenderer
from console.core.render.tile import ColorDepth, RenderedTile, TileRenderer
from console.core.video.feed import TileSource
from console.ui.widgets.camera_tile import caps_of
from console.ui.widgets.image_overlay import ImageOverlay, ImageTile
from console.ui.widgets.tile_pump import TileImage, tile_image
from console.ui.widgets.tile_strips import Placement, segments, style_book

GRID = 16
"""Cells per side of the grid, as XProtect's default privacy-mask grid."""
Cell = tuple[int, int]
"""(column, row) on the grid, from the top left."""
Tint = tuple[Color, float]
"""A colour laid over a cell, and how far (0..1) the picture is blended towards it."""


def grid_mask(cells: frozenset[Cell]) -> GridGeometry:
    """Masked cells as the geometry an export burns in (each touched cell whole)."""
    return GridGeometry(GRID, cells)


class MaskGrid(ImageTile, can_focus=True):
    """A preview frame with a grid of toggleable cells."""

    DEFAULT_CSS = """
    MaskGrid { width: 1fr; height: 1fr; min-height: 8; border: round $secondary; }
    MaskGrid:focus { border: round $accent; }
    MaskGrid > .mask-grid--cursor { color: $warning; text-style: bold; }
    """
    COMPONENT_CLASSES = {"mask-grid--cursor"}
    BINDINGS = [
        Binding("up", "move(0, -1)", "Cell", key_display="←↑↓→", show=False),
        Binding("down", "move(0, 1)", "Cell", show=False),
        Binding("left", "move(-1, 0)", "Cell", show=False),
        Binding("right", "move(1, 0)", "Cell", show=False),
        Binding("space", "toggle_cell", "Toggle cell"),
        Binding("delete", "clear", "Clear masks"),
    ]
    """Arrows move the cursor cell, Space masks or unmasks it, Delete clears all."""

    DRAWS_IMAGES: ClassVar[bool] = False
    """Draw the picture as a sixel image where the app draws sixel (see the module docs);
    every change of what is drawn must then go through `repaint`."""

    cursor: reactive[Cell] = reactive((0, 0), repaint=False)
    """Moving it repaints only the rows it leaves and enters (`watch_cursor`)."""
    cells: reactive[frozenset[Cell]] = reactive(frozenset())
    """The masked grid cells."""

    @dataclass
    class Changed(Message):
        """The masked cells changed; the screen re-masks the preview."""

        editor: MaskGrid
        cells: frozenset[Cell]

        @property
        def control(self) -> MaskGrid:
            return self.editor

    def __init__(self) -> None:
        super().__init__()
        self.source: TileSource | None = None
        """Gives the preview frame, masked with the extra masks (see the module docs)."""
        self.aspect = 16 / 9
        """Width over height of the camera's pictures: the preview keeps it."""
        self._renderer = HalfBlockRenderer(ColorDepth.TRUECOLOR)
        self._tile: RenderedTile | None = None
        self.grid_size = GRID
        """Cells per side; the mask editor changes it."""
        self._painting: bool | None = None
        """While dragging: True paints cells masked, False clears them."""
        self._frame: MaskedFrame | None = None
        """The picture the source gave last, without the marks."""
        self._sixel: TileRenderer | None = None
        """Draws the picture as a sixel image, where the app draws sixel."""
        self._cell_px = (1, 2)
        self._overlay: ImageOverlay | None = None
        self.image: TileImage | None = None
        self.image_shown = False
        self.lifted = False

    def on_mount(self) -> None:
        caps = caps_of(self.app)
        if self.DRAWS_IMAGES and caps.render == "sixel":
            self._sixel = make_renderer("sixel", caps.colors, max_px=caps.sixel_max_px)
            self._cell_px = caps.cell_px
            self._overlay = ImageOverlay.on(self.screen)
            self._overlay.add(self)
            self.redraw()

    def on_unmount(self) -> None:
        if self._overlay is not None:
            self._overlay.remove(self)

    def show_image(self, shown: bool) -> None:
        self.image_shown = shown
        self.refresh()

    def show(self, source: TileSource | None, aspect: float = 16 / 9) -> None:
        self.source = source
        self.aspect = aspect
        self.redraw()

    @property
    def picture_size(self) -> tuple[int, int]:
        """(cols, rows) of the picture: as large as fits, in the camera's proportions.

        A half-block cell holds two square-ish pixels, so a row counts as two pixels.
        """
        cols, rows = self.content_size
        if cols <= 0 or rows <= 0:
            return (0, 0)
        if cols / (2 * rows) > self.aspect:
            return (max(1, round(2 * rows * self.aspect)), rows)
        return (cols, max(1, min(rows, round(cols / self.aspect / 2))))

    def redraw(self) -> None:
        """Ask the source for the picture again (the masks or the size changed)."""
        cols, rows = self.picture_size
        frame = None
        if self.source is not None and cols > 0:
            size = (cols, rows * 2)
            if self._sixel is not None:
                size = self._sixel.pixel_size(cols, rows, self._cell_px)
            frame = self.source.preview(*size) if min(size) > 0 else None
        self._frame = frame
        self._tile = self._renderer.render(frame, cols, rows, (1, 2)) if frame else None
        self.repaint()

    def repaint(self) -> None:
        """Repaint whole, with a new image of the marks where the picture is sixel."""
        if self._sixel is not None:
            self._draw_image()
        self.refresh()

    def _draw_image(self) -> None:
        assert self._sixel is not None
        cols, rows = self.picture_size
        frame = self._frame
        size = self._sixel.pixel_size(cols, rows, self._cell_px)
        if frame is None or min(size) <= 0:
            self.image = None
            return
        colours, weights = self.marks(size)
        drawn = self._sixel.render(editor_view(frame, colours, weights), cols, rows, self._cell_px)
        serial = self.image.serial + 1 if self.image is not None else 1
        self.image = tile_image(drawn, Placement(0, 0, cols, rows), serial, self._cell_px)
        self.lifted = frame.lifted

    def marks(self, size: tuple[int, int]) -> tuple[Pixels, npt.NDArray[np.float32]]:
        """The tints and the cursor as BGR colours and weights for an image of `size`
        (width, height) over the picture's cells: each text cell's tint over all its
        pixels, and the cursor's colour over every other 2x2 block of its cells' pixels
        (the half-block cursor is a shade glyph, `▒`, of that colour)."""
        cols, rows = self.picture_size
        cell_colour = np.zeros((rows, cols, 3), np.uint8)
        cell_weight = np.zeros((rows, cols), np.float32)
        cursor = np.zeros((rows, cols), np.bool_)
        tints: dict[Cell, Tint | None] = {}
        shown = self.shown(self.cursor)
        for y in range(rows):
            for x, cell in enumerate(self.row_cells(y, cols)):
                if cell is None:
                    continue
                if cell not in tints:
                    tints[cell] = self.tint(cell)
                tint = tints[cell]
                if tint is not None:
                    red, green, blue = tint[0].get_truecolor()
                    cell_colour[y, x] = (blue, green, red)
                    cell_weight[y, x] = tint[1]
                cursor[y, x] = cell == shown
        width, height = size
        cell_w, cell_h = self._cell_px
        column = np.minimum(np.arange(width) * cols // width, cols - 1)
        row = np.minimum(np.arange(height) * cols * cell_w // width // cell_h, rows - 1)
        colours = cell_colour[row][:, column]
        weights = cell_weight[row][:, column]
        stipple = (np.arange(height)[:, None] // 2 + np.arange(width)[None, :] // 2) % 2 == 0
        under = cursor[row][:, column] & stipple
        mark = self.get_component_rich_style("mask-grid--cursor").color
        if mark is not None:
            red, green, blue = mark.get_truecolor()
            colours[under] = (blue, green, red)
            weights[under] = 1.0
        return colours, weights

    def on_resize(self) -> None:
        self.redraw()

    def watch_cursor(self, old: Cell, new: Cell) -> None:
        """Repaint the text rows of the grid rows the cursor left and entered: a full
        repaint per arrow key made walking the cursor lag on a busy machine."""
        if self._sixel is not None:
            self.repaint()  # the cursor is in the image
            return
        cols, rows = self.picture_size
        size = self.grid_size
        changed = (self.shown(old)[1], self.shown(new)[1])
        for y in range(rows):
            if int((2 * y + 1) * size / (2 * rows)) in changed:
                self.refresh(Region(0, y, self.content_size.width, 1))

    def watch_cells(self, cells: frozenset[Cell]) -> None:
        self.post_message(self.Changed(self, cells))

    def cell_at(self, x: int, y: int) -> Cell | None:
        """The grid cell under text cell (x, y), the one holding the cell's centre; None
        outside the picture."""
        cols, rows = self.picture_size
        if not (0 <= x < cols and 0 <= y < rows):
            return None
        size = self.grid_size
        return (int((x + 0.5) * size / cols), int((2 * y + 1) * size / (2 * rows)))

    def shown(self, cell: Cell) -> Cell:
        """The grid cell drawn where `cell` lies. A grid finer than the text rows (the
        mask editor's point grid) has rows no text row is drawn from; a cursor or point
        on one is shown on the text row holding its centre, so it never disappears."""
        cols, rows = self.picture_size
        size = self.grid_size
        if cols <= 0 or rows <= 0:
            return cell
        x = min(int((cell[0] + 0.5) * cols / size), cols - 1)
        y = min(int((cell[1] + 0.5) * rows / size), rows - 1)
        return self.cell_at(x, y) or cell

    def row_cells(self, y: int, width: int) -> list[Cell | None]:
        """`cell_at` for text cells 0..width-1 of row `y`, the picture's size read once:
        a line is drawn every key press, and asking the layout per text cell made each
        repaint of the editor take a third of a second."""
        cols, rows = self.picture_size
        if not 0 <= y < rows:
            return [None] * width
        size = self.grid_size
        row = int((2 * y + 1) * size / (2 * rows))
        return [(int((x + 0.5) * size / cols), row) if x < cols else None for x in range(width)]

    def action_move(self, dx: int, dy: int) -> None:
        column, row = self.cursor
        last = self.grid_size - 1
        self.cursor = (min(max(column + dx, 0), last), min(max(row + dy, 0), last))

    def action_toggle_cell(self) -> None:
        self.cells = self.cells ^ {self.cursor}

    def action_clear(self) -> None:
        self.cells = frozenset()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = event.get_content_offset(self)
        cell = None if offset is None else self.cell_at(offset.x, offset.y)
        if cell is None:
            return
        self.focus()
        self._painting = cell not in self.cells
        self.capture_mouse()
        self._paint(cell)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        offset = event.get_content_offset(self)
        cell = None if offset is None else self.cell_at(offset.x, offset.y)
        if self._painting is not None and cell is not None:
            self._paint(cell)

    def on_mouse_up(self) -> None:
        self._painting = None
        self.release_mouse()

    def _paint(self, cell: Cell) -> None:
        self.cursor = cell
        if self._painting and cell not in self.cells:
            self.cells = self.cells | {cell}
        elif self._painting is False and cell in self.cells:
            self.cells = self.cells - {cell}

    def render_line(self, y: int) -> Strip:
        cols = self.content_size.width
        tile = self._tile
        if tile is None:
            text = "No picture at this time" if y == self.content_size.height // 2 else ""
            return Strip([Segment(text.center(cols)[:cols])])
        if y >= len(tile.rows):
            return Strip.blank(cols)
        if self.image_shown:
            return Strip.blank(cols, self.rich_style)  # the image is drawn over these cells
        base = self.rich_style
        picture = Strip(segments(tile.rows[y], style_book(tile.depth, base)), tile.cols)
        cells = self.row_cells(y, tile.cols)
        picture = self._tinted(picture, cells)
        shown = self.shown(self.cursor)
        under = [x for x, cell in enumerate(cells) if cell == shown]
        if under:
            start, end = under[0], under[-1] + 1
            mark = self.get_component_rich_style("mask-grid--cursor").color
            cursor = [
                Segment("▒" * len(text), Style(color=mark, bgcolor=(style or base).bgcolor))
                for text, style, _ in picture.crop(start, end)
            ]
            picture = Strip.join([picture.crop(0, start), Strip(cursor), picture.crop(end)])
        return picture.extend_cell_length(cols, base)

    def tint(self, cell: Cell) -> Tint | None:
        """A colour laid over `cell` and its weight; none here, the mask editor shows its
        masks so."""
        return None

    def _tinted(self, picture: Strip, cells: list[Cell | None]) -> Strip:
        """The row with each text cell under a tinted grid cell blended towards its tint;
        `cells` are the grid cells under its text cells (`row_cells`)."""
        tints: dict[Cell | None, Tint | None] = {None: None}
        for cell in cells:
            if cell is not None and cell not in tints:
                tints[cell] = self.tint(cell)
        parts: list[Strip] = []
        start = 0
        cols = picture.cell_length
        for x in range(1, cols + 1):
            here = tints[cells[x - 1]]
            if x < cols and here == tints[cells[x]]:
                continue
            run = picture.crop(start, x)
            if here is not None:
                run = Strip([Segment(text, _blend(style, *here)) for text, style, _ in run])
            parts.append(run)
            start = x
        return Strip.join(parts) if parts else picture


def _blend(style: Style | None, tint: Color, weight: float) -> Style:
    def mix(colour: Color | None) -> Color:
        rgb = colour.get_truecolor() if colour is not None else ColorTriplet(0, 0, 0)
        return Color.from_rgb(
            *(round(a + (b - a) * weight) for a, b in zip(rgb, tint.get_truecolor(), strict=True))
        )

    base = style or Style()
    return base + Style(color=mix(base.color), bgcolor=mix(base.bgcolor))

"""Terminal pictures (sixel, kitty) drawn into the very frames Textual writes, after their text.

The known trick (a zero-width control segment carrying the DCS at the end of a tile's
last row) does not survive Textual's compositor: line filters rebuild segments without
the control flag, and `Strip.crop`/`Strip.divide` drop the payload whenever a toast or
the screen edge cuts the row, so the image silently vanishes. Nothing in a widget's
strips can be robust, because the compositor owns them after `render_line`.

So the overlay sits one level up, on the screen's compositor: it wraps
`render_update`, the call that turns dirty regions into the terminal update `App._display`
writes between the synchronized-output brackets. Before the text is rendered it decides,
per sixel tile, whether the picture may be drawn (the tile is fully visible, no other
widget covers it, it keeps off the terminal's last row, the screen is the current one)
and switches tiles that may not to their text picture. After the text it appends, with
absolute cursor positioning, the DCS of every tile whose picture is new or whose cells
the text just repainted. Text and image therefore reach the terminal in one write,
inside one synchronized update, and the image is always drawn last.

Text never goes over a picture that is on the terminal, though: a tile that showed its
image at the last update and still shows it at the same place has its picture's cells cut
out of the update, whatever asked for the repaint (a full screen refresh after a modal
goes, an app reactive, the UNMASKED border of a lift). Those cells only hold blanks, and
a terminal without synchronized output (xterm) shows them, black, for as long as it takes
to decode the image sent after them: at every such repaint the wall blinked (issue 15).
A new picture simply overdraws the old one, the same size at the same place. A tile
back from its own text picture (a toast over it went) has its image drawn over that
text, which stays beneath wherever the image covers a cell to the last pixel; should
the lift state of its pictures change later, the cells are blanked once before the new
image, so a lifted text picture never outlives the lift even under an image. Cells are
otherwise repainted under an image when a tile first shows it on a screen, when it
moves, and after the app resumes from a suspend or the terminal is resized, when the
terminal may hold nothing of ours (or another screen's text).

While a tile shows its image, its cells hold blanks: the text picture is kept up to
date in memory but not sent, which is what makes sixel cheaper on the wire than drawing
both. A tile whose image may not be drawn shows its text picture, refreshed in full so
no stale image pixels remain. When another screen (a modal, the palette) becomes
current, no image is drawn any more and the tiles behind it go blank (see
`CameraTile`); when the wall's screen resumes, Textual repaints it in full and the
images come back with it.

Kitty pictures sit above the text rather than in it, so text never hides them: every
switch to text, and every screen change, also writes the picture's erase (a kitty
delete) so no picture outlives what it was drawn for, a lifted one least of all.

Only this module touches the compositor's private state (`Screen._compositor` and its
`_dirty_regions`); Textual is pinned to 8.2.x for that reason among others.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.control import Control
from textual._compositor import ChopsUpdate, CompositorUpdate
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

from console.ui.widgets.tile_pump import TileImage


def cursor_to(region: Region) -> str:
    """CUP to the region's top-left cell (1-based, as terminals count)."""
    return f"\x1b[{region.y + 1};{region.x + 1}H"


def outside(regions: Iterable[Region], holes: Iterable[Region]) -> list[Region]:
    """The cells of `regions` outside every one of `holes`, as rectangles."""
    pieces = list(regions)
    for hole in holes:
        cut: list[Region] = []
        for piece in pieces:
            if not piece.overlaps(hole):
                cut.append(piece)
                continue
            x0, y0, x1, y1 = piece.corners
            left, top, right, bottom = hole.intersection(piece).corners
            cut += [
                Region.from_corners(x0, y0, x1, top),  # above
                Region.from_corners(x0, bottom, x1, y1),  # below
                Region.from_corners(x0, top, left, bottom),  # left
                Region.from_corners(right, top, x1, bottom),  # right
            ]
        pieces = [piece for piece in cut if piece]
    return pieces


class CroppedChopsUpdate(ChopsUpdate):
    """Textual's partial update, writing the dirty spans and nothing else.

    Textual's own `ChopsUpdate.render_segments` writes a chop (one widget's run of a
    line) from its first cell to the end of the dirty span, so a dirty border cell on
    a tile's right rewrote the whole row of the tile, image cells included; this one
    starts at the span too.
    """

    @classmethod
    def of(cls, update: ChopsUpdate) -> CroppedChopsUpdate:
        return cls(update.chops, update.spans, update.chop_ends)

    def render_segments(self, console: Console) -> str:
        sequences: list[str] = []
        last_y = self.spans[-1][0]
        for y, x1, x2 in self.spans:
            for end, (x, strip) in zip(self.chop_ends[y], self.chops[y].items(), strict=False):
                if strip is None or x >= x2 or end <= x1:
                    continue
                start, stop = max(x, x1), min(end, x2)
                if (start, stop) != (x, end):
                    strip = strip.crop(start - x, stop - x)
                sequences += (Control.move_to(start, y).segment.text, strip.render(console))
            if y != last_y:
                sequences.append("\n")
        return "".join(sequences)


class GraphicsUpdate(CompositorUpdate):
    """A compositor update followed by sixel pictures, written as one piece."""

    def __init__(self, text: RenderableType | None, graphics: str) -> None:
        self.text = text
        self.graphics = graphics

    def render_segments(self, console: Console) -> str:
        text = self.text.render_segments(console) if isinstance(self.text, CompositorUpdate) else ""
        return text + self.graphics

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        """As a renderable (never on a terminal): the text alone."""
        if self.text is not None:
            yield self.text


class ImageTile(Widget):
    """A widget whose picture the overlay may draw as an image over its cells.

    Declared here, below `CameraTile`, so the overlay knows the tiles it draws without
    importing them.
    """

    image: TileImage | None
    """The newest picture, or None while the text stands in."""
    image_shown: bool
    """Whether the overlay draws `image` (the cells then hold blanks)."""
    lifted: bool
    """The picture presented last was masked under a lift."""

    def show_image(self, shown: bool) -> None:
        """Called by the overlay during a screen update: draw the image, or the text."""
        raise NotImplementedError


class ImageOverlay:
    """The sixel pictures of one screen's tiles."""

    _overlays: weakref.WeakKeyDictionary[Screen[object], ImageOverlay] = weakref.WeakKeyDictionary()

    def __init__(self, screen: Screen[object]) -> None:
        self.screen = screen
        compositor = screen._compositor
        self._render_update = compositor.render_update
        compositor.render_update = self._render_with_graphics  # type: ignore[method-assign]
        self._written: dict[ImageTile, int] = {}
        """Each tile, and the serial of the image last written for it (0: none)."""
        self._placed: dict[ImageTile, Region] = {}
        """Each tile with a picture on the terminal, and the cells that picture covers."""
        self._beneath: dict[ImageTile, bool] = {}
        """Each tile whose picture went over its text picture, and whether that text was
        of a lifted frame: the terminal still holds it under the image, so a picture of
        the other lift state repaints the cells blank first."""
        self._texted: set[ImageTile] = set()
        """Tiles that turned to their text picture on this screen since the terminal
        last held nothing of ours: their cells hold that text, and nothing of another
        screen."""
        self._size = compositor.size
        """The screen's size at the last update."""
        self._erase: dict[ImageTile, str] = {}
        """Each tile whose picture is on the terminal, and what takes it off."""
        screen.app.screen_change_signal.subscribe(screen, self._screen_changed, immediate=True)
        screen.app.app_resume_signal.subscribe(screen, self._forget, immediate=True)

    @classmethod
    def on(cls, screen: Screen[object]) -> ImageOverlay:
        """The screen's overlay, installed on first use."""
        overlay = cls._overlays.get(screen)
        if overlay is None:
            overlay = cls._overlays[screen] = cls(screen)
        return overlay

    def add(self, tile: ImageTile) -> None:
        self._written[tile] = 0

    def remove(self, tile: ImageTile) -> None:
        self._written.pop(tile, None)
        self._placed.pop(tile, None)
        self._beneath.pop(tile, None)
        self._texted.discard(tile)
        erase = self._erase.pop(tile, "")
        if erase:
            self._write(erase)

    def image_area(self, tile: ImageTile) -> Region | None:
        """Screen cells the tile's image would cover, if it may be drawn now."""
        image = tile.image
        compositor = self.screen._compositor
        placed = compositor.visible_widgets.get(tile)
        if image is None or placed is None or self.screen.app.screen is not self.screen:
            return None
        region, clip = placed
        content = region.shrink(tile.styles.gutter)
        at = image.at
        area = Region(content.x + at.x, content.y + at.y, at.cols, at.rows)
        if not area or not clip.contains_region(area):
            return None  # clipped by its container or the screen
        if area.bottom >= compositor.size.height:
            return None  # an image touching the last row can scroll the terminal
        for widget, (other, other_clip) in compositor.visible_widgets.items():
            if widget is tile:
                return area  # everything after it is drawn beneath it
            if widget.visible and other.intersection(other_clip).overlaps(area):
                return None  # a toast, tooltip, menu or overlay is in front of it
        return None

    def _render_with_graphics(
        self, full: bool = False, screen_stack: list[Screen[object]] | None = None,
        simplify: bool = False,
    ) -> RenderableType | None:  # fmt: skip
        if simplify:  # screenshots: text only
            return self._render_update(full, screen_stack, simplify)
        compositor = self.screen._compositor
        if compositor.size != self._size:  # a terminal may drop or move pictures on resize
            self._size = compositor.size
            self._forget()
        areas = {tile: self.image_area(tile) for tile in self._written}
        switched = {tile for tile, area in areas.items() if (area is not None) != tile.image_shown}
        erased = []
        for tile in switched:
            tile.show_image(areas[tile] is not None)
            if not tile.image_shown:
                self._written[tile] = 0
                self._placed.pop(tile, None)
                self._beneath.pop(tile, None)
                self._texted.add(tile)
                erased.append(self._erase.pop(tile, ""))
        if switched:
            compositor.update_widgets(set(switched))
        kept = []
        for tile, area in areas.items():
            image = tile.image
            if area is None or image is None:
                continue
            if tile in self._texted and tile in switched:
                # Back from its own text picture: the image goes over it, and the cells it
                # covers to the last pixel keep that text (blanking them showed black).
                self._texted.discard(tile)
                kept.append(Region(area.x, area.y, *image.solid))
                self._beneath[tile] = tile.lifted
            elif tile in switched:
                pass  # its whole tile is repainted (`show_image`): cells blank, then the image
            elif self._placed.get(tile) == area and self._beneath.get(tile, tile.lifted) == (
                tile.lifted
            ):
                kept.append(area)
            else:  # moved, or over a text picture of another lift state: blank it all now
                self._beneath.pop(tile, None)
                compositor._dirty_regions.add(area)
        full = full or compositor.size.region in compositor._dirty_regions
        if kept:
            regions = [compositor.size.region] if full else list(compositor._dirty_regions)
            compositor._dirty_regions.clear()
            compositor._dirty_regions.update(outside(regions, kept))
            full = False
        dirty = list(compositor._dirty_regions)
        text = self._render_update(full, screen_stack, simplify)
        if isinstance(text, ChopsUpdate):
            text = CroppedChopsUpdate.of(text)
        graphics = []
        for tile, area in areas.items():
            image = tile.image
            if area is None or image is None:
                continue
            repainted = full or any(area.overlaps(region) for region in dirty)
            if repainted or self._written[tile] != image.serial:
                graphics.append(cursor_to(area) + image.payload)
                self._written[tile] = image.serial
                self._placed[tile] = area
                self._erase[tile] = image.erase
        pictures = "".join(erased) + "".join(graphics)
        return GraphicsUpdate(text, pictures) if pictures else text

    def _screen_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            return  # resuming: the full repaint that follows brings the images back
        self._forget()
        for tile in self._written:
            if tile.image_shown:
                tile.show_image(False)
        erase = "".join(self._erase.values())
        self._erase.clear()
        if erase:
            self._write(erase)

    def _forget(self, _: object = None) -> None:
        """Nothing of ours is on the terminal: every picture is to be sent again, over
        cells repainted first."""
        for tile in self._written:
            self._written[tile] = 0
        self._placed.clear()
        self._beneath.clear()
        self._texted.clear()

    def _write(self, sequence: str) -> None:
        """Straight to the terminal, outside any update: the screen that draws next has no
        overlay of this one's to carry it."""
        driver = self.screen.app._driver
        if driver is not None:
            driver.write(sequence)

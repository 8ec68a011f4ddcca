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

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from textual._compositor import CompositorUpdate
from textual.geometry import Region
from textual.screen import Screen
from textual.widget import Widget

from console.ui.widgets.tile_pump import TileImage


def cursor_to(region: Region) -> str:
    """CUP to the region's top-left cell (1-based, as terminals count)."""
    return f"\x1b[{region.y + 1};{region.x + 1}H"


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
        self._erase: dict[ImageTile, str] = {}
        """Each tile whose picture is on the terminal, and what takes it off."""
        screen.app.screen_change_signal.subscribe(screen, self._screen_changed, immediate=True)

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
        areas = {tile: self.image_area(tile) for tile in self._written}
        switched = {tile for tile, area in areas.items() if (area is not None) != tile.image_shown}
        erased = []
        for tile in switched:
            tile.show_image(areas[tile] is not None)
            if not tile.image_shown:
                self._written[tile] = 0
                erased.append(self._erase.pop(tile, ""))
        if switched:
            compositor.update_widgets(set(switched))
        dirty = list(compositor._dirty_regions)
        full = full or compositor.size.region in compositor._dirty_regions
        text = self._render_update(full, screen_stack, simplify)
        graphics = []
        for tile, area in areas.items():
            image = tile.image
            if area is None or image is None:
                continue
            repainted = full or any(area.overlaps(region) for region in dirty)
            if repainted or self._written[tile] != image.serial:
                graphics.append(cursor_to(area) + image.payload)
                self._written[tile] = image.serial
                self._erase[tile] = image.erase
        pictures = "".join(erased) + "".join(graphics)
        return GraphicsUpdate(text, pictures) if pictures else text

    def _screen_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            return  # resuming: the full repaint that follows brings the images back
        for tile in self._written:
            self._written[tile] = 0
            if tile.image_shown:
                tile.show_image(False)
        erase = "".join(self._erase.values())
        self._erase.clear()
        if erase:
            self._write(erase)

    def _write(self, sequence: str) -> None:
        """Straight to the terminal, outside any update: the screen that draws next has no
        overlay of this one's to carry it."""
        driver = self.screen.app._driver
        if driver is not None:
            driver.write(sequence)

"""One tile: a source's masked picture (live, a carousel slot, a recording) and its state.

The tile never touches pixels. `TilePump` masks and renders its frames on worker
threads and posts the rows that changed; the tile stores them as strips and repaints
only those rows. Its border carries the source's title, its state when there is no
video (connecting, lost, error, unauthorized, unsupported, masks-unavailable, with the
message in the middle), and an UNMASKED badge while the picture drawn was masked under
a lift and the camera has masks a lift removes.

A sixel tile draws its picture as a sixel image through the screen's `ImageOverlay`,
which decides frame by frame whether the image may be drawn; when it may not (a toast
or a menu in front, clipped, at the terminal's last row) the tile shows the same frame
as text. Behind another screen (a modal, the palette, the hotspot) no tile draws a
picture at all; see `_screen_changed`.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from textual.app import App
from textual.filter import ANSIToTruecolor, LineFilter
from textual.geometry import Region
from textual.message import Message
from textual.screen import Screen
from textual.strip import Strip

from console.core.render.modes import IMAGE_MODES
from console.core.render.terminal import TerminalCaps
from console.core.services import Services
from console.core.video.feed import CameraFeed, FeedStatus, TileSource
from console.core.video.playback_source import PlaybackSource
from console.core.wall.carousel import CarouselSource
from console.text import visible
from console.ui.plain import plain
from console.ui.widgets.image_overlay import ImageOverlay, ImageTile
from console.ui.widgets.pace import Pace
from console.ui.widgets.paint_tick import PaintTick
from console.ui.widgets.tile_pump import TileClient, TileGeometry, TileImage, TilePump, TileUpdate
from console.ui.widgets.tile_stats import StatsBoard, TileStats, writer_backlog
from console.ui.widgets.tile_strips import blank_strip

TEXT_FPS = 15.0
"""Most frames per second of a text tile: above the 10 fps of typical tile streams, so
every frame of those is shown, and little enough that a wall of them stays light."""
SIXEL_FPS = 5.0
"""Most frames per second of a sixel tile: sixel costs the terminal far more per frame.
Kitty tiles pace as text does: their renderer keeps each picture within a byte budget."""
UNMASKED = "UNMASKED"
"""The badge on a tile whose picture has liftable masks off."""


def services_of(app: App[object]) -> Services | None:
    """The console's services, when the tile runs inside the console app."""
    services = getattr(app, "services", None)
    return services if isinstance(services, Services) else None


def caps_of(app: App[object]) -> TerminalCaps:
    """How tiles draw: detected before the app started, or plain half-blocks."""
    services = services_of(app)
    return services.caps if services is not None else TerminalCaps.plain()


def has_liftable_masks(source: TileSource) -> bool:
    """Whether a lift uncovers anything in this source's pictures; True when it cannot tell."""
    if isinstance(source, CarouselSource):
        return has_liftable_masks(source.current)
    if isinstance(source, CameraFeed):
        masks = source.masker.masks
    elif isinstance(source, PlaybackSource):
        masks = source.cursor.masker.masks
    else:
        return True
    return any(mask.kind == "liftable" for mask in masks)


def default_id(source: TileSource) -> str | None:
    """`tile-<camera id>` for a camera's live feed, so tests and CSS can find it."""
    return f"tile-{source.camera.id}" if isinstance(source, CameraFeed) else None


class CameraTile(ImageTile):
    """Draws a `TileSource`; only ever a `MaskedFrame` of it, as text or sixel."""

    DEFAULT_CSS = """
    CameraTile {
        border: round $secondary;
        border-title-align: left;
        border-subtitle-align: right;
        height: 1fr;
    }
    CameraTile:focus { border: round $accent; }
    CameraTile.-unmasked {
        border: round $warning;
        border-subtitle-color: $text;
        border-subtitle-background: $warning;
        border-subtitle-style: bold;
    }
    """

    can_focus = True

    @dataclass
    class Painted(Message):
        """A frame (or a state) rendered by the pump, posted from its thread."""

        update: TileUpdate

    def __init__(
        self,
        source: TileSource,
        *,
        caps: TerminalCaps | None = None,
        text_fps: float = TEXT_FPS,
        sixel_fps: float = SIXEL_FPS,
        id: str | None = None,  # noqa: A002 (Textual's name for it)
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id if id is not None else default_id(source), classes=classes)
        self.source = source
        """What the tile shows."""
        self._labels: dict[str, str] = {}
        self._label("title", source.title)
        self.caps = caps
        """How to draw; from the app's services when not given."""
        self._fps = (text_fps, sixel_fps)
        self._client: TileClient | None = None
        self._overlay: ImageOverlay | None = None
        self._stats: TileStats | None = None
        self._strips: list[Strip] = []
        self._status = source.status
        self._video = False
        self.image: TileImage | None = None
        """The sixel picture of the frame presented last (sixel tiles only)."""
        self.image_shown = False
        """Whether the overlay draws `image` (its cells then hold blanks)."""
        self.lifted = False
        """The picture presented last was masked under a lift."""
        self.frames = 0
        """Frames presented since mounting."""
        self._geometry: TileGeometry | None = None
        self._blank = Strip.blank(0)
        self._dirty: set[int] | None = set()
        """Rows to repaint at the next paint tick; None for all."""
        self._captured: list[float] = []
        """Capture times of the frames presented since the last tick."""
        self._label("subtitle", self._subtitle())

    @property
    def feed(self) -> TileSource:
        """The source, under the name the wall's first version used."""
        return self.source

    @property
    def unmasked(self) -> bool:
        """The UNMASKED badge is up: the picture drawn has liftable masks off."""
        return self._video and self.lifted and has_liftable_masks(self.source)

    @property
    def repaint_pending(self) -> bool:
        """Rows of a presented frame wait for the next paint tick."""
        return self._dirty is None or bool(self._dirty)

    @property
    def behind(self) -> bool:
        """Another screen is in front of the tile's: it draws no picture."""
        return self._client is not None and self._client.paused

    @property
    def mode(self) -> str:
        """The renderer in use, and whether a sixel tile shows text right now."""
        if self._client is None:
            return ""
        if self._client.picture is not None and not self.image_shown:
            return f"{self._client.picture.mode} (text now: {self._client.text.mode})"
        return self._client.mode

    def on_mount(self) -> None:
        caps = self.caps = self.caps or caps_of(self.app)
        pump = TilePump.of(self.app)
        text_fps, sixel_fps = self._fps
        self._client = TileClient(
            self.source,
            caps.render,
            caps.colors,
            Pace(sixel_fps if caps.render == "sixel" else text_fps),
            self._deliver,
            caps.sixel_max_px,
        )
        self._stats = StatsBoard.of(self.app).add(self._key, self.source.title)
        if caps.render in IMAGE_MODES:
            self._overlay = ImageOverlay.on(self.screen)
            self._overlay.add(self)
        self.app.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)
        self._measure()
        pump.add(self._client)

    def on_unmount(self) -> None:
        if self._client is not None:
            TilePump.of(self.app).remove(self._client)
        if self._overlay is not None:
            self._overlay.remove(self)
        StatsBoard.of(self.app).remove(self._key)

    def on_resize(self) -> None:
        self._measure()

    @property
    def _key(self) -> str:
        return self.id or f"tile-{id(self):x}"

    def _measure(self) -> None:
        """Tell the pump the size to render for; a new size means a new picture."""
        if self._client is None or self.caps is None:
            return
        size = self.content_size
        style = self.rich_style
        base = Style(color=style.color, bgcolor=style.bgcolor)
        geometry = TileGeometry(size.width, size.height, self.caps.cell_px, base)
        if geometry != self._geometry:
            self._geometry = self._client.geometry = geometry
            self._blank = blank_strip(geometry.cols, base)
            self.image = None  # drawn for the old size: the text stands in until the next

    def _screen_changed(self, screen: Screen[object]) -> None:
        """Only the current screen's tiles stream; behind another screen they are blank.

        A translucent modal (the palette, an authorization) shows the wall dimmed behind
        it, and Textual composites that background segment by segment: a 4x4 wall of
        pictures is some fifty thousand segments, seconds of work on a small machine,
        again at every repaint. Behind another screen a tile therefore draws no picture
        (its border and title stay) and renders nothing but a lift or an apply; its
        picture is back, current, as soon as its screen is.
        """
        client = self._client
        if client is None or not self.is_attached:
            return
        behind = screen is not self.screen
        if behind == client.paused:
            return
        client.paused = behind
        if not behind:
            client.refresh()
        self.refresh()

    def _deliver(self, update: TileUpdate) -> bool:
        """Called on a pump thread; `post_message` is thread-safe."""
        return self.post_message(self.Painted(update))

    def on_camera_tile_painted(self, message: Painted) -> None:
        client = self._client
        if client is None:
            return
        update = message.update
        try:
            if update.geometry != client.geometry:
                client.refresh()  # rendered for a size the tile no longer has
            elif (
                update.video is not None
                and update.video.lifted
                and TilePump.of(self.app).masks_on()
            ):
                client.hurry()  # masked under a lift that has ended since: never shown
            else:
                now = time.monotonic()
                client.pace.observe(now, update.load(now, writer_backlog(self.app)))
                self._present(update, now)
        finally:
            client.busy = False

    def _present(self, update: TileUpdate, now: float) -> None:
        self._label("title", update.title)
        video = update.video
        masks_back = self.lifted and (video is None or not video.lifted)
        if video is None:
            if self._video or update.status != self._status:
                self._strips = []
                self.image = None
                self._repaint(None)
            self._video = False
            self.lifted = False
        else:
            if video.full or not self._video:
                self._strips = [video.rows[y] for y in range(update.geometry.rows)]
                self._repaint(None)
            else:
                for y, strip in video.rows.items():
                    self._strips[y] = strip
                if not self.image_shown:
                    self._repaint(video.rows)
            self._video = True
            self.image = video.image
            if self.image_shown and video.image is not None:
                self._repaint((video.image.at.y,))  # a repainted row carries the image out
            self.lifted = video.lifted
            self.frames += 1
            self._record(now, update.encode, video.captured_at)
        self._status = update.status
        self._label("subtitle", self._subtitle())
        self.set_class(self.unmasked, "-unmasked")
        if masks_back:  # the unmasked picture leaves the screen now, not at the next tick
            PaintTick.of(self.app).paint_now(self)

    def _repaint(self, rows: Iterable[int] | None) -> None:
        """Repaint these content rows (None: all of them) at the next paint tick."""
        if rows is None:
            self._dirty = None
        elif self._dirty is not None:
            self._dirty.update(rows)
        PaintTick.of(self.app).request(self)

    def paint(self) -> None:
        """Called by the paint tick: mark what changed dirty, note when it is written."""
        dirty, self._dirty = self._dirty, set()
        if dirty is None:
            self.refresh()
        elif dirty:
            # Whole rows, borders included: Textual writes a row of the tile from its left
            # border anyway, and a dirty span narrower than the tile makes it crop (copy)
            # the row's strip before writing it.
            left, width = self.styles.gutter.left, self.size.width
            self.refresh(*(Region(-left, y, width, 1) for y in sorted(dirty)))
        captured, self._captured = self._captured, []
        stats = self._stats
        if captured and stats is not None:

            def written() -> None:
                now = time.monotonic()
                for captured_at in captured:
                    latency = now - captured_at
                    if captured_at > 0 and 0 <= latency < 60:
                        stats.written(latency)

            self.call_after_refresh(written)

    def _label(self, which: str, text: str) -> None:
        """Set a border label, only when it changes: setting one repaints the whole tile.

        Labels are plain text, not markup: a camera may be called "Dock [east]".
        """
        if self._labels.get(which) == text:
            return
        self._labels[which] = text
        if which == "title":
            self.border_title = plain(text)
        else:
            self.border_subtitle = plain(text)

    def _record(self, now: float, encode: float, captured_at: float) -> None:
        stats = self._stats
        client = self._client
        if stats is None or client is None:
            return
        stats.presented(now, encode)
        stats.mode = self.mode
        stats.target_fps = client.pace.fps
        stats.overloaded = client.pace.overloaded
        stats.lag_ms = 1000 * client.pace.load.lag
        self._captured.append(captured_at)

    def _subtitle(self) -> str:
        if self.unmasked:
            return UNMASKED
        state = self._status.state
        return "" if state == "live" and self._video else state

    def show_image(self, shown: bool) -> None:
        """Called by the overlay, during a screen update: draw the image (cells blank) or
        the text picture. The whole tile is repainted in the same update."""
        self.image_shown = shown
        self.refresh()
        if self._stats is not None:
            self._stats.mode = self.mode

    def get_line_filters(self) -> Sequence[LineFilter]:
        """The app's filters, less the one mapping ANSI colours to the theme's truecolor.

        A tile's palette colours are meant for the terminal's own palette (that is the
        point of 256 and 16 colours), and the filter would rebuild every segment of every
        repainted row, doubling the cost of a frame.
        """
        return [f for f in super().get_line_filters() if not isinstance(f, ANSIToTruecolor)]

    def render_line(self, y: int) -> Strip:
        if self._client is not None and self._client.paused:
            return self._blank
        if self._video:
            if not self.image_shown and y < len(self._strips):
                return self._strips[y]
            return self._blank
        width, height = self.content_size
        lines = self._status_lines(width, height)
        row = y - (height - len(lines)) // 2
        if 0 <= row < len(lines):
            line = Strip([Segment(lines[row].center(width), self.rich_style)])
            return line.adjust_cell_length(width, self.rich_style)
        return self._blank

    def _status_lines(self, width: int, height: int) -> list[str]:
        """The state, and why, wrapped to the tile."""
        status: FeedStatus = self._status
        text = visible(status.message or status.state)
        return textwrap.wrap(text, max(1, width))[: max(1, height)]

"""Masking and rendering tiles off the UI thread, newest frame only, at each tile's own pace.

One scheduler thread per app looks at every tile a few hundred times a second: a tile
gets a job when its frame period has passed, nothing of it is in flight, and its source
has something new (a frame, a lift or apply, a status) or the tile was resized. Jobs run
on a small pool of threads of our own, so sixteen streaming tiles never starve Textual's
thread workers (logins, lifts). A job masks the newest frame at the tile's size, renders
it, builds the strips of the rows that changed and posts them to the tile; the tile is
busy until the UI has taken them. There is never a queue of frames: a tile that falls
behind skips to the newest one, and its `Pace` slows it down.

When the lift state flips, every tile is due at once: masks coming back (the panic key)
must not wait for a slow tile's next period. The lift state is part of the pump from the
start: the app installs its pump with the gate its maskers ask (`TilePump.install`),
and a tile finds no pump in an app that installed none, rather than one that cannot
tell when masks come back (a frame masked under a lift would then be shown after it
ended).

While tiles stream, the pump also sets the garbage collector's pace. A streaming wall
allocates tens of thousands of short-lived objects a second (strips and segments, seven
small caches per Textual strip), and with the default thresholds many of them outlive
two young collections and reach the oldest generation, whose growth then triggers full
collections: each walks every object of the app and stops every thread for a large
fraction of a second, which is what an operator sees as a stutter and a late key. So
the objects that exist when the wall starts (the app, its screens, its styles) are
frozen out of collections, and young collections are spaced so that frames die young.
Both are undone when the last tile goes (after a logout, for instance).
"""

from __future__ import annotations

import gc
import itertools
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from rich.style import Style
from textual.app import App
from textual.strip import Strip

from console.core.render.factory import make_renderer
from console.core.render.fit import fit_cells
from console.core.render.modes import IMAGE_MODES, RenderMode
from console.core.render.tile import ColorDepth, RenderedTile, TileRenderer
from console.core.video.feed import FeedStatus, TileSource
from console.ui.widgets.pace import Load, Pace
from console.ui.widgets.tile_stats import writer_backlog
from console.ui.widgets.tile_strips import Placement, StripMaker

_IMAGE_IDS = itertools.count(1)
"""Kitty image ids: one per tile for the life of the process, so no two tiles on any
screen ever replace each other's picture."""

POLL = 0.005
"""Seconds between the scheduler's looks at the tiles: the most a new frame waits."""
WORKERS = 2
"""Render threads per app; numpy and OpenCV release the GIL for their share."""
YOUNG_THRESHOLD = 20_000
"""Allocations between young collections while tiles stream (Python's default is 700)."""
TEXT_BITS = 6
"""Bits per channel of truecolor text tiles (see `color_codes`). Six cut the CPU of a
4x4 wall by about a quarter against eight (fewer distinct styles, fewer runs, fewer
segments for Textual to write), for colours within 2/255 of the exact ones, which no
one sees at tile size; masks of pure colours stay exact."""
HOLD_BACKLOG = 4
"""Writes queued for the terminal at which no tile starts a new frame (a lift or an
apply still does). Each tile's `Pace` slows down on a growing backlog, but even at its
floor a wall of sixel tiles can outrun a slow terminal, and every queued write is one
more the panic key's masked pictures wait behind. Holding here keeps the queue about
one frame deep, so what reaches the screen is never far behind what the wall shows."""
HYSTERESIS = 8
"""Per-channel change (0..255) below which a text cell keeps its colour: sensor and
codec noise then leaves most rows of a still scene untouched, and unchanged rows cost
the terminal nothing."""


@runtime_checkable
class SizedSource(Protocol):
    """A source that knows its pictures' size, so tiles can keep their proportions."""

    @property
    def source_size(self) -> tuple[int, int] | None: ...


@dataclass(frozen=True, slots=True)
class TileGeometry:
    """Everything about a tile's place on screen that a frame is rendered for."""

    cols: int
    rows: int
    """Content area in cells."""
    cell_px: tuple[int, int]
    """Cell size in pixels, for sixel and for keeping proportions."""
    base: Style
    """The tile's own colours, for cells around the picture and DEFAULT colour codes."""


@dataclass(frozen=True, slots=True)
class TileImage:
    """A terminal picture of one frame (sixel or kitty), drawn over the tile's cells."""

    payload: str
    """The complete escape sequence(s), written at the picture's top-left cell."""
    erase: str
    """What takes the picture off the screen when text stands in: nothing for sixel,
    whose pixels the text overwrites; a delete for kitty, whose pictures sit above it."""
    at: Placement
    """The cells it covers inside the content area."""
    serial: int
    """Increases with every new image of this tile."""
    solid: tuple[int, int]
    """Columns and rows, from `at`'s top-left, that the picture covers to the last pixel
    (a sixel image is a whole number of six-pixel bands tall, or scaled down to the
    terminal's limit; the terminal scales a kitty picture to all of `at`)."""


@dataclass(frozen=True, slots=True)
class Video:
    """A frame's picture as the tile draws it."""

    rows: dict[int, Strip]
    """Content rows that changed, or every row when `full`."""
    full: bool
    lifted: bool
    """The frame was masked while a lift was active (liftable masks off)."""
    captured_at: float
    """Monotonic time the source delivered the frame."""
    image: TileImage | None
    """The terminal picture, for sixel and kitty tiles."""


@dataclass(frozen=True, slots=True)
class TileUpdate:
    """One job's result: the tile's chrome, and its picture if there is one."""

    geometry: TileGeometry
    title: str
    status: FeedStatus
    video: Video | None
    """None when there is nothing to show (no frame, masks failed, not live)."""
    submitted: float
    started: float
    finished: float

    @property
    def encode(self) -> float:
        return self.finished - self.started

    def load(self, now: float, backlog: int) -> Load:
        waited = (self.started - self.submitted) + (now - self.finished)
        return Load(self.encode, waited, backlog)


Deliver = Callable[[TileUpdate], bool]
"""Hands an update to the UI thread; False when the tile is gone."""


class TileClient:
    """One tile as the pump sees it: its source, renderers and pace.

    Written by the UI thread: `geometry` (on resize), `paused`, and `busy` (cleared when
    an update was taken). Everything else belongs to the scheduler and the one job in flight.
    """

    def __init__(
        self,
        source: TileSource,
        mode: RenderMode,
        depth: ColorDepth,
        pace: Pace,
        deliver: Deliver,
        max_px: tuple[int, int] | None = None,
    ) -> None:
        self.source = source
        self.pace = pace
        self.deliver = deliver
        text_mode: RenderMode = "ascii" if depth is ColorDepth.MONO else "halfblock"
        if mode not in IMAGE_MODES:
            text_mode = mode
        self.text: TileRenderer = make_renderer(text_mode, depth, HYSTERESIS, bits=TEXT_BITS)
        """Draws the picture in cells: the tile itself, or an image tile's fallback."""
        self.picture: TileRenderer | None = None
        """Draws the terminal picture of sixel and kitty tiles."""
        if mode in IMAGE_MODES:
            self.picture = make_renderer(mode, depth, image_id=next(_IMAGE_IDS), max_px=max_px)
        self.geometry: TileGeometry | None = None
        self.busy = False
        self.paused = False
        """Another screen is in front of the tile's (a modal, the palette, the hotspot):
        only a lift or an apply is rendered, so the picture kept for its return is never
        one whose masks no longer apply."""
        self.closed = False
        self._maker = StripMaker(depth)
        self._seen: tuple[Hashable, FeedStatus, TileGeometry] | None = None
        self._due = 0.0
        self._urgent = False
        self._job: tuple[TileGeometry, float] | None = None
        self._serial = 0

    @property
    def mode(self) -> str:
        return self.picture.mode if self.picture is not None else self.text.mode

    def refresh(self) -> None:
        """Render again even if nothing changed (the tile lost what it showed)."""
        self._seen = None

    @property
    def urgent(self) -> bool:
        return self._urgent

    def hurry(self) -> None:
        """The lift state flipped: render now, whatever the pace, even if paused."""
        self._urgent = True

    def wants_frame(self, now: float) -> bool:
        """Called by the scheduler; claims the tile for a job when it returns True."""
        geometry = self.geometry
        if self.busy or self.closed or geometry is None:
            return False
        urgent = self._urgent
        if not urgent and (self.paused or now < self._due):
            return False
        seen = (self.source.version, self.source.status, geometry)
        if seen == self._seen and not urgent:
            return False
        self._seen = seen
        self._urgent = False
        self._due = now + self.pace.period
        self._job = (geometry, now)
        self.busy = True
        return True

    def run(self) -> None:
        """The job: runs on a pool thread, never raises, always delivers or closes."""
        assert self._job is not None
        geometry, submitted = self._job
        started = time.monotonic()
        try:
            title, status, video = self._draw(geometry)
        except Exception as error:  # fail closed: a status, never a half-drawn frame
            self._maker.forget()
            title, status, video = "", FeedStatus("error", f"cannot draw: {error}"), None
        update = TileUpdate(geometry, title, status, video, submitted, started, time.monotonic())
        if not self.deliver(update):
            self.closed = True

    def _draw(self, geometry: TileGeometry) -> tuple[str, FeedStatus, Video | None]:
        """Mask and render the newest frame; an image tile masks once, at the image's size,
        and draws its text picture from that same masked frame."""
        source = self.source
        title = source.title
        status = source.status
        at = _placement(source, geometry)
        renderer = self.picture or self.text
        size = renderer.pixel_size(at.cols, at.rows, geometry.cell_px)
        frame = None
        if status.state == "live" and min(size) > 0:
            frame = source.preview(*size)
            status = source.status  # a masking failure shows here
        if frame is None:
            self._maker.forget()
            return title, status, None
        image = None
        if self.picture is not None:
            drawn = self.picture.render(frame, at.cols, at.rows, geometry.cell_px)
            if drawn.graphics is not None:
                self._serial += 1
                image = tile_image(drawn, at, self._serial, geometry.cell_px)
        text = self.text.render(frame, at.cols, at.rows, geometry.cell_px)
        rows, full = self._maker.strips(text, geometry.cols, geometry.rows, at, geometry.base)
        return title, status, Video(rows, full, frame.lifted, frame.captured_at, image)


def tile_image(
    drawn: RenderedTile, at: Placement, serial: int, cell_px: tuple[int, int]
) -> TileImage | None:
    """The terminal picture a renderer drew for the cells `at`, as the overlay places it;
    None when it drew none (not even one sixel band fits)."""
    if drawn.graphics is None:
        return None
    where = at
    if drawn.graphics_cells is not None:
        dx, dy, used_cols, used_rows = drawn.graphics_cells
        where = Placement(at.x + dx, at.y + dy, used_cols, used_rows)
    if drawn.mode == "kitty":
        solid = (where.cols, where.rows)
    else:
        width, height = drawn.graphics_px
        solid = (width // cell_px[0], height // cell_px[1])
    return TileImage(drawn.graphics, drawn.graphics_erase, where, serial, solid)


def _placement(source: TileSource, geometry: TileGeometry) -> Placement:
    """The picture's cells: as large as fits with the source's proportions, centred."""
    size = source.source_size if isinstance(source, SizedSource) else None
    if size is None or geometry.cols <= 0 or geometry.rows <= 0:
        return Placement(0, 0, max(0, geometry.cols), max(0, geometry.rows))
    cols, rows = fit_cells(size, geometry.cols, geometry.rows, geometry.cell_px)
    return Placement((geometry.cols - cols) // 2, (geometry.rows - rows) // 2, cols, rows)


class TilePump:
    """The scheduler thread and render pool shared by every tile of one app."""

    _pumps: weakref.WeakKeyDictionary[App[Any], TilePump] = weakref.WeakKeyDictionary()

    def __init__(
        self,
        lifted: Callable[[], bool],
        backlog: Callable[[], int] = lambda: 0,
        workers: int = WORKERS,
    ) -> None:
        self._lifted = lifted
        """The lift state, watched so that a lift or an apply reaches every tile at once."""
        self._backlog = backlog
        """Writes queued for the terminal and not yet sent."""
        self._workers = workers
        self._clients: tuple[TileClient, ...] = ()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._thresholds: tuple[int, int, int] | None = None
        self._hushed_until = 0.0

    @classmethod
    def install(cls, app: App[Any], lifted: Callable[[], bool]) -> TilePump:
        """Give `app` its pump, following `lifted`: the gate its tiles' maskers ask.

        Once per app: a second lift state could only disagree with the first.
        """
        if app in cls._pumps:
            raise ValueError(f"{app!r} already has a tile pump and the lift state it follows")
        owner = weakref.ref(app)  # the pump must not keep its app alive

        def backlog() -> int:
            app = owner()
            return writer_backlog(app) if app is not None else 0

        pump = cls._pumps[app] = cls(lifted, backlog)
        return pump

    @classmethod
    def of(cls, app: App[Any]) -> TilePump:
        """The pump `install` gave `app`; LookupError when it has none (no tile may draw
        where nobody says when masks come back)."""
        pump = cls._pumps.get(app)
        if pump is None:
            raise LookupError(
                f"{app!r} installed no tile pump: tiles need the lift state their masks follow"
            )
        return pump

    @property
    def clients(self) -> tuple[TileClient, ...]:
        return self._clients

    def add(self, client: TileClient) -> None:
        with self._lock:
            self._clients = (*self._clients, client)
            if self._thread is None:
                self._thresholds = gc.get_threshold()
                gc.freeze()
                gc.set_threshold(YOUNG_THRESHOLD, *self._thresholds[1:])
                self._stop.clear()
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="veil-tile")
                self._thread = threading.Thread(
                    target=self._schedule, name="veil-tile-scheduler", daemon=True
                )
                self._thread.start()

    def remove(self, client: TileClient) -> None:
        """Forget a tile; the threads end with the last one."""
        client.closed = True
        with self._lock:
            self._clients = tuple(c for c in self._clients if c is not client)
            if self._clients or self._thread is None:
                return
            self._stop.set()
            self._wake.set()
            thread, self._thread = self._thread, None
            pool, self._pool = self._pool, None
            if self._thresholds is not None:
                gc.set_threshold(*self._thresholds)
                gc.unfreeze()
        thread.join(1.0)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def masks_on(self) -> bool:
        """No lift is in force right now.

        A frame is masked on a pump thread and shown on the UI thread a little later; a
        tile asks this before showing a frame masked under a lift, so that an apply (the
        panic key) that came in between is never undone by a frame already on its way.
        """
        return not self._lifted()

    def wake(self) -> None:
        """Look at the tiles now, not at the next poll: masks just came back."""
        self._wake.set()

    def hush(self, seconds: float) -> None:
        """Start no frame for a moment (lifts and applies excepted): a key was pressed."""
        self._hushed_until = time.monotonic() + seconds

    def _schedule(self) -> None:
        pool = self._pool
        assert pool is not None
        lifted = self._lifted()
        while True:
            self._wake.wait(POLL)
            self._wake.clear()
            if self._stop.is_set():
                return
            clients = self._clients
            if self._lifted() != lifted:
                lifted = not lifted
                for client in clients:
                    client.hurry()
            now = time.monotonic()
            hold = now < self._hushed_until or self._backlog() >= HOLD_BACKLOG
            for client in clients:
                if hold and not client.urgent:
                    continue
                try:
                    wanted = client.wants_frame(now)
                except Exception:  # a source that cannot even say its state: retry later
                    continue
                if wanted:
                    pool.submit(client.run)

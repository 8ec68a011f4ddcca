"""Smart search: where something moved in a region of cameras' recordings, masked.

The search is the core's (`console.core.search`): motion is measured on masked frames
and the area under every mask that applies to the operator is left out, so movement
behind a mask is never found. It runs through `audited_search`, the function `veil
search` uses, in a thread worker, so the audit records each search once, in the same
words; a search the audit cannot hold shows no hit. This screen adds the operator's
side: cameras, a range prefilled around the playback position (± 30 min) or with the
last hour recorded, a region drawn on the same grid as the export screen's extra masks
over a masked preview (no cell drawn: the whole frame) or typed as a rect, progress with
an ETA, cancel, the hits with a masked thumbnail each, and Enter to play a hit back.

The lift is read once when the search starts (see `console.core.search.run`); when a
lift ends, hits found under it are dropped (fail closed).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from rich.color import Color
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Input, Label, SelectionList, Static

from console.core.access.users import AccountChanged, UsersUnavailable
from console.core.audit.trail import AuditUnavailable
from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import RectGeometry
from console.core.search.audited import audited_search
from console.core.search.motion import Hit
from console.core.search.region import Region, parse_rect
from console.core.search.run import SearchError, SearchRequest, SearchResult, Target
from console.core.search.thumbnails import hit_still
from console.core.services import Services
from console.core.site.model import Camera
from console.core.timebase.moments import format_time
from console.core.timebase.progress import Progress
from console.ui.operator import current_user
from console.ui.plain import PlainInput, plain, plain_cell
from console.ui.screens.recorded_range import RecordedRangeScreen, eta_text
from console.ui.widgets.footer import VeilFooter
from console.ui.widgets.header import VeilHeader
from console.ui.widgets.mask_grid import Cell, MaskGrid, Tint, grid_mask
from console.ui.widgets.still_view import StillView

AROUND = 30 * 60.0
"""Seconds either side of the playback position the range starts with."""
LAST = 60 * 60.0
"""Without a position: the last hour recorded."""
WHOLE_FRAME = RectGeometry(0.0, 0.0, 1.0, 1.0)


REGION_TINT = Color.from_rgb(40, 170, 230)
"""Blue (masks are purple and green in the mask editor): the cells searched, laid
half-way over the masked preview."""


class RegionGrid(MaskGrid):
    """The export screen's grid, its ticked cells tinted: here they are the region, not
    masks the preview would burn in."""

    BINDINGS = [
        Binding("space", "toggle_cell", "Toggle region cell"),
        Binding("delete", "clear", "Clear region"),
    ]

    def tint(self, cell: Cell) -> Tint | None:
        return (REGION_TINT, 0.5) if cell in self.cells else None

    def watch_cells(self, cells: frozenset[Cell]) -> None:
        super().watch_cells(cells)
        self.refresh()


class SearchScreen(RecordedRangeScreen):
    """Set up a smart search, watch it run, cancel it, browse and play its hits."""

    DEFAULT_CSS = """
    SearchScreen #search-body { height: 1fr; }
    SearchScreen #search-form { width: 40; padding: 0 1; }
    SearchScreen #search-form Label { margin-top: 1; color: $text-muted; }
    SearchScreen #search-form SelectionList { height: auto; max-height: 8; }
    SearchScreen #search-region { width: 1fr; padding: 0 1; }
    SearchScreen #search-region-title { height: 1; margin-top: 1; }
    SearchScreen #search-results { height: 1fr; padding: 0 1; border-top: solid $panel; }
    SearchScreen #search-region RegionGrid { min-height: 8; }
    SearchScreen #search-hits { width: 1fr; }
    SearchScreen #search-still { width: 34; }
    SearchScreen #search-progress { height: 1; padding: 0 1; }
    SearchScreen #search-message { height: auto; max-height: 4; padding: 0 1; }
    SearchScreen #search-message.-error { color: $text-error; }
    """

    BINDINGS = [
        Binding("ctrl+s", "start", "Search"),
        Binding("c", "stop", "Cancel", show=False),
        Binding("escape", "cancel", "Cancel / Back"),
    ]
    """Ctrl+S starts (letters are for the text fields); Escape or `c` cancels a running
    search, Escape otherwise goes back. Enter on a hit plays it back."""

    FIELDS = "search"

    class Progressed(Message):
        """A newer progress replaces a queued older one."""

        def __init__(self, progress: Progress) -> None:
            super().__init__()
            self.progress = progress

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, SearchScreen.Progressed)

    @dataclass
    class Finished(Message):
        result: SearchResult | None
        error: str = ""

    def __init__(
        self,
        services: Services,
        cameras: list[str],
        play: Callable[[str, float], object],
        around: float | None = None,
    ) -> None:
        super().__init__(services, cameras)
        self.play = play
        """Opens playback of a camera at a moment (the playback screen's `play_at`: this
        screen does not import the one that opens it)."""
        self.around = around
        self.preview_camera: str | None = self.chosen[0] if self.chosen else None
        self.result: SearchResult | None = None
        self._request: SearchRequest | None = None

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        with Horizontal(id="search-body"):
            with VerticalScroll(id="search-form"):
                yield from self.range_fields(until="2026-11-27T11:00:00Z")
                yield Label("Sensitivity (1 to 10)")
                yield PlainInput("5", id="search-sensitivity")
                yield Label("Or a rect x0,y0,x1,y1 (0 to 1)")
                yield PlainInput(id="search-rect", placeholder="0.25,0.1,0.75,0.9")
            with Vertical(id="search-region"):
                yield Static(id="search-region-title")
                yield RegionGrid()
        yield Static("", id="search-progress")
        # Messages carry camera names and typed text: plain text, never markup.
        yield Static("Reading the recordings…", id="search-message", markup=False)
        with Horizontal(id="search-results"):
            table: DataTable[object] = DataTable(id="search-hits", cursor_type="row")
            table.add_columns("Camera", "Start", "End", "Peak", "Score")
            yield table
            yield StillView(id="search-still")
        yield VeilFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "masks_lifted", self._lift_changed, init=False)
        self._index()

    def _indexes_ready(self) -> None:
        self._say("Draw the region (no cell: the whole frame), then Ctrl+S to search.")
        self._preview_of(self.preview_camera)

    def _default_range(self) -> tuple[float | None, float | None]:
        if self.around is not None:
            return self.around - AROUND, self.around + AROUND
        ends = [
            spans[-1].end
            for spans in (self.indexes[c].spans() for c in self.chosen if c in self.indexes)
            if spans
        ]
        if not ends:
            return None, None
        return max(ends) - LAST, max(ends)

    # -- the region, drawn on a masked preview -------------------------------------------

    def _masker(self, camera: Camera) -> CameraMasker:
        masker = CameraMasker(
            camera.id, camera.masks, self.services.gate, self.services.timeline(camera.id)
        )
        return self.services.track(masker)

    def _preview_of(self, camera_id: str | None) -> None:
        self.preview_camera = camera_id
        title = self.query_one("#search-region-title", Static)
        if camera_id is None or camera_id not in self.indexes:
            self._close_preview()
            title.update("Region: choose a camera")
            self.query_one(MaskGrid).show(None)
            return
        camera = self._camera(camera_id)
        self._open_preview(camera, self._masker(camera))
        title.update(plain(f"Region, drawn on {camera.name} (the same cells for every camera)"))

    @on(SelectionList.SelectionHighlighted, "#search-cameras")
    def _highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        if self.indexes and event.selection.value != self.preview_camera:
            self._preview_of(event.selection.value)

    def _region(self) -> Region:
        """A typed rect wins over drawn cells: it is the more precise of the two, and
        the one `veil search --region` takes, parsed by the same function."""
        rect = self.query_one("#search-rect", Input).value.strip()
        if rect:
            return parse_rect(rect)
        cells = self.query_one(MaskGrid).cells
        return grid_mask(cells) if cells else WHOLE_FRAME

    # -- running ----------------------------------------------------------------------

    def action_start(self) -> None:
        if self.running:
            return
        cameras = list(self.query_one("#search-cameras", SelectionList).selected)
        user = current_user(self.app)
        try:
            start = self._moment("#search-from")
            end = self._moment("#search-to")
            sensitivity = int(self.query_one("#search-sensitivity", Input).value.strip())
            region = self._region()
        except ValueError as error:
            self._say(f"Cannot search: {error}", error=True)
            return
        if not cameras or user is None:
            self._say("Cannot search: tick at least one camera.", error=True)
            return
        targets = tuple(
            Target(self._camera(c), self.services.timeline(c)) for c in cameras if c in self.indexes
        )
        request = SearchRequest(targets, start, end, region, sensitivity, self.services.gate)
        self._clear_hits()
        self._request = request
        cancel = self._started()
        self._say("Searching…")
        self._run(request, user.name, cancel)

    @work(thread=True, exclusive=True, group="search-run")
    def _run(self, request: SearchRequest, operator: str, cancel: threading.Event) -> None:
        """The user must still be allowed when the search starts (the role may have
        changed since login); then the core's audited search."""
        user = current_user(self.app)

        def report(progress: Progress) -> None:
            self.post_message(self.Progressed(progress))

        try:
            if user is not None:
                self.services.users.recheck(user)
            result = audited_search(
                request,
                self.services.audit,
                operator,
                progress=report,
                cancel=cancel,
            )
        except (SearchError, ValueError) as error:
            self.post_message(self.Finished(None, str(error)))
        except (AccountChanged, UsersUnavailable) as error:
            self.post_message(self.Finished(None, f"nothing was searched: {error}"))
        except AuditUnavailable as error:
            self.post_message(self.Finished(None, f"the audit cannot record this: {error}"))
        else:
            self.post_message(self.Finished(result))

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        progress = message.progress
        self.query_one("#search-progress", Static).update(
            plain(
                f"{progress.done} / {progress.total} frames · {progress.percent:.0f}% · "
                f"{eta_text(progress.eta)}"
            )
        )

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self._stopped()
        if message.result is None:
            self._say(f"Search stopped: {message.error}", error=True)
            return
        self.result = message.result
        self._fill_hits(message.result.hits)
        count = len(message.result.hits)
        lifted = " (liftable masks were lifted)" if message.result.lifted else ""
        self._say(
            f"{count} hit{'s' if count != 1 else ''} in {message.result.frames} frames{lifted}. "
            "Enter plays the highlighted hit back."
        )
        if count:
            self.query_one("#search-hits", DataTable).focus()

    def _fill_hits(self, hits: tuple[Hit, ...]) -> None:
        table = self.query_one("#search-hits", DataTable)
        table.clear()
        for number, hit in enumerate(hits):
            table.add_row(
                plain_cell(self._camera(hit.camera_id).name),
                plain_cell(format_time(hit.start)),
                plain_cell(format_time(hit.end)),
                plain_cell(format_time(hit.peak)),
                plain_cell(f"{hit.score:.1f}"),
                key=str(number),
            )
        if hits:
            self._show_still(hits[0])

    def _clear_hits(self) -> None:
        self.result = None
        self.query_one("#search-hits", DataTable).clear()
        self.query_one(StillView).show(None, "Select a hit to see it")

    def _hit(self, key: str | None) -> Hit | None:
        if self.result is None or key is None:
            return None
        return self.result.hits[int(key)]

    @on(DataTable.RowHighlighted, "#search-hits")
    def _hit_highlighted(self, event: DataTable.RowHighlighted) -> None:
        hit = self._hit(event.row_key.value)
        if hit is not None:
            self._show_still(hit)

    def _show_still(self, hit: Hit) -> None:
        """The hit's masked frame at its peak, through the operator's masker now."""
        result = self.result
        view = self.query_one(StillView)
        if result is None:
            return
        camera = self._camera(hit.camera_id)
        try:
            still = hit_still(result.indexes[hit.camera_id], self._masker(camera), hit.peak)
        except SearchError as error:
            view.show(None, str(error))
            return
        view.show(still)

    @on(DataTable.RowSelected, "#search-hits")
    def _hit_selected(self, event: DataTable.RowSelected) -> None:
        hit = self._hit(event.row_key.value)
        if hit is not None:
            self.play(hit.camera_id, hit.start)

    def _lift_changed(self) -> None:
        """A lift started or ended: the preview follows it; hits found under a lift
        that has ended are dropped."""
        if self.preview is not None:
            self.query_one(MaskGrid).redraw()
        result = self.result
        if result is not None and result.lifted and not self.services.gate.lifted():
            self._clear_hits()
            self._say("The lift ended: the hits found under it were dropped.")

    def action_stop(self) -> None:
        """`c` only ever cancels: outside a search it is a letter like any other."""
        self._cancel_job()

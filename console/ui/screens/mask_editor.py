"""The mask editor: an administrator draws a camera's grid, rect and polygon masks over
its picture.

The picture is the camera's newest frame with no mask applied (an administrator must
see what a mask covers), so the editor is offered only to roles holding `admin`, and
opening it, closing it and every save are audited; a save records which mask ids were
added, removed and changed. If the opening cannot be recorded the editor does not open.
A camera that is not live (down, or still connecting) shows its newest recorded frame
instead (`last_recorded`), or the editor says it has none and masks are drawn blind;
the picture follows the camera twice a second.

Masks are drawn over the picture, permanent ones purple and liftable ones green (the
commercial client's colours), a rect or polygon the site file would refuse in red; `v`
swaps the overlays for the real look, the draft put through the masking stage itself
(`CameraFeed.beneath` with the draft's masks), so solid, blur and pixelate look here as
they will on the wall. A grid mask is painted cell by cell; a rect or polygon is edited
as points on a fine grid of `POINT_GRID` steps per side (a point sits on a step, so the
file holds short numbers and a corner can reach both edges of the frame).

A save goes through `console.core.site.edit`: validated as `veil check-site` would,
refused if the file changed on disk since the editor opened it (so two administrators
editing at once never lose an edit silently: the second is told and reloads), the
previous file kept as a backup. Just before the file is written the new masks go into
the mask history under the administrator's name; a history that cannot be written does
not stop the save (adding a mask must never be blocked), the console's reload then
records the set under the file's hash, and the message says so.
Every message shown is plain text (`markup=False`): mask ids and file paths come from
the site file, which may hold anything.

The picture's cells are laid out as half-blocks whatever the wall's renderer (see
`MaskGrid`): grid cells must line up with text cells for the cursor. Where the console
draws sixel, those cells show the picture as a sixel image with the overlays, the points
and the cursor painted into its pixels; elsewhere the half-block text is the picture.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from rich.color import Color
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.privacy.mask_draft import PEN_SIZES, MaskDraft, Point, coverage
from console.core.privacy.masks import (
    GRID_SIZES,
    BoolRaster,
    GridGeometry,
    Mask,
    PolygonGeometry,
    rasterize,
)
from console.core.site.edit import ChangedOnDisk, OpenedSite, SaveRefused, open_site, save_masks
from console.core.site.kinds import geometry_problem
from console.core.site.model import Camera, Site
from console.core.site.problems import SiteError
from console.core.storage.mask_history import MaskHistory, MaskHistoryError
from console.core.timebase.utc import format_utc
from console.core.video.feed import BeneathMasks, CameraFeed, TileSource
from console.core.video.last_recorded import LastRecorded, RecordedBeneath, last_recorded
from console.ui.widgets.header import VeilHeader
from console.ui.widgets.mask_grid import Cell, MaskGrid, Tint

PERMANENT = Color.from_rgb(150, 60, 200)
LIFTABLE = Color.from_rgb(40, 200, 80)
INVALID = Color.from_rgb(230, 30, 30)
SELECTION = Color.from_rgb(230, 200, 40)
POINT = Color.from_rgb(255, 255, 255)
GRID_LINE = Color.from_rgb(128, 128, 128)
POINT_GRID = 64
"""Steps per side a rect's or polygon's points sit on."""


def problem(mask: Mask) -> str | None:
    """Why the site file would refuse this mask's shape, or None (grids are always fine)."""
    geometry = mask.geometry
    return None if isinstance(geometry, GridGeometry) else geometry_problem(geometry)


def point_of(cell: Cell) -> Point:
    column, row = cell
    return (round(column / (POINT_GRID - 1), 4), round(row / (POINT_GRID - 1), 4))


def cell_of(point: Point) -> Cell:
    return (round(point[0] * (POINT_GRID - 1)), round(point[1] * (POINT_GRID - 1)))


class MaskCanvas(MaskGrid, inherit_bindings=False):
    """The picture with every mask tinted (or really masked); keys are the screen's."""

    DRAWS_IMAGES = True

    def __init__(self, draft: MaskDraft) -> None:
        super().__init__()
        self.draft = draft
        self.rect_start: Cell | None = None
        """Where a shift+arrow rectangle started; None when none is being drawn."""
        self.held: int | None = None
        """The handle being moved (space or a drag picked it up), an index into
        `handles`; None when none is."""
        self.show_grid = True
        self.real_look = False
        self._layers: tuple[object, list[tuple[Tint, BoolRaster]]] = ((), [])
        self._dragging = False
        self._drawn: object = None
        self._handles: tuple[object, list[Cell]] = ((), [])

    def repaint_if_changed(self) -> None:
        """Repaint whole when what is drawn changed; a bare cursor move repaints only its
        rows (`MaskGrid.watch_cursor`)."""
        drawn = (
            self.draft.all_masks,
            self.draft.current,
            self.held,
            self.rect_start,
            self.cursor if self.rect_start is not None else None,
            self.show_grid,
            self.real_look,
            self.grid_size,
        )
        if drawn != self._drawn:
            self._drawn = drawn
            self.repaint()

    def handles(self) -> list[Cell]:
        """The cells a point can be picked up at: a polygon's points, a rect's four
        corners (clockwise from the top left; any of them may be moved)."""
        if self.draft.shape == "polygon":
            return [cell_of(point) for point in self.draft.points]
        if self.draft.shape == "rect":
            (x0, y0), (x1, y1) = (cell_of(point) for point in self.draft.points)
            return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
        return []

    def _shown_handles(self) -> list[Cell]:
        """Where the handles are drawn (`MaskGrid.shown`), once per draft state and size."""
        key = (self.draft.current, self.picture_size, self.grid_size)
        if self._handles[0] != key:
            self._handles = (key, [self.shown(cell) for cell in self.handles()])
        return self._handles[1]

    def tint(self, cell: Cell) -> Tint | None:
        if self.rect_start is not None and _between(cell, self.rect_start, self.cursor):
            return (SELECTION, 0.5)
        handles = self._shown_handles()
        if cell in handles:
            held = self.held is not None and handles[self.held] == cell
            return (SELECTION if held else POINT, 0.8)
        if not self.real_look:
            column, row = cell
            for colour, raster in reversed(self._rasters()):
                if raster[row, column]:
                    return colour
        if self.show_grid and self.draft.shape == "grid" and sum(cell) % 2:
            return (GRID_LINE, 0.2)
        return None

    def _rasters(self) -> list[tuple[Tint, BoolRaster]]:
        """Each mask's cells at the canvas's grid, built once per draft state and size."""
        key = (self.draft.all_masks, self.draft.current, self.grid_size)
        if self._layers[0] != key:
            size = self.grid_size
            layers = []
            for mask in self.draft.all_masks:
                geometry = mask.geometry
                if isinstance(geometry, PolygonGeometry) and not geometry.points:
                    continue
                if isinstance(geometry, GridGeometry) and not geometry.cells:
                    continue
                colour = PERMANENT if mask.kind == "permanent" else LIFTABLE
                if problem(mask) is not None:
                    colour = INVALID
                layers.append(((colour, 0.5), rasterize(geometry, size, size)))
            self._layers = (key, layers)
        return self._layers[1]

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Grid masks: left button paints, right erases, a drag goes on doing so. Points:
        left picks up the point under the pointer (or adds one) and a drag moves it;
        right deletes the point under the pointer."""
        event.prevent_default()
        cell = self._cell(event)
        screen = self.screen
        if cell is None or event.button not in (1, 3) or not isinstance(screen, MaskEditorScreen):
            return
        self.focus()
        self.capture_mouse()
        if self.draft.shape != "grid":
            self.cursor = cell
            if event.button == 1:
                screen.grab_point()
                self._dragging = self.held is not None
            else:
                screen.action_erase()
            return
        self._painting = event.button == 1
        self._stroke(cell, stroke=False)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        event.prevent_default()
        cell = self._cell(event)
        screen = self.screen
        if cell is None or not isinstance(screen, MaskEditorScreen):
            return
        if self._dragging:
            screen.carry_point(cell)
        elif self._painting is not None:
            self._stroke(cell, stroke=True)

    def on_mouse_up(self) -> None:
        if self._dragging:
            self._dragging = False
            self.held = None
            screen = self.screen
            if isinstance(screen, MaskEditorScreen):
                screen.show_status()
        super().on_mouse_up()

    def _cell(self, event: events.MouseEvent) -> Cell | None:
        offset = event.get_content_offset(self)
        return None if offset is None else self.cell_at(offset.x, offset.y)

    def _stroke(self, cell: Cell, stroke: bool) -> None:
        self.cursor = cell
        self.rect_start = None
        screen = self.screen
        if isinstance(screen, MaskEditorScreen) and self._painting is not None:
            screen.draft.paint(cell, screen.pen, self._painting, stroke)
            screen.show_status()


class MaskEditorScreen(Screen[None]):
    """Draw one camera's masks and save them into the site file."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("up", "move(0, -1)", "Cell", key_display="←↑↓→", show=False),
        Binding("down", "move(0, 1)", "Cell", show=False),
        Binding("left", "move(-1, 0)", "Cell", show=False),
        Binding("right", "move(1, 0)", "Cell", show=False),
        Binding("ctrl+up", "move(0, -8)", "Jump 8", show=False),
        Binding("ctrl+down", "move(0, 8)", "Jump 8", show=False),
        Binding("ctrl+left", "move(-8, 0)", "Jump 8", show=False),
        Binding("ctrl+right", "move(8, 0)", "Jump 8", show=False),
        Binding("shift+up", "extend(0, -1)", "Rectangle", show=False),
        Binding("shift+down", "extend(0, 1)", "Rectangle", show=False),
        Binding("shift+left", "extend(-1, 0)", "Rectangle", show=False),
        Binding("shift+right", "extend(1, 0)", "Rectangle", show=False),
        Binding("space", "paint", "Paint/point"),
        Binding("delete,backspace", "erase", "Erase", show=False),
        Binding("plus,equals_sign", "pen(1)", "Pen+", key_display="+"),
        Binding("minus", "pen(-1)", "Pen-", key_display="-"),
        Binding("g", "grid", "Grid"),
        Binding("number_sign", "show_grid", "Show grid", key_display="#"),
        Binding("k", "kind", "Kind"),
        Binding("s", "style", "Style"),
        Binding("l", "level", "Level"),
        Binding("c", "colour", "Colour"),
        Binding("v", "look", "Real look"),
        Binding("m", "next_mask", "Next mask"),
        Binding("n", "new_mask('grid')", "New grid"),
        Binding("r", "new_mask('rect')", "New rect"),
        Binding("p", "new_mask('polygon')", "New polygon"),
        Binding("x", "remove_mask", "Remove mask"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
        Binding("ctrl+s", "save", "Save"),
        Binding("ctrl+r", "reload", "Reload"),
    ]

    def __init__(
        self,
        opened: OpenedSite,
        camera: Camera,
        feed: CameraFeed | None,
        audit: AuditLog,
        operator: str,
        history: MaskHistory | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.opened = opened
        self.camera = camera
        self.audit = audit
        self.operator = operator
        self.history = history
        self._wall = wall
        self.draft = MaskDraft(camera.masks)
        self.pen = 1
        self.canvas = MaskCanvas(self.draft)
        self._feed = feed
        self._recorded: LastRecorded | None = None
        self._looked = False
        """Whether the recordings were searched for a last frame (once, when first needed)."""
        self._note = ""
        self._aspect = 16 / 9
        self.message = ""
        self._carried = False
        """Whether the held point has moved since it was picked up (one undo step)."""

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        yield self.canvas
        yield Static("", id="mask-editor-status", markup=False)
        yield Static("", id="mask-editor-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._sync()
        self.canvas.focus()
        self.set_interval(0.5, self._follow)

    def _follow(self) -> None:
        """Keep up with the camera: a new frame, the camera going down (its last recorded
        frame) or coming back; the note under the picture says which."""
        self._picture()
        if not self.message and self._note != self._picture_note():
            self.show_status()

    def _source(self, masks: tuple[Mask, ...]) -> TileSource | None:
        """The live picture, else the newest recorded frame, else none."""
        feed = self._feed
        if feed is not None and feed.status.state == "live":
            size = feed.source_size
            self._aspect = size[0] / size[1] if size and size[1] else 16 / 9
            return BeneathMasks(feed, masks)
        recorded = self._last_recorded()
        if recorded is None:
            return None
        self._aspect = recorded.frame.width / recorded.frame.height
        return recorded.beneath(masks)

    def _last_recorded(self) -> LastRecorded | None:
        if not self._looked:
            self._looked = True
            self._recorded = last_recorded(self.camera)
        return self._recorded

    def _picture(self) -> None:
        """The bare picture, or with `v` the draft's valid masks applied for real."""
        masks = self.draft.masks if self.canvas.real_look else ()
        valid = tuple(mask for mask in masks if problem(mask) is None)
        source = self._source(valid)
        shown = self.canvas.source
        if source is None:
            if shown is not None:
                self.canvas.show(None)
            return
        if type(shown) is type(source) and shown is not None and shown.version == source.version:
            return  # the same picture: a cursor move needs no new frame
        self.canvas.show(source, self._aspect)

    def _sync(self) -> None:
        """After any edit: the canvas's grid follows the current mask, the cursor stays
        on it, the real look is masked again, and the status says where things are."""
        old = self.canvas.grid_size
        size = self.draft.grid.size if self.draft.shape == "grid" else POINT_GRID
        if size != old:
            column, row = self.canvas.cursor
            self.canvas.cursor = (column * size // old, row * size // old)
            self.canvas.grid_size = size
            self.canvas.rect_start = None
        if self.canvas.held is not None and self.canvas.held >= len(self.canvas.handles()):
            self.canvas.held = None
        self._picture()
        self.show_status()

    def show_status(self) -> None:
        column, row = self.canvas.cursor
        current = self.draft.current
        if self.draft.shape == "grid":
            size = self.draft.grid.size
            rect = " · rectangle" if self.canvas.rect_start is not None else ""
            where = f"cell {column},{row} of {size}x{size}{rect} · pen {self.pen}"
        else:
            x, y = point_of(self.canvas.cursor)
            cells = self.canvas.handles()
            on = (
                f" · point {cells.index((column, row)) + 1} of {len(cells)}"
                if (column, row) in cells
                else f" · {len(cells)} points"
            )
            held = " · moving it" if self.canvas.held is not None else ""
            where = f"{self.draft.shape} point {x:.3f},{y:.3f}{on}{held}"
        look = f"level {current.level}" if current.style != "solid" else _colour(current)
        invalid = problem(current)
        state = f" · INVALID: {invalid}" if invalid else ""
        view = " · real look" if self.canvas.real_look else ""
        self.query_one("#mask-editor-status", Static).update(
            f"{self.camera.id} · {where}"
            f" · mask {current.id} ({current.kind}, {current.style}, {look})"
            f" · coverage {coverage([current]):.1f}% (all masks {coverage(self.draft.masks):.1f}%)"
            f"{view}{state}"
        )
        self._note = self._picture_note()
        self.query_one("#mask-editor-message", Static).update(self.message or self._note)
        self.canvas.repaint_if_changed()

    def _picture_note(self) -> str:
        """For a camera that is not live, what the picture is: its newest recorded frame,
        or none (masks can still be edited, blind)."""
        if self._feed is None:
            why = "No feed for this camera"
        else:
            status = self._feed.status
            if status.state == "live":
                return ""
            why = f"Camera {status.state}" + (f": {status.message}" if status.message else "")
        source = self.canvas.source
        if isinstance(source, RecordedBeneath):
            moment = datetime.fromtimestamp(source.recorded.recorded_at, UTC)
            return f"{why}; showing its last recorded frame, of {format_utc(moment)}."
        return f"{why}; no recorded frame either: editing without a picture."

    def _edited(self, message: str = "") -> None:
        self.message = message
        self._sync()

    def action_move(self, dx: int, dy: int) -> None:
        self.canvas.rect_start = None
        self.canvas.action_move(dx, dy)
        if self.canvas.held is not None:
            self.carry_point(self.canvas.cursor)
        self._edited()

    def action_extend(self, dx: int, dy: int) -> None:
        if self.draft.shape != "grid":
            return self.action_move(dx, dy)
        if self.canvas.rect_start is None:
            self.canvas.rect_start = self.canvas.cursor
        self.canvas.action_move(dx, dy)
        self._edited()

    def action_paint(self) -> None:
        """Grid: paint the pen (or the rectangle), erase instead where the cursor is
        masked. Points: pick up or put down the point under the cursor, else add one."""
        if self.draft.shape != "grid":
            if self.canvas.held is not None:
                self.canvas.held = None
                self._edited()
            else:
                self.grab_point()
            return
        self._paint(self.canvas.cursor not in self.draft.grid.cells)

    def grab_point(self) -> None:
        """Hold the point under the cursor; elsewhere a polygon gets a new point there
        (held, so a drag places it) and a rect's nearest corner jumps there."""
        cells = self.canvas.handles()
        cursor = self.canvas.cursor
        self._carried = False
        if cursor in cells:
            self.canvas.held = cells.index(cursor)
        elif self.draft.shape == "polygon":
            self.canvas.held = self.draft.add_point(point_of(cursor))
            self._carried = True
        else:
            nearest = min(range(len(cells)), key=lambda i: _distance(cells[i], cursor))
            self.canvas.held = nearest
            self.carry_point(cursor)
            return
        self._edited()

    def carry_point(self, cell: Cell) -> None:
        """Move the held point to `cell`; one pick-up is one undo step however far. A
        rect's corner spans the rect with the opposite corner, which stays put."""
        held = self.canvas.held
        if held is None:
            return
        self.canvas.cursor = cell
        if self.draft.shape == "rect":
            opposite = self.canvas.handles()[(held + 2) % 4]
            self.draft.set_rect(point_of(opposite), point_of(cell), stroke=self._carried)
            self.canvas.held = self.canvas.handles().index(cell)
        else:
            self.draft.move_point(held, point_of(cell), stroke=self._carried)
        self._carried = True
        self._edited()

    def action_erase(self) -> None:
        if self.draft.shape == "grid":
            self._paint(False)
            return
        cells = self.canvas.handles()
        if self.canvas.cursor not in cells:
            self._edited("No point under the cursor")
        elif self.draft.shape == "rect":
            self._edited("A rect keeps its two corners: x removes the mask")
        else:
            self.draft.delete_point(cells.index(self.canvas.cursor))
            self.canvas.held = None
            self._edited()

    def _paint(self, on: bool) -> None:
        if self.canvas.rect_start is not None:
            self.draft.fill(self.canvas.rect_start, self.canvas.cursor, on)
            self.canvas.rect_start = None
        else:
            self.draft.paint(self.canvas.cursor, self.pen, on)
        self._edited()

    def action_pen(self, step: int) -> None:
        self.pen = min(max(self.pen + step, PEN_SIZES[0]), PEN_SIZES[-1])
        self._edited()

    def action_grid(self) -> None:
        if self.draft.shape != "grid":
            self._edited("Grid sizes are for grid masks")
            return
        sizes = list(GRID_SIZES)
        self.draft.set_grid(sizes[(sizes.index(self.draft.grid.size) + 1) % len(sizes)])
        self._edited()

    def action_show_grid(self) -> None:
        self.canvas.show_grid = not self.canvas.show_grid
        self._edited()

    def action_look(self) -> None:
        self.canvas.real_look = not self.canvas.real_look
        self._edited()

    def action_style(self) -> None:
        self.draft.next_style()
        self._edited()

    def action_level(self) -> None:
        self.draft.next_level()
        self._edited()

    def action_colour(self) -> None:
        self.draft.next_colour()
        self._edited()

    def action_next_mask(self) -> None:
        self.draft.next_mask()
        self._edited()

    def action_new_mask(self, shape: str) -> None:
        self.draft.add_mask(
            "rect" if shape == "rect" else "polygon" if shape == "polygon" else "grid"
        )
        hint = {"grid": "paint its cells", "rect": "move its corners", "polygon": "add its points"}
        self._edited(f"New mask {self.draft.current.id}: {hint[self.draft.shape]}")

    def action_remove_mask(self) -> None:
        removed = self.draft.current.id
        self.draft.remove_mask()
        self._edited(f"Removed mask {removed} (ctrl+z brings it back)")

    def action_kind(self) -> None:
        self.draft.toggle_kind()
        self._edited()

    def action_undo(self) -> None:
        self._edited("" if self.draft.undo() else "nothing to undo")

    def action_redo(self) -> None:
        self._edited("" if self.draft.redo() else "nothing to redo")

    def action_save(self) -> None:
        invalid = [(mask.id, why) for mask in self.draft.masks if (why := problem(mask))]
        if invalid:
            mask_id, why = invalid[0]
            self._edited(f"Not saved: mask {mask_id} is invalid: {why}")
            return
        unrecorded: list[str] = []

        def record(site: Site) -> None:
            if self.history is None:
                return
            try:
                self.history.record_masks(
                    self.camera.id, site.camera(self.camera.id).masks, self.operator, self._wall()
                )
            except MaskHistoryError as error:
                unrecorded.append(str(error))

        try:
            saved = save_masks(self.opened, self.camera.id, self.draft.masks, record)
        except SaveRefused as refused:
            again = " (ctrl+r reloads it)" if isinstance(refused, ChangedOnDisk) else ""
            self._edited(f"Not saved: {refused}{again}")
            return
        before = self.opened
        self.opened = saved.opened
        self.camera = saved.opened.site.camera(self.camera.id)
        history = f"; not in the mask history: {unrecorded[0]}" if unrecorded else ""
        try:
            self.audit.append(
                Event.MASKS_SAVED,
                operator=self.operator,
                details={
                    "camera": self.camera.id,
                    "site": str(saved.opened.path),
                    "sha256_before": before.sha256,
                    "sha256_after": saved.opened.sha256,
                    "backup": str(saved.backup),
                    **saved.diff.details(),
                },
            )
        except AuditUnavailable as error:
            self._edited(
                f"Saved to {saved.opened.path}, but the save is not recorded: {error}{history}"
            )
            return
        self._edited(
            f"Saved to {saved.opened.path}; previous file kept as {saved.backup.name}{history}"
        )

    def action_reload(self) -> None:
        """Start again from the file as it is now (after a save was refused because it
        changed on disk); the unsaved edits are dropped, and the message says so."""
        try:
            opened = open_site(self.opened.path)
            camera = opened.site.camera(self.camera.id)
        except (SiteError, KeyError) as error:
            self._edited(f"Not reloaded: {error}")
            return
        self.opened, self.camera = opened, camera
        self.draft = self.canvas.draft = MaskDraft(camera.masks)
        self._edited(f"Reloaded {opened.path}; unsaved edits were dropped")

    def action_close(self) -> None:
        self.dismiss()

    def on_unmount(self) -> None:
        """Recorded however the editor goes: escape, a logout, the panic of a quit."""
        try:
            self.audit.append(
                Event.MASK_EDITOR_CLOSED, operator=self.operator, details={"camera": self.camera.id}
            )
        except AuditUnavailable as error:
            self.app.notify(f"The editor's closing is not recorded: {error}", severity="error")


def _colour(mask: Mask) -> str:
    blue, green, red = mask.color
    return f"colour #{red:02x}{green:02x}{blue:02x}"


def _distance(a: Cell, b: Cell) -> int:
    return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2


def _between(cell: Cell, corner: Cell, other: Cell) -> bool:
    return min(corner[0], other[0]) <= cell[0] <= max(corner[0], other[0]) and min(
        corner[1], other[1]
    ) <= cell[1] <= max(corner[1], other[1])

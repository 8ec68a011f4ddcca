"""The mask editor: an administrator paints a camera's grid masks over its picture.

The picture is the camera's newest frame with no mask applied (an administrator must
see what a mask covers), so the editor is offered only to roles holding `admin`, and
opening it, closing it and every save are audited; a save records which mask ids were
added, removed and changed. If the opening cannot be recorded the editor does not open.

Grid masks are drawn over the picture, permanent ones purple and liftable ones green
(the commercial client's colours); the current mask is the one painted. A save goes
through `console.core.site.edit`: validated as `veil check-site` would, refused if the
file changed on disk since the editor opened it, the previous file kept as a backup.
Every message shown is plain text (`markup=False`): mask ids and file paths come from
the site file, which may hold anything.

The picture is half-block whatever the wall's renderer (see `MaskGrid`): grid cells
must line up with text cells for the cursor.
"""

from __future__ import annotations

from rich.color import Color
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.privacy.grid_edit import PEN_SIZES, GridDraft, coverage
from console.core.privacy.masks import GRID_SIZES, GridGeometry
from console.core.site.edit import ChangedOnDisk, OpenedSite, SaveRefused, open_site, save_masks
from console.core.site.model import Camera
from console.core.site.problems import SiteError
from console.core.video.feed import BeneathMasks, CameraFeed
from console.ui.widgets.header import VeilHeader
from console.ui.widgets.mask_grid import Cell, MaskGrid

PERMANENT = Color.from_rgb(150, 60, 200)
LIFTABLE = Color.from_rgb(40, 200, 80)
SELECTION = Color.from_rgb(230, 200, 40)


class MaskCanvas(MaskGrid, inherit_bindings=False):
    """The picture with every grid mask tinted; keys are the screen's, not the grid's."""

    def __init__(self, draft: GridDraft) -> None:
        super().__init__()
        self.draft = draft
        self.rect_start: Cell | None = None
        """Where a shift+arrow rectangle started; None when none is being drawn."""

    def tint(self, cell: Cell) -> Color | None:
        if self.rect_start is not None and _between(cell, self.rect_start, self.cursor):
            return SELECTION
        for mask in reversed(self.draft.all_masks):
            geometry = mask.geometry
            if isinstance(geometry, GridGeometry) and _scaled(cell, self.grid_size, geometry):
                return PERMANENT if mask.kind == "permanent" else LIFTABLE
        return None

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Left button paints, right button erases; a drag goes on doing so."""
        event.prevent_default()
        cell = self._cell(event)
        if cell is None or event.button not in (1, 3):
            return
        self.focus()
        self._painting = event.button == 1
        self.capture_mouse()
        self._stroke(cell, stroke=False)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        event.prevent_default()
        cell = self._cell(event)
        if self._painting is not None and cell is not None:
            self._stroke(cell, stroke=True)

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
    """Paint one camera's grid masks and save them into the site file."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("up", "move(0, -1)", "Cell", key_display="←↑↓→", show=False),
        Binding("down", "move(0, 1)", "Cell", show=False),
        Binding("left", "move(-1, 0)", "Cell", show=False),
        Binding("right", "move(1, 0)", "Cell", show=False),
        Binding("shift+up", "extend(0, -1)", "Rectangle", show=False),
        Binding("shift+down", "extend(0, 1)", "Rectangle", show=False),
        Binding("shift+left", "extend(-1, 0)", "Rectangle", show=False),
        Binding("shift+right", "extend(1, 0)", "Rectangle", show=False),
        Binding("space", "paint", "Paint/erase"),
        Binding("delete,backspace", "erase", "Erase", show=False),
        Binding("plus,equals_sign", "pen(1)", "Pen+", key_display="+"),
        Binding("minus", "pen(-1)", "Pen-", key_display="-"),
        Binding("g", "grid", "Grid"),
        Binding("k", "kind", "Kind"),
        Binding("s", "style", "Style"),
        Binding("m", "next_mask", "Next mask"),
        Binding("n", "new_mask", "New mask"),
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
    ) -> None:
        super().__init__()
        self.opened = opened
        self.camera = camera
        self.audit = audit
        self.operator = operator
        self.draft = GridDraft(camera.masks)
        self.pen = 1
        self.canvas = MaskCanvas(self.draft)
        self.canvas.grid_size = self.draft.grid.size
        self._feed = feed
        self.message = ""

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        yield self.canvas
        yield Static("", id="mask-editor-status", markup=False)
        yield Static("", id="mask-editor-message", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self._feed is not None:
            size = self._feed.source_size
            aspect = size[0] / size[1] if size and size[1] else 16 / 9
            self.canvas.show(BeneathMasks(self._feed), aspect)
        self.canvas.focus()
        self.show_status()

    def show_status(self) -> None:
        column, row = self.canvas.cursor
        current = self.draft.current
        size = self.draft.grid.size
        rect = " · rectangle" if self.canvas.rect_start is not None else ""
        self.query_one("#mask-editor-status", Static).update(
            f"{self.camera.id} · cell {column},{row} of {size}x{size}{rect} · pen {self.pen}"
            f" · mask {current.id} ({current.kind}, {current.style})"
            f" · coverage {coverage([current]):.1f}% (all masks {coverage(self.draft.masks):.1f}%)"
        )
        self.query_one("#mask-editor-message", Static).update(self.message or self._picture_note())
        self.canvas.refresh()

    def _picture_note(self) -> str:
        """Why there is no picture, for a camera that is not live (no recorded-frame
        fallback yet): masks can still be edited, blind."""
        if self._feed is None:
            return "No feed for this camera: editing without a picture."
        status = self._feed.status
        if status.state == "live":
            return ""
        return f"Camera {status.state}: {status.message}; editing without a picture."

    def _edited(self, message: str = "") -> None:
        self.message = message
        self.show_status()

    def action_move(self, dx: int, dy: int) -> None:
        self.canvas.rect_start = None
        self.canvas.action_move(dx, dy)
        self._edited()

    def action_extend(self, dx: int, dy: int) -> None:
        if self.canvas.rect_start is None:
            self.canvas.rect_start = self.canvas.cursor
        self.canvas.action_move(dx, dy)
        self._edited()

    def action_paint(self) -> None:
        """Paint the pen (or the rectangle); erase instead where the cursor is masked."""
        self._paint(self.canvas.cursor not in self.draft.grid.cells)

    def action_erase(self) -> None:
        self._paint(False)

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
        sizes = list(GRID_SIZES)
        size = sizes[(sizes.index(self.draft.grid.size) + 1) % len(sizes)]
        self._resize(size)

    def _resize(self, size: int) -> None:
        old = self.draft.grid.size
        self.draft.set_grid(size)
        self.canvas.grid_size = size
        column, row = self.canvas.cursor
        self.canvas.cursor = (column * size // old, row * size // old)
        self.canvas.rect_start = None
        self._edited()

    def action_style(self) -> None:
        self.draft.next_style()
        self._edited()

    def action_next_mask(self) -> None:
        self.draft.next_mask()
        self._history(True, "")

    def action_new_mask(self) -> None:
        self.draft.add_mask()
        self._edited(f"New mask {self.draft.current.id}: paint its cells")

    def action_kind(self) -> None:
        self.draft.toggle_kind()
        self._edited()

    def action_undo(self) -> None:
        self._history(self.draft.undo(), "nothing to undo")

    def action_redo(self) -> None:
        self._history(self.draft.redo(), "nothing to redo")

    def _history(self, moved: bool, otherwise: str) -> None:
        self.canvas.grid_size = self.draft.grid.size
        last = self.canvas.grid_size - 1
        column, row = self.canvas.cursor
        self.canvas.cursor = (min(column, last), min(row, last))
        self._edited("" if moved else otherwise)

    def action_save(self) -> None:
        try:
            saved = save_masks(self.opened, self.camera.id, self.draft.masks)
        except SaveRefused as refused:
            again = " (ctrl+r reloads it)" if isinstance(refused, ChangedOnDisk) else ""
            self._edited(f"Not saved: {refused}{again}")
            return
        before = self.opened
        self.opened = saved.opened
        self.camera = saved.opened.site.camera(self.camera.id)
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
            self._edited(f"Saved to {saved.opened.path}, but the save is not recorded: {error}")
            return
        self._edited(f"Saved to {saved.opened.path}; previous file kept as {saved.backup.name}")

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
        self.draft = self.canvas.draft = GridDraft(camera.masks)
        self.canvas.grid_size = self.draft.grid.size
        self._history(True, "")
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


def _between(cell: Cell, corner: Cell, other: Cell) -> bool:
    return min(corner[0], other[0]) <= cell[0] <= max(corner[0], other[0]) and min(
        corner[1], other[1]
    ) <= cell[1] <= max(corner[1], other[1])


def _scaled(cell: Cell, size: int, geometry: GridGeometry) -> bool:
    """Whether the mask covers `cell` of a `size` grid (another mask may use another grid)."""
    if geometry.size == size:
        return cell in geometry.cells
    column, row = cell
    return (column * geometry.size // size, row * geometry.size // size) in geometry.cells

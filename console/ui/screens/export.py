"""The export screen: cameras, a time range, a format, a folder, and extra masks.

The export itself is the core's `export_recording` (one per camera, through
`export_batch`) in a thread worker: every mask is burned in, the file appears whole or
not at all, and the core writes the signed manifest and the audit record. The site's
export key is loaded when the export starts; without one nothing is exported and the
message says how an administrator makes it (`veil keys init`). This screen adds
what the operator needs around it: defaults (the marked range, or the camera's latest
recording; the `exports` folder in the data dir, created on demand), extra solid masks
drawn on a grid over a preview that goes through the export's own masker, a progress
bar with frames, percent and ETA, Cancel, and errors in words.

Liftable masks are burned in unless a lift is active, the operator's role holds
`export_unmasked` (`unmasked_grant`), *and* the operator ticks the box that appears
only then: an unmasked export is never the default.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import (
    Checkbox,
    Input,
    Label,
    ProgressBar,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from console.core.access.users import AccountChanged, User, UsersUnavailable
from console.core.evidence.batch import (
    BatchProgress,
    BatchResult,
    export_batch,
    output_path,
)
from console.core.evidence.errors import ExportCancelled, ExportRefused
from console.core.evidence.formats import FORMATS, ExportFormat
from console.core.evidence.keys import ExportKey, KeyProblem, load_export_key
from console.core.evidence.policy import UnmaskedGrant, export_masker, unmasked_grant
from console.core.evidence.request import ExportRequest
from console.core.privacy.masks import Geometry
from console.core.services import Services
from console.core.timebase.moments import format_time
from console.ui.operator import current_role, current_user
from console.ui.plain import PlainInput, plain
from console.ui.screens.recorded_range import RecordedRangeScreen, eta_text
from console.ui.widgets.footer import VeilFooter
from console.ui.widgets.header import VeilHeader
from console.ui.widgets.mask_grid import GRID, MaskGrid, grid_mask

FORMAT_LABELS: dict[ExportFormat, str] = {
    "mp4": "MP4 video",
    "avi": "AVI video (MJPG)",
    "png": "PNG stills (a folder)",
}


class ExportScreen(RecordedRangeScreen):
    """Set up an export, watch it run, cancel it."""

    DEFAULT_CSS = """
    ExportScreen #export-body { height: 1fr; }
    ExportScreen #export-form { width: 46; padding: 0 1; }
    ExportScreen #export-form Label { margin-top: 1; color: $text-muted; }
    ExportScreen #export-form SelectionList { height: auto; max-height: 8; }
    ExportScreen #export-masks { width: 1fr; padding: 0 1; }
    ExportScreen #export-mask-title { height: 1; margin-top: 1; }
    ExportScreen #export-mask-help { height: auto; color: $text-muted; }
    ExportScreen #export-masking { height: auto; margin-top: 1; }
    ExportScreen #export-run { height: auto; padding: 0 1; border-top: solid $panel; }
    ExportScreen #export-progress-text { height: 1; }
    ExportScreen #export-message { height: auto; max-height: 6; }
    ExportScreen #export-message.-error { color: $text-error; }
    """

    BINDINGS = [
        Binding("ctrl+s", "start", "Start export"),
        Binding("escape", "cancel", "Cancel / Back"),
    ]
    """Ctrl+S starts (letters are for the text fields); Escape cancels a running export,
    otherwise goes back."""

    FIELDS = "export"

    class Progressed(Message):
        """One step of the running export; a newer one replaces a queued older one."""

        def __init__(self, progress: BatchProgress) -> None:
            super().__init__()
            self.progress = progress

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, ExportScreen.Progressed)

    @dataclass
    class Finished(Message):
        result: BatchResult

    def __init__(
        self,
        services: Services,
        cameras: list[str],
        start: float | None = None,
        end: float | None = None,
    ) -> None:
        super().__init__(services, cameras)
        self.start = start
        self.end = end
        self.extras: dict[str, frozenset[tuple[int, int]]] = {}
        """Camera id -> its extra masks' grid cells, kept while switching cameras."""
        self.mask_camera: str | None = self.chosen[0] if self.chosen else None
        """The camera whose extra masks the grid shows."""

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        with Horizontal(id="export-body"):
            with VerticalScroll(id="export-form"):
                yield from self.range_fields(until="2026-11-27T10:05:00Z")
                yield Label("Format")
                with RadioSet(id="export-format"):
                    for number, fmt in enumerate(FORMATS):
                        yield RadioButton(FORMAT_LABELS[fmt], value=number == 0)
                yield Label("Destination folder")
                yield PlainInput(str(self.services.paths.exports_dir), id="export-folder")
                yield Label("Reason or case number")
                yield PlainInput(id="export-reason", placeholder="for the manifest and the audit")
                yield Checkbox("Leave liftable masks off", id="export-unmasked")
                yield Static(id="export-masking")
            with Vertical(id="export-masks"):
                yield Static(id="export-mask-title")
                yield MaskGrid()
                yield Static(
                    "Extra masks are solid black blocks burned into this camera's export. "
                    "Arrows and Space toggle a cell, or click and drag; Delete clears. "
                    "Highlight another camera in the list to draw its masks.",
                    id="export-mask-help",
                )
        with Vertical(id="export-run"):
            yield ProgressBar(total=1, show_eta=False, id="export-progress")
            yield Static("", id="export-progress-text")
            # Messages carry typed paths and reasons: plain text, never markup.
            yield Static("Reading the recordings…", id="export-message", markup=False)
        yield VeilFooter()

    def on_mount(self) -> None:
        self.watch(self.app, "masks_lifted", self._lift_changed)
        self._index()

    def _lift_changed(self) -> None:
        """A lift started or ended: the unmasked option and the preview follow it."""
        self._show_masking()
        self._remask()

    def _indexes_ready(self) -> None:
        self._say("")
        self._edit_masks_of(self.mask_camera)

    def _default_range(self) -> tuple[float | None, float | None]:
        """The marked range; else the recording around the in mark; else the latest one."""
        index = self.indexes.get(self.mask_camera or "")
        spans = index.spans() if index is not None else ()
        if self.start is not None and self.end is not None:
            return self.start, self.end
        if self.start is not None:
            later = [s.end for s in spans if s.end > self.start]
            return self.start, later[0] if later else self.start + 60.0
        if self.end is not None:
            earlier = [s.start for s in spans if s.start < self.end]
            return (earlier[-1] if earlier else self.end - 60.0), self.end
        if spans:
            return spans[-1].start, spans[-1].end
        return None, None

    # -- extra masks -------------------------------------------------------------------

    def _grant(self) -> UnmaskedGrant | None:
        role = current_role(self.app)
        if role is None or not self.query_one("#export-unmasked", Checkbox).value:
            return None
        return unmasked_grant(role, self.services.gate)

    def _extra_for(self, camera_id: str) -> tuple[Geometry, ...]:
        cells = self.extras.get(camera_id, frozenset())
        return (grid_mask(cells),) if cells else ()

    def _edit_masks_of(self, camera_id: str | None) -> None:
        """Show `camera_id`'s preview and extra masks in the grid."""
        grid = self.query_one(MaskGrid)
        self.mask_camera = camera_id
        if camera_id is None or camera_id not in self.indexes:
            self._close_preview()
            self.query_one("#export-mask-title", Static).update("Extra masks: choose a camera")
            grid.show(None)
            return
        camera = self._camera(camera_id)
        masker = export_masker(
            camera,
            self._extra_for(camera_id),
            grant=self._grant(),
            timeline=self.services.timeline(camera_id),
        )
        self.services.track(masker, masker.masks[len(camera.masks) :])
        grid.cells = self.extras.get(camera_id, frozenset())
        self._open_preview(camera, masker)
        self._title_masks()

    def _title_masks(self) -> None:
        if self.mask_camera is None:
            return
        count = len(self.extras.get(self.mask_camera, frozenset()))
        name = self._camera(self.mask_camera).name
        self.query_one("#export-mask-title", Static).update(
            plain(f"Extra masks for {name}: {count} of {GRID}x{GRID} cells")
        )

    @on(MaskGrid.Changed)
    def _masks_changed(self, event: MaskGrid.Changed) -> None:
        if self.mask_camera is None or self.preview is None:
            return
        self.extras[self.mask_camera] = event.cells
        self._remask()
        self._title_masks()

    def _remask(self) -> None:
        if self.mask_camera is None or self.preview is None:
            return
        camera = self._camera(self.mask_camera)
        masker = export_masker(
            camera,
            self._extra_for(camera.id),
            grant=self._grant(),
            timeline=self.services.timeline(camera.id),
        )
        self.services.track(masker, masker.masks[len(camera.masks) :])
        self.preview.use_masker(masker)
        self.query_one(MaskGrid).redraw()

    @on(SelectionList.SelectionHighlighted, "#export-cameras")
    def _highlighted(self, event: SelectionList.SelectionHighlighted[str]) -> None:
        if self.indexes and event.selection.value != self.mask_camera:
            self._edit_masks_of(event.selection.value)

    @on(Checkbox.Changed, "#export-unmasked")
    def _unmasked_changed(self) -> None:
        self._show_masking()
        self._remask()

    def _show_masking(self) -> None:
        """Say which masks the export will burn in; offer the unmasked box only when allowed."""
        role = current_role(self.app)
        grant = unmasked_grant(role, self.services.gate) if role is not None else None
        box = self.query_one("#export-unmasked", Checkbox)
        box.display = grant is not None
        if grant is None:
            box.value = False
            text = "Every privacy mask is burned in, liftable ones too."
        elif box.value:
            text = (
                f"Liftable masks stay off while the lift authorized by {grant.authorizer} "
                "lasts; frames after it ends are masked. The manifest and audit record this."
            )
        else:
            text = "A lift is active, but every mask is burned in unless you tick the box."
        self.query_one("#export-masking", Static).update(plain(text))

    # -- running -------------------------------------------------------------------------

    def _requests(self) -> list[ExportRequest]:
        """The requests the form describes; ValueError says what to fix."""
        user = current_user(self.app)
        role = current_role(self.app)
        if user is None or role is None or "export" not in role.permissions:
            raise ValueError("your role may not export recordings")
        cameras = self.query_one("#export-cameras", SelectionList).selected
        if not cameras:
            raise ValueError("choose at least one camera")
        try:
            start = self._moment("#export-from")
            end = self._moment("#export-to")
        except ValueError as error:
            raise ValueError(f"time range: {error}") from None
        if not start < end:
            raise ValueError(
                f"the range is empty: {format_time(start)} is not before {format_time(end)}"
            )
        pressed = self.query_one("#export-format", RadioSet).pressed_index
        fmt = FORMATS[max(pressed, 0)]
        folder = Path(self.query_one("#export-folder", Input).value.strip()).expanduser()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise ValueError(
                f"cannot create the folder {folder}: {error.strerror or error}"
            ) from None
        reason = self.query_one("#export-reason", Input).value.strip()
        grant = self._grant()
        return [
            ExportRequest(
                self.services.site,
                camera,
                start,
                end,
                output_path(folder, camera, start, end, fmt),
                fmt,
                user.name,
                reason,
                self._extra_for(camera),
                unmasked=grant,
                timeline=self.services.timeline(camera),
            )
            for camera in cameras
        ]

    def action_start(self) -> None:
        user = current_user(self.app)
        if self.running or user is None:
            return
        try:
            key = load_export_key(self.services.paths.export_key)
            requests = self._requests()
        except (ValueError, KeyProblem) as error:
            self._say(str(error), error=True)
            return
        cancel = self._started()
        self.query_one("#export-progress", ProgressBar).update(total=1, progress=0)
        self._say(f"Exporting {len(requests)} camera(s)…")
        self._run(requests, key, cancel, user)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _run(
        self, requests: list[ExportRequest], key: ExportKey, cancel: threading.Event, user: User
    ) -> None:
        """Export; first the account is read again: the role the form was filled under
        must still be the operator's (an administrator may have changed it since)."""

        def report(progress: BatchProgress) -> None:
            self.post_message(self.Progressed(progress))

        try:
            self.services.users.recheck(user)
        except (AccountChanged, UsersUnavailable) as error:
            refused = ExportRefused(f"nothing was exported: {error}")
            self.post_message(self.Finished(BatchResult((), (), refused)))
            return
        audit, clock = self.services.audit, self.services.clock
        result = export_batch(requests, audit, key, report, cancel, clock)
        self.post_message(self.Finished(result))

    @on(Progressed)
    def _progressed(self, message: Progressed) -> None:
        step = message.progress
        overall = step.overall
        self.query_one("#export-progress", ProgressBar).update(
            total=overall.total, progress=overall.done
        )
        name = self._camera(step.camera_id).name
        self.query_one("#export-progress-text", Static).update(
            plain(
                f"{overall.done} / {overall.total} frames · {overall.percent:.0f}% · "
                f"{eta_text(overall.eta)} · {name} ({step.number} of {step.count})"
            )
        )

    @on(Finished)
    def _finished(self, message: Finished) -> None:
        self._stopped()
        result = message.result
        lines = [
            f"Exported {r.output} ({r.frames} frames) with {r.manifest_path.name}"
            for r in result.done
        ]
        lines += [f"Skipped {self._camera(camera).name}: {why}" for camera, why in result.skipped]
        failure = result.failure
        if isinstance(failure, ExportCancelled):
            lines.insert(0, "Cancelled: nothing partial was kept.")
        elif failure is not None:
            lines.insert(0, f"Export failed: {failure}")
        self._say(*lines, error=failure is not None and not isinstance(failure, ExportCancelled))
        if failure is None and result.done:
            self.notify(f"{len(result.done)} export(s) written.", title="Export")

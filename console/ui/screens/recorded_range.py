"""What the export and smart search screens share: a form over a range of recordings.

Both ask for cameras and a UTC range, index every camera's recordings in a worker (segment
lengths come from opening the files), draw a grid over a masked preview of the first
frame from the range's start, run one job at a time in a worker that Escape cancels, and
say what happened in plain text. One base class keeps those parts, and their fail-closed
details (the preview closed on leaving, a cancel that reaches the worker), the same in
both. Each screen keeps what is its own: the masker its preview goes through, the default
range, and the job.

The widgets' ids start with the screen's `FIELDS` prefix (`export-from`,
`search-message`...), so each screen's CSS and tests name its own fields.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Label, SelectionList, Static

from console.core.privacy.masking import CameraMasker
from console.core.services import Services
from console.core.site.model import Camera
from console.core.timebase.moments import format_time, parse_moment
from console.core.timebase.utc import system_now
from console.core.video.playback_cursor import PlaybackCursor
from console.core.video.playback_source import PlaybackSource
from console.core.video.recording_index import RecordingIndex
from console.core.video.segment_files import index_camera
from console.ui.plain import PlainInput, plain, plain_lines
from console.ui.widgets.mask_grid import MaskGrid


def eta_text(seconds: float | None) -> str:
    if seconds is None:
        return "ETA —"
    minutes, rest = divmod(round(seconds), 60)
    return f"ETA {minutes}:{rest:02d}"


class RecordedRangeScreen(Screen[None]):
    """Cameras, a range and a masked preview; one cancellable job at a time."""

    FIELDS: ClassVar[str]
    """The prefix of the form's widget ids."""

    running: reactive[bool] = reactive(False, bindings=True)
    """The job is running."""

    @dataclass
    class Indexed(Message):
        indexes: dict[str, RecordingIndex]

    def __init__(self, services: Services, cameras: list[str]) -> None:
        super().__init__()
        self.services = services
        known = {camera.id for camera in services.site.cameras}
        self.chosen = [c for c in dict.fromkeys(cameras) if c in known]
        """Cameras ticked when the screen opens."""
        self.indexes: dict[str, RecordingIndex] = {}
        self.preview: PlaybackSource | None = None
        self._cancel: threading.Event | None = None

    def range_fields(self, until: str) -> ComposeResult:
        """The form's first fields, alike on both screens: the cameras, then From and To
        (`until` is the To field's example time)."""
        yield Label("Cameras")
        yield SelectionList[str](
            *[(plain(c.name), c.id, c.id in self.chosen) for c in self.services.site.cameras],
            id=f"{self.FIELDS}-cameras",
        )
        yield Label("From (UTC)")
        yield PlainInput(id=f"{self.FIELDS}-from", placeholder="2026-11-27T10:00:00Z")
        yield Label("To (UTC)")
        yield PlainInput(id=f"{self.FIELDS}-to", placeholder=until)

    def _default_range(self) -> tuple[float | None, float | None]:
        raise NotImplementedError

    def _indexes_ready(self) -> None:
        """The recordings are indexed and the range is filled in."""
        raise NotImplementedError

    def on_unmount(self) -> None:
        if self._cancel is not None:
            self._cancel.set()
        if self.preview is not None:
            self.preview.close()

    @work(thread=True, exclusive=True, group="recorded-range-index")
    def _index(self) -> None:
        """Segment lengths come from opening every file: not on the UI thread."""
        indexes = {camera.id: index_camera(camera) for camera in self.services.site.cameras}
        self.post_message(self.Indexed(indexes))

    @on(Indexed)
    def _indexed(self, message: Indexed) -> None:
        self.indexes = message.indexes
        start, end = self._default_range()
        if start is not None and end is not None:
            self.query_one(f"#{self.FIELDS}-from", Input).value = format_time(start)
            self.query_one(f"#{self.FIELDS}-to", Input).value = format_time(end)
        self._indexes_ready()

    def _camera(self, camera_id: str) -> Camera:
        return self.services.site.camera(camera_id)

    # -- the masked preview ----------------------------------------------------------

    def _close_preview(self) -> None:
        if self.preview is not None:
            self.preview.close()
            self.preview = None

    def _open_preview(self, camera: Camera, masker: CameraMasker) -> None:
        """The grid over `camera`'s recording, every frame through `masker`."""
        self._close_preview()
        index = self.indexes[camera.id]
        self.preview = PlaybackSource(camera.name, PlaybackCursor(index, masker))
        self._move_preview()
        segments = index.segments
        aspect = segments[0].width / segments[0].height if segments else 16 / 9
        self.query_one(MaskGrid).show(self.preview, aspect)

    def _move_preview(self) -> None:
        """The preview shows the first recorded frame from the range's start."""
        if self.preview is None:
            return
        try:
            start = self._moment(f"#{self.FIELDS}-from")
        except ValueError:
            return
        index = self.preview.cursor.index
        moment = start if index.locate(start) is not None else index.next_start(start)
        self.preview.show(start if moment is None else moment)

    @on(Input.Changed)
    def _from_changed(self, event: Input.Changed) -> None:
        if event.input.id == f"{self.FIELDS}-from":
            self._move_preview()
            self.query_one(MaskGrid).redraw()

    # -- the job ---------------------------------------------------------------------

    def _moment(self, selector: str) -> float:
        """The time in a field; a bare clock time is on the day of the range's start."""
        day = self._default_range()[0]
        if selector != f"#{self.FIELDS}-from":
            try:
                day = self._moment(f"#{self.FIELDS}-from")
            except ValueError:
                pass
        text = self.query_one(selector, Input).value
        return parse_moment(text, system_now().timestamp() if day is None else day)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Start is greyed out while a job runs."""
        if action == "start":
            return None if self.running else True
        return True

    def _started(self) -> threading.Event:
        """The job's cancel flag, set by Escape or by leaving the screen."""
        self._cancel = threading.Event()
        self.running = True
        return self._cancel

    def _stopped(self) -> None:
        self.running = False
        self._cancel = None

    def _cancel_job(self) -> bool:
        """Cancel the running job, if there is one."""
        if self._cancel is None:
            return False
        self._cancel.set()
        self._say("Cancelling…")
        return True

    def action_cancel(self) -> None:
        """Escape cancels a running job, and otherwise goes back."""
        if not self._cancel_job():
            self.app.pop_screen()

    def _say(self, *lines: str, error: bool = False) -> None:
        message = self.query_one(f"#{self.FIELDS}-message", Static)
        message.update(plain_lines(lines))
        message.set_class(error, "-error")

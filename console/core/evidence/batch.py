"""Several cameras over one time range, as the export screen exports them: one file each.

Each camera is an ordinary `export_recording` (masks burned in, manifest, audit, all or
nothing), run one after the other. The batch adds what an operator watching a progress
bar needs: one count of frames over all the cameras, and one ETA. A camera with nothing
to export (no footage in the range, a name already taken) is skipped with its reason
and the others still run; a cancel or a failure (full disk, vanished source) stops the
batch, and exports already finished stay: each is complete, audited and hashed.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from console.core.audit.trail import AuditLog
from console.core.evidence.errors import ExportError, ExportRefused
from console.core.evidence.export import export_recording
from console.core.evidence.formats import ExportFormat
from console.core.evidence.keys import ExportKey
from console.core.evidence.request import ExportRequest, ExportResult
from console.core.timebase.clock import Clock, monotonic
from console.core.timebase.progress import Progress
from console.core.video.segment_files import index_camera


def output_path(folder: Path, camera_id: str, start: float, end: float, fmt: ExportFormat) -> Path:
    """`lobby_20261127T100000Z-20261127T100010Z.mp4` (a folder of stills for PNG)."""

    def stamp(moment: float) -> str:
        return datetime.fromtimestamp(moment, UTC).strftime("%Y%m%dT%H%M%SZ")

    suffix = "" if fmt == "png" else f".{fmt}"
    return folder / f"{camera_id}_{stamp(start)}-{stamp(end)}{suffix}"


@dataclass(frozen=True, slots=True)
class BatchProgress:
    """Progress over the whole batch, plus which camera is being written."""

    overall: Progress
    camera_id: str
    number: int
    """1-based position of the camera in the batch."""
    count: int


@dataclass(frozen=True, slots=True)
class BatchResult:
    done: tuple[ExportResult, ...]
    skipped: tuple[tuple[str, str], ...]
    """(camera id, why) for each camera that had nothing to export."""
    failure: ExportError | None
    """What stopped the batch (an `ExportCancelled` for a cancel); None when it ran through."""


def frames_to_export(request: ExportRequest) -> int:
    """How many frames `request` will write (0 when the camera or footage is missing)."""
    try:
        camera = request.site.camera(request.camera_id)
    except KeyError:
        return 0
    return index_camera(camera).frame_count(request.start, request.end)


def export_batch(
    requests: Sequence[ExportRequest],
    audit: AuditLog,
    key: ExportKey,
    progress: Callable[[BatchProgress], None] | None = None,
    cancel: threading.Event | None = None,
    clock: Clock = monotonic,
) -> BatchResult:
    """Run every request in order; never raises an `ExportError`, it reports it."""
    totals = [frames_to_export(request) for request in requests]
    total = sum(totals)
    started = clock()
    done: list[ExportResult] = []
    skipped: list[tuple[str, str]] = []
    before = 0
    for number, (request, own_total) in enumerate(zip(requests, totals, strict=True), start=1):
        report = _Overall(
            progress, request.camera_id, number, len(requests), before, total, clock, started
        )
        try:
            done.append(export_recording(request, audit, key, report.step, cancel, clock))
        except ExportRefused as error:
            skipped.append((request.camera_id, str(error)))
            total -= own_total  # its frames will never come
            continue
        except ExportError as error:
            return BatchResult(tuple(done), tuple(skipped), error)
        before += own_total
    return BatchResult(tuple(done), tuple(skipped), None)


@dataclass(frozen=True, slots=True)
class _Overall:
    """Turns one camera's progress into the batch's."""

    progress: Callable[[BatchProgress], None] | None
    camera_id: str
    number: int
    count: int
    before: int
    """Frames of the cameras before this one."""
    total: int
    clock: Clock
    started: float
    """Clock reading when the batch began: the ETA is over the whole batch's rate."""

    def step(self, own: Progress) -> None:
        if self.progress is None:
            return
        finished = self.before + own.done
        overall = Progress.after(finished, self.total, self.clock() - self.started)
        self.progress(BatchProgress(overall, self.camera_id, self.number, self.count))

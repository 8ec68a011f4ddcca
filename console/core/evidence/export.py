"""Evidence export: a camera's recordings over a time range, with every mask burned in.

This module runs one export from request to published files; each step is its own
module. `policy` decides which masks are burned in, `writers` (through `background`)
encode the masked frames, `manifest` describes the result and `signature` signs it with
the site's export key, `recorded` puts it in the audit, and `publish` makes it appear
all at once or not at all: cancel, a full disk, an unwritable folder, a vanished source
or an audit that cannot take the record all leave nothing behind.

The caller loads the key (`keys.load_export_key`) before it starts: with no key there
is no export at all, never an unsigned one (see the README's security notes).
"""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from console.core.audit.trail import AuditLog
from console.core.evidence.background import Background
from console.core.evidence.encoding import Output
from console.core.evidence.errors import ExportCancelled, ExportError, ExportRefused
from console.core.evidence.h264 import H264Writer
from console.core.evidence.keys import ExportKey
from console.core.evidence.manifest import Written, build_manifest
from console.core.evidence.mjpeg import MjpegWriter
from console.core.evidence.policy import export_masker, extra_masks
from console.core.evidence.publish import check_destination, publish, write_temp
from console.core.evidence.recorded import record_export, record_failure
from console.core.evidence.request import (
    ExportRequest,
    ExportResult,
    ProgressCallback,
)
from console.core.evidence.signature import manifest_bytes, sign_manifest
from console.core.evidence.stills import StillsWriter
from console.core.evidence.writers import Writer
from console.core.privacy.masking import CameraMasker
from console.core.timebase.clock import Clock, monotonic
from console.core.timebase.moments import format_time
from console.core.timebase.progress import Progress
from console.core.timebase.utc import WallClock, system_now
from console.core.video.recorded_frames import masked_frames
from console.core.video.recording_index import RecordingError, RecordingIndex
from console.core.video.segment_files import index_camera


def export_recording(
    request: ExportRequest,
    audit: AuditLog,
    key: ExportKey,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    clock: Clock = monotonic,
    now: WallClock = system_now,
) -> ExportResult:
    """Run one export to the end; raises ExportError (or ExportCancelled) having left nothing.

    Blocking: the export screen runs it in a worker thread and sets `cancel` to stop it.
    """
    try:
        camera = request.site.camera(request.camera_id)
    except KeyError as error:
        raise ExportRefused(str(error.args[0])) from None
    if not request.start < request.end:
        raise ExportRefused(
            f"the range is empty: {format_time(request.start)} is not before "
            f"{format_time(request.end)}"
        )
    if request.timeline is not None and request.timeline.failure:
        raise ExportRefused(
            f"camera {camera.id}: {request.timeline.failure}; "
            "refused, because older footage could lose masks it had"
        )
    check_destination(request.out)
    index = index_camera(camera)
    plan = list(index.plan(request.start, request.end))
    if not plan:
        raise ExportRefused(
            f"camera {camera.id} has no recorded frames from {format_time(request.start)} "
            f"to {format_time(request.end)}: {index.problem or index.gap_message(request.start)}"
        )
    total = sum(len(frames) for _, frames in plan)
    first = plan[0][0]
    extras = extra_masks(request.extra, request.extra_color)
    masker = export_masker(
        camera, request.extra, request.extra_color, request.unmasked, request.timeline
    )
    output = Output(request.format, first.fps, first.width, first.height)
    writer = _open_writer(request.out, output)
    try:
        lifted = _write_frames(writer, index, masker, request, output.size, progress, cancel, clock)
        written = Written(total, lifted, writer.finish(total))
        manifest = sign_manifest(build_manifest(request, index, extras, output, written, now), key)
        encoded = manifest_bytes(manifest)
        manifest_sha256 = hashlib.sha256(encoded).hexdigest()
        manifest_temp = write_temp(request.out, encoded)
        try:
            record_export(audit, request, written, manifest_sha256, key.public.key_id)
        except BaseException:
            manifest_temp.unlink(missing_ok=True)
            raise
        try:
            manifest_path = publish(writer.temp, request.out, manifest_temp)
        except BaseException as error:
            manifest_temp.unlink(missing_ok=True)
            record_failure(audit, request, manifest_sha256, error)
            raise
    except BaseException:
        writer.discard()
        raise
    return ExportResult(request.out, manifest_path, manifest, manifest_sha256, total)


def _open_writer(out: Path, output: Output) -> Writer:
    try:
        if output.format == "png":
            return Background(StillsWriter(out, output.size))
        if output.format == "avi":
            return Background(MjpegWriter(out, output.fps, output.size))
        return Background(H264Writer(out, output.fps, output.size))
    except OSError as error:
        raise ExportError(f"cannot write in {out.parent}: {error.strerror or error}") from None


def _write_frames(
    writer: Writer,
    index: RecordingIndex,
    masker: CameraMasker,
    request: ExportRequest,
    size: tuple[int, int],
    progress: ProgressCallback | None,
    cancel: threading.Event | None,
    clock: Clock,
) -> int:
    """Feed every masked frame to the writer; returns how many had liftable masks lifted."""
    total = index.frame_count(request.start, request.end)
    started = clock()
    done = lifted = 0
    frames = masked_frames(index, masker, request.start, request.end, size)
    try:
        for moment, frame in frames:
            if cancel is not None and cancel.is_set():
                raise ExportCancelled(f"export to {request.out} cancelled; nothing was kept")
            writer.write(frame, moment)
            done += 1
            lifted += frame.lifted
            if progress is not None:
                progress(Progress.after(done, total, clock() - started))
    except RecordingError as error:
        raise ExportError(f"the recording changed during the export: {error}") from None
    finally:
        frames.close()
    return lifted

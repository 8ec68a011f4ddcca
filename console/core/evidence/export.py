"""Evidence export: a camera's recordings over a time range, with every mask burned in.

Only `MaskedFrame`s reach a writer, and the masker that makes them is built here from
the camera's masks plus the export's extra masks, so no option of the caller can leave
a permanent mask off. Liftable masks are burned in too, unless the caller passes an
`UnmaskedGrant`, which `unmasked_grant` hands out only while a lift is active *and* the
operator's role holds `export_unmasked`; even then the lift is asked on every frame, so
masks return mid-export the moment it ends, and the manifest counts the lifted frames.

An export appears all at once or not at all. Frames go to a temporary name in the
destination folder; the result is checked (a full disk shows up as a short file, since
the encoder itself reports nothing), hashed, described in a manifest, recorded in the
audit, and only then renamed into place. Cancel, a full disk, an unwritable folder, a
vanished source or an audit that cannot take the record all leave nothing behind.

PNG exports are a folder of numbered stills named with each frame's time, plus a
`SHA256SUMS` file (the format `sha256sum -c` reads); the manifest's output hash is the
hash of that file, which pins every still.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2

from console import __version__
from console.core.access.lift import LiftController
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.evidence.formats import FORMATS as FORMATS
from console.core.evidence.formats import ExportFormat as ExportFormat
from console.core.privacy.masking import NEVER_LIFTED, CameraMasker, LiftGate, MaskedFrame
from console.core.privacy.masks import Geometry, GridGeometry, Mask, RectGeometry
from console.core.site.model import Camera, Role, Site
from console.core.timebase.clock import Clock, monotonic
from console.core.timebase.moments import format_time
from console.core.timebase.utc import WallClock, format_utc, system_now
from console.core.video.recorded_frames import masked_frames
from console.core.video.recording_index import Gap, RecordingError, RecordingIndex, Span
from console.core.video.segment_files import index_recordings

MANIFEST_SUFFIX = ".manifest.json"
"""Appended to the output's name: `case-12.mp4` gets `case-12.mp4.manifest.json`."""
SUMS_NAME = "SHA256SUMS"
MANIFEST_SCHEMA = "veil-export-manifest/1"


class ExportError(Exception):
    """The export did not happen; nothing was left behind. The message says why."""


class ExportRefused(ExportError):
    """The request itself cannot be exported (no such camera, nothing recorded, the
    destination exists...): the operator must change it, retrying will not help."""


class ExportCancelled(ExportError):
    """The operator cancelled; nothing was left behind."""


@dataclass(frozen=True, slots=True)
class UnmaskedGrant:
    """Permission to leave liftable masks off, for as long as `gate` stays lifted."""

    gate: LiftGate
    authorizer: str
    """Who authorised the lift, recorded in the manifest and the audit."""


def unmasked_grant(role: Role, lift: LiftController) -> UnmaskedGrant | None:
    """A grant when a lift is active and `role` holds `export_unmasked`, else None."""
    active = lift.current()
    if active is None or "export_unmasked" not in role.permissions:
        return None
    return UnmaskedGrant(lift, active.authorizer)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """Everything an export needs; the export screen and `veil export` each build one."""

    site: Site
    camera_id: str
    start: float
    """POSIX seconds, inclusive."""
    end: float
    """POSIX seconds, exclusive."""
    out: Path
    """A .mp4 or .avi file, or for PNG a folder; none of it may exist yet."""
    format: ExportFormat
    operator: str
    reason: str = ""
    extra: tuple[Geometry, ...] = ()
    """Export-only masks, burned in as solid blocks on top of the camera's."""
    extra_color: tuple[int, int, int] = (0, 0, 0)
    """BGR fill of the extra masks."""
    unmasked: UnmaskedGrant | None = None


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """Reported after every frame."""

    done: int
    total: int
    eta: float | None
    """Seconds left at the rate so far; None before the first frame."""

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A finished export; `manifest_sha256` is what the audit record holds."""

    output: Path
    manifest_path: Path
    manifest: dict[str, object]
    manifest_sha256: str
    frames: int


ProgressCallback = Callable[[ExportProgress], None]


def format_for(out: Path, requested: str | None) -> ExportFormat:
    """The format asked for, or the one `out`'s suffix implies; ExportRefused when they clash."""
    suffix = out.suffix.lower().lstrip(".")
    if requested is None:
        if suffix in ("mp4", "avi"):
            return "mp4" if suffix == "mp4" else "avi"
        raise ExportRefused(
            f"{out}: cannot tell the format from the name; end it in .mp4 or .avi, "
            "or give --format png for a folder of stills"
        )
    if requested not in FORMATS:
        raise ExportRefused(f"unknown format {requested!r}; expected one of {', '.join(FORMATS)}")
    if requested in ("mp4", "avi") and suffix != requested:
        raise ExportRefused(f"{out}: a {requested} export must be a file ending in .{requested}")
    return "mp4" if requested == "mp4" else "avi" if requested == "avi" else "png"


def extra_masks(geometries: tuple[Geometry, ...], color: tuple[int, int, int]) -> tuple[Mask, ...]:
    """Export-only masks: permanent and solid, so no lift can take them off."""
    return tuple(
        Mask(f"export-{number}", "permanent", "solid", geometry, color)
        for number, geometry in enumerate(geometries, start=1)
    )


def export_masker(
    camera: Camera,
    extra: tuple[Geometry, ...],
    color: tuple[int, int, int] = (0, 0, 0),
    grant: UnmaskedGrant | None = None,
) -> CameraMasker:
    """The masker an export of `camera` with these extra masks burns in with.

    The export screen previews through it, so the picture the operator draws extra
    masks on is the picture the file will hold: the camera's masks, the extra blocks,
    and liftable masks left off only under a grant.
    """
    gate = grant.gate if grant is not None else NEVER_LIFTED
    return CameraMasker(camera.id, camera.masks + extra_masks(extra, color), gate)


@functools.cache
def h264_available() -> bool:
    """Whether this OpenCV build can open an H.264 ('avc1') MP4 writer.

    Probed once, in a child process: a failing encoder probe prints the codec library's
    complaints straight to file descriptor 2, which would scribble over a Textual
    screen, and an unusual hardware encoder may even crash.
    """
    probe = (
        "import sys, tempfile, os, cv2\n"
        "d = tempfile.mkdtemp()\n"
        "p = os.path.join(d, 'probe.mp4')\n"
        "w = cv2.VideoWriter(p, cv2.VideoWriter_fourcc(*'avc1'), 10, (64, 48))\n"
        "ok = w.isOpened()\n"
        "w.release()\n"
        "for n in os.listdir(d): os.unlink(os.path.join(d, n))\n"
        "os.rmdir(d)\n"
        "sys.exit(0 if ok else 1)\n"
    )
    env = dict(os.environ, OPENCV_FFMPEG_LOGLEVEL="-8", OPENCV_LOG_LEVEL="SILENT")
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def export_recording(
    request: ExportRequest,
    audit: AuditLog,
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
    _check_destination(request.out)
    index = index_recordings(camera.id, camera.recordings)
    plan = list(index.plan(request.start, request.end))
    if not plan:
        raise ExportRefused(
            f"camera {camera.id} has no recorded frames from {format_time(request.start)} "
            f"to {format_time(request.end)}: {index.problem or index.gap_message(request.start)}"
        )
    total = sum(len(frames) for _, frames in plan)
    first = plan[0][0]
    extras = extra_masks(request.extra, request.extra_color)
    masker = export_masker(camera, request.extra, request.extra_color, request.unmasked)
    output = _Output(request.format, first.fps, first.width, first.height)
    writer = _open_writer(request.out, output)
    try:
        lifted = _write_frames(writer, index, masker, request, output.size, progress, cancel, clock)
        written = _Written(total, lifted, writer.finish(total))
        manifest = _manifest(request, index, extras, output, written, now)
        manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=True) + "\n").encode()
        manifest_sha256 = hashlib.sha256(manifest_bytes).hexdigest()
        manifest_temp = _write_temp(request.out, manifest_bytes)
        try:
            _audit(audit, request, written, manifest_sha256)
        except BaseException:
            manifest_temp.unlink(missing_ok=True)
            raise
        try:
            manifest_path = _publish(writer.temp, request.out, manifest_temp)
        except BaseException as error:
            manifest_temp.unlink(missing_ok=True)
            _audit_failure(audit, request, manifest_sha256, error)
            raise
    except BaseException:
        writer.discard()
        raise
    return ExportResult(request.out, manifest_path, manifest, manifest_sha256, total)


@dataclass(frozen=True, slots=True)
class _Output:
    """The encoded stream's shape, fixed by the first segment of the range."""

    format: ExportFormat
    fps: float
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        if self.format == "png":
            return (self.width, self.height)
        return (self.width & ~1, self.height & ~1)  # 4:2:0 video needs even sides

    @property
    def codec(self) -> str:
        if self.format == "avi":
            return "MJPG"
        if self.format == "mp4":
            return "avc1" if h264_available() else "mp4v"
        return "png"


@dataclass(frozen=True, slots=True)
class _Written:
    frames: int
    lifted: int
    """Frames written while a lift kept liftable masks off."""
    sha256: str


def _check_destination(out: Path) -> None:
    manifest = manifest_path_for(out)
    for path in (out, manifest):
        if os.path.lexists(path):
            raise ExportRefused(f"{path} already exists; an export never overwrites a file")
    folder = out.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ExportRefused(f"cannot export to {out}: {folder} {what}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot export to {out}: {folder} is not writable")


def manifest_path_for(out: Path) -> Path:
    return out.with_name(out.name + MANIFEST_SUFFIX)


class _Writer:
    """Frames into a temporary file or folder beside the destination."""

    temp: Path

    def write(self, frame: MaskedFrame, moment: float) -> None:
        raise NotImplementedError

    def finish(self, expected: int) -> str:
        """Close, check every frame arrived, and return the output's SHA-256."""
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


def _open_writer(out: Path, output: _Output) -> _Writer:
    try:
        if output.format == "png":
            return _Background(_StillsWriter(out, output.size))
        return _Background(_VideoWriter(out, output.codec, output.fps, output.size))
    except OSError as error:
        raise ExportError(f"cannot write in {out.parent}: {error.strerror or error}") from None


class _Background(_Writer):
    """Encodes in its own thread while the next frames are decoded and masked.

    A failure in the thread surfaces at the next `write` or at `finish`.
    """

    def __init__(self, inner: _Writer, depth: int = 4) -> None:
        self.inner = inner
        self.temp = inner.temp
        self._queue: queue.Queue[tuple[MaskedFrame, float] | None] = queue.Queue(depth)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="veil-export-writer", daemon=True)
        self._thread.start()

    def write(self, frame: MaskedFrame, moment: float) -> None:
        _check_frame(frame, None)
        while True:
            self._raise()
            try:
                self._queue.put((frame, moment), timeout=0.05)
                return
            except queue.Full:
                continue

    def finish(self, expected: int) -> str:
        self._stop()
        self._raise()
        return self.inner.finish(expected)

    def discard(self) -> None:
        self._stop()
        self.inner.discard()

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is None:
                try:
                    self.inner.write(*item)
                except BaseException as error:
                    self._error = error

    def _stop(self) -> None:
        while self._thread.is_alive():
            try:
                self._queue.put(None, timeout=0.05)
                break
            except queue.Full:
                continue
        self._thread.join()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


def _check_frame(frame: MaskedFrame, size: tuple[int, int] | None) -> None:
    """Writers take masked frames only, even from a caller that got past the type checker."""
    if not isinstance(frame, MaskedFrame):
        raise TypeError("exports accept only MaskedFrame")
    if size is not None and (frame.width, frame.height) != size:
        raise ExportError(f"frame of {frame.width}x{frame.height} in a {size[0]}x{size[1]} export")


class _VideoWriter(_Writer):
    def __init__(self, out: Path, codec: str, fps: float, size: tuple[int, int]) -> None:
        handle, name = tempfile.mkstemp(
            dir=out.parent, prefix=f".{out.name}.partial-", suffix=out.suffix
        )
        os.close(handle)
        self.temp = Path(name)
        self.out = out
        self.size = size
        self._writer = cv2.VideoWriter(name, cv2.VideoWriter.fourcc(*codec), fps, size)
        if not self._writer.isOpened():
            self.discard()
            raise ExportError(f"cannot open a {codec} encoder for {out}")

    def write(self, frame: MaskedFrame, moment: float) -> None:
        _check_frame(frame, self.size)
        self._writer.write(frame.pixels)

    def finish(self, expected: int) -> str:
        self._writer.release()
        check = cv2.VideoCapture(str(self.temp), cv2.CAP_FFMPEG)
        found = int(check.get(cv2.CAP_PROP_FRAME_COUNT)) if check.isOpened() else 0
        check.release()
        if found != expected:
            free = shutil.disk_usage(self.temp.parent).free
            raise ExportError(
                f"writing {self.out} failed: the file holds {found} of {expected} frames; "
                f"the file system refused the rest (disk full or file too large? "
                f"{free // 2**20} MiB free in {self.temp.parent})"
            )
        return _synced_sha256(self.temp)

    def discard(self) -> None:
        self._writer.release()
        self.temp.unlink(missing_ok=True)


class _StillsWriter(_Writer):
    def __init__(self, out: Path, size: tuple[int, int]) -> None:
        self.temp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
        self.out = out
        self.size = size
        self._sums: list[str] = []

    def write(self, frame: MaskedFrame, moment: float) -> None:
        _check_frame(frame, self.size)
        ok, encoded = cv2.imencode(".png", frame.pixels)
        if not ok:
            raise ExportError(f"frame {len(self._sums) + 1} could not be encoded as PNG")
        name = f"{len(self._sums) + 1:06d}_{format_time(moment).replace(':', '-')}.png"
        data = encoded.tobytes()
        self._write(self.temp / name, data)
        self._sums.append(f"{hashlib.sha256(data).hexdigest()}  {name}\n")

    def finish(self, expected: int) -> str:
        if len(self._sums) != expected:
            raise ExportError(f"{self.out}: {len(self._sums)} of {expected} stills written")
        sums = "".join(self._sums).encode()
        self._write(self.temp / SUMS_NAME, sums)
        return hashlib.sha256(sums).hexdigest()

    def discard(self) -> None:
        shutil.rmtree(self.temp, ignore_errors=True)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            with path.open("wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as error:
            raise ExportError(f"writing {self.out} failed: {error.strerror or error}") from None


def _write_frames(
    writer: _Writer,
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
                eta = (clock() - started) / done * (total - done)
                progress(ExportProgress(done, total, eta))
    except RecordingError as error:
        raise ExportError(f"the recording changed during the export: {error}") from None
    finally:
        frames.close()
    return lifted


def _manifest(
    request: ExportRequest,
    index: RecordingIndex,
    extras: tuple[Mask, ...],
    output: _Output,
    written: _Written,
    now: WallClock,
) -> dict[str, object]:
    site = request.site
    camera = site.camera(request.camera_id)
    timeline = index.timeline(request.start, request.end)
    return {
        "schema": MANIFEST_SCHEMA,
        "veil_version": __version__,
        "created": format_utc(now()),
        "site": {"name": site.name, "file": str(site.path), "sha256": site.sha256},
        "camera": {"id": camera.id, "name": camera.name},
        "range": {"from": format_time(request.start), "to": format_time(request.end)},
        "recorded": [
            {"from": format_time(piece.start), "to": format_time(piece.end)}
            for piece in timeline
            if isinstance(piece, Span)
        ],
        "gaps": [
            {"from": format_time(piece.start), "to": format_time(piece.end), "why": piece.message}
            for piece in timeline
            if isinstance(piece, Gap)
        ],
        "frames": written.frames,
        "fps": output.fps,
        "size": list(output.size),
        "output": {
            "name": request.out.name,
            "format": output.format,
            "codec": output.codec,
            "sha256": written.sha256,
            "sha256_of": SUMS_NAME if output.format == "png" else request.out.name,
        },
        "masks": [_mask_entry(mask) for mask in camera.masks],
        "extra_masks": [_mask_entry(mask) for mask in extras],
        "lifted_frames": written.lifted,
        "operator": request.operator,
        "authorizer": request.unmasked.authorizer if request.unmasked else None,
        "reason": request.reason,
    }


def _mask_entry(mask: Mask) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": mask.id,
        "kind": mask.kind,
        "style": mask.style,
        "geometry": geometry_json(mask.geometry),
    }
    if mask.style == "solid":
        blue, green, red = mask.color
        entry["color"] = f"#{red:02x}{green:02x}{blue:02x}"
    else:
        entry["level"] = mask.level
    return entry


def geometry_json(geometry: Geometry) -> dict[str, object]:
    """The geometry spelt as in site.toml, so a manifest reads like the site file."""
    if isinstance(geometry, GridGeometry):
        cells = [f"{col},{row}" for col, row in sorted(geometry.cells, key=lambda c: (c[1], c[0]))]
        return {"grid": f"{geometry.size}x{geometry.size}", "cells": cells}
    if isinstance(geometry, RectGeometry):
        return {"rect": [geometry.x0, geometry.y0, geometry.x1, geometry.y1]}
    return {"polygon": [list(point) for point in geometry.points]}


def _write_temp(out: Path, data: bytes) -> Path:
    """The manifest under a temporary name beside the output, synced to disk."""
    try:
        handle, name = tempfile.mkstemp(
            dir=out.parent, prefix=f".{out.name}.partial-", suffix=MANIFEST_SUFFIX
        )
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ExportError(f"writing the manifest for {out} failed: {error.strerror}") from None
    return Path(name)


def _audit(
    audit: AuditLog, request: ExportRequest, written: _Written, manifest_sha256: str
) -> None:
    """Record the export before it appears: an export the audit cannot hold is not kept."""
    details = {
        "camera": request.camera_id,
        "from": format_time(request.start),
        "to": format_time(request.end),
        "format": request.format,
        "output": str(request.out),
        "frames": written.frames,
        "lifted_frames": written.lifted,
        "output_sha256": written.sha256,
        "manifest_sha256": manifest_sha256,
    }
    try:
        audit.append(
            Event.EXPORT,
            operator=request.operator,
            authorizer=request.unmasked.authorizer if request.unmasked else "",
            reason=request.reason,
            details=details,
        )
    except AuditUnavailable as error:
        raise ExportError(
            f"the export was not kept because the audit could not record it: {error}"
        ) from None


def _audit_failure(
    audit: AuditLog, request: ExportRequest, manifest_sha256: str, error: BaseException
) -> None:
    """The export was recorded but could not be put in place: say so, if the audit lets us."""
    with contextlib.suppress(AuditUnavailable):
        audit.append(
            Event.EXPORT,
            operator=request.operator,
            reason=request.reason,
            outcome="failed",
            details={"manifest_sha256": manifest_sha256, "why": str(error)},
        )


def _publish(temp: Path, out: Path, manifest_temp: Path) -> Path:
    """Rename output and manifest into place; on failure remove whatever got there."""
    manifest = manifest_path_for(out)
    try:
        for path in (out, manifest):
            if os.path.lexists(path):
                raise ExportError(f"{path} appeared during the export; not overwriting it")
        os.rename(temp, out)
        try:
            os.rename(manifest_temp, manifest)
        except BaseException:
            if out.is_dir():
                shutil.rmtree(out, ignore_errors=True)
            else:
                out.unlink(missing_ok=True)
            raise
        _sync_folder(out.parent)
    except OSError as error:
        raise ExportError(f"could not move the export into place at {out}: {error}") from None
    return manifest


def _sync_folder(folder: Path) -> None:
    """Make the renames durable, where the platform lets a folder be synced."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _synced_sha256(path: Path) -> str:
    """Flush the encoder's file to disk, then hash it as stored."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

"""MP4 exports: H.264 (libx264 in PyAV's FFmpeg), yuv420p, moov atom first.

Every frame keeps its recording time: its timestamp is its recording time minus the
first frame's, on a 90 kHz clock, so a gap in the recording is a gap in the file (the
last picture before it stays on screen, as it would in the NVR's own player) and a
reviewer can turn any moment in the file back into UTC with the manifest's `time_zero`.
The container's `creation_time` tag holds that instant too, to the whole second (all
MP4 stores), for players that show it; the manifest's `first_frame` is exact.

The moov atom goes first (`+faststart`) so a browser plays the file before it has it
all. PyAV reports write errors as they happen (a full disk is `OSError` with its errno),
and `finish` still counts the frames the container indexes before it hashes.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Final

import av
import av.error
import cv2
import numpy as np

from console.core.evidence.durable import synced_sha256
from console.core.evidence.encoding import X264_CRF, X264_PRESET
from console.core.evidence.errors import ExportError
from console.core.evidence.writers import Digest, FileHash, Writer, check_frame, refused
from console.core.privacy.masking import MaskedFrame

ENCODER: Final = "libx264"
TIME_BASE = Fraction(1, 90_000)
"""MPEG's 90 kHz clock: every common frame rate's frame lands on a whole tick."""


class H264Writer(Writer):
    def __init__(self, out: Path, fps: float, size: tuple[int, int]) -> None:
        if ENCODER not in av.codecs_available:
            raise ExportError(
                f"cannot export {out.name} as MP4: this PyAV has no {ENCODER} encoder "
                "(PyAV's wheels from PyPI include it); export AVI or PNG instead"
            )
        handle, name = tempfile.mkstemp(
            dir=out.parent, prefix=f".{out.name}.partial-", suffix=out.suffix
        )
        os.close(handle)
        self.temp = Path(name)
        self.out = out
        self.size = size
        self._tick = round(1 / (fps * TIME_BASE))
        """One frame's duration in ticks: the last frame's length in the file."""
        self._origin: float | None = None
        try:
            self._container = av.open(name, "w", format="mp4", options={"movflags": "+faststart"})
            stream = self._container.add_stream(ENCODER, rate=Fraction(fps).limit_denominator(1001))
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.time_base = TIME_BASE
            stream.codec_context.time_base = TIME_BASE
            stream.codec_context.thread_type = "FRAME"  # as the ffmpeg command line does
            stream.options = {"preset": X264_PRESET, "crf": str(X264_CRF)}
        except (av.error.FFmpegError, OSError) as error:
            self.discard()
            raise ExportError(f"cannot open an H.264 encoder for {out}: {error}") from None
        self._stream = stream

    def write(self, frame: MaskedFrame, moment: float) -> None:
        check_frame(frame, self.size)
        if self._origin is None:
            self._origin = moment
            stamp = datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            self._container.metadata["creation_time"] = stamp
        # OpenCV's BGR -> I420 is BT.601 limited range, as swscale's default, and faster.
        planes = np.asarray(cv2.cvtColor(frame.pixels, cv2.COLOR_BGR2YUV_I420), np.uint8)
        picture = av.VideoFrame.from_ndarray(planes, format="yuv420p")
        picture.pts = round((moment - self._origin) / TIME_BASE)
        picture.time_base = TIME_BASE
        self._encode(picture)

    def finish(self, expected: int) -> Digest:
        self._encode(None)
        try:
            self._container.close()
        except OSError as error:
            raise refused(self.out, self.temp, error.strerror or str(error)) from None
        except av.error.FFmpegError as error:
            raise ExportError(f"writing {self.out} failed: {error}") from None
        found = _frames_in(self.temp)
        if found != expected:
            raise refused(self.out, self.temp, f"the file holds {found} of {expected} frames")
        sha256, size = synced_sha256(self.temp)
        return Digest(sha256, (FileHash(self.out.name, sha256, size),))

    def discard(self) -> None:
        # Unlinked first, so closing does not rewrite a doomed file for +faststart.
        self.temp.unlink(missing_ok=True)
        container = getattr(self, "_container", None)
        if container is not None:
            with contextlib.suppress(av.error.FFmpegError, OSError):
                container.close()
        self.temp.unlink(missing_ok=True)

    def _encode(self, picture: av.VideoFrame | None) -> None:
        try:
            for packet in self._stream.encode(picture):
                packet.duration = self._tick
                self._container.mux(packet)
        except OSError as error:
            raise refused(self.out, self.temp, error.strerror or str(error)) from None
        except av.error.FFmpegError as error:
            raise ExportError(f"encoding {self.out} failed: {error}") from None


def _frames_in(path: Path) -> int:
    """Frames the finished file's index holds; 0 when it cannot be opened at all."""
    try:
        with av.open(str(path)) as container:
            return int(container.streams.video[0].frames)
    except (av.error.FFmpegError, OSError, IndexError):
        return 0

"""Masked frames into a temporary file or folder beside the destination.

Only `MaskedFrame`s reach a writer, checked at run time as well as by the type checker.
A full disk shows up as a short file, since OpenCV's encoder itself reports nothing, so
`finish` counts what arrived before it hashes.

PNG exports are a folder of numbered stills named with each frame's time, plus a
`SHA256SUMS` file (the format `sha256sum -c` reads); the output's hash is the hash of
that file, which pins every still.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import cv2

from console.core.evidence.durable import synced_sha256, write_synced
from console.core.evidence.errors import ExportError
from console.core.privacy.masking import MaskedFrame
from console.core.video.recordings import format_time

SUMS_NAME = "SHA256SUMS"


class Writer:
    """Frames into a temporary file or folder beside the destination."""

    temp: Path

    def write(self, frame: MaskedFrame, moment: float) -> None:
        raise NotImplementedError

    def finish(self, expected: int) -> str:
        """Close, check every frame arrived, and return the output's SHA-256."""
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


def check_frame(frame: MaskedFrame, size: tuple[int, int] | None) -> None:
    """Writers take masked frames only, even from a caller that got past the type checker."""
    if not isinstance(frame, MaskedFrame):
        raise TypeError("exports accept only MaskedFrame")
    if size is not None and (frame.width, frame.height) != size:
        raise ExportError(f"frame of {frame.width}x{frame.height} in a {size[0]}x{size[1]} export")


class VideoWriter(Writer):
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
        check_frame(frame, self.size)
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
        return synced_sha256(self.temp)

    def discard(self) -> None:
        self._writer.release()
        self.temp.unlink(missing_ok=True)


class StillsWriter(Writer):
    def __init__(self, out: Path, size: tuple[int, int]) -> None:
        self.temp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
        self.out = out
        self.size = size
        self._sums: list[str] = []

    def write(self, frame: MaskedFrame, moment: float) -> None:
        check_frame(frame, self.size)
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
            write_synced(path, data)
        except OSError as error:
            raise ExportError(f"writing {self.out} failed: {error.strerror or error}") from None

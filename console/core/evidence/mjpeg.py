"""AVI exports: MJPEG through OpenCV, every frame a whole picture at the first segment's rate.

OpenCV's encoder reports no write errors, so a full disk shows up only as a short file:
`finish` counts the frames in the container before it hashes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import cv2

from console.core.evidence.durable import synced_sha256
from console.core.evidence.errors import ExportError
from console.core.evidence.writers import Digest, FileHash, Writer, check_frame, refused
from console.core.privacy.masking import MaskedFrame


class MjpegWriter(Writer):
    def __init__(self, out: Path, fps: float, size: tuple[int, int]) -> None:
        handle, name = tempfile.mkstemp(
            dir=out.parent, prefix=f".{out.name}.partial-", suffix=out.suffix
        )
        os.close(handle)
        self.temp = Path(name)
        self.out = out
        self.size = size
        self._writer = cv2.VideoWriter(name, cv2.VideoWriter.fourcc(*"MJPG"), fps, size)
        if not self._writer.isOpened():
            self.discard()
            raise ExportError(f"cannot open an MJPEG encoder for {out}")

    def write(self, frame: MaskedFrame, moment: float) -> None:
        check_frame(frame, self.size)
        self._writer.write(frame.pixels)

    def finish(self, expected: int) -> Digest:
        self._writer.release()
        check = cv2.VideoCapture(str(self.temp), cv2.CAP_FFMPEG)
        found = int(check.get(cv2.CAP_PROP_FRAME_COUNT)) if check.isOpened() else 0
        check.release()
        if found != expected:
            raise refused(self.out, self.temp, f"the file holds {found} of {expected} frames")
        sha256, size = synced_sha256(self.temp)
        return Digest(sha256, (FileHash(self.out.name, sha256, size),))

    def discard(self) -> None:
        self._writer.release()
        self.temp.unlink(missing_ok=True)

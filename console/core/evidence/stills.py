"""PNG exports: a folder of numbered stills named with each frame's time, plus `SHA256SUMS`.

`SHA256SUMS` is the format `sha256sum -c` reads; the output's hash is the hash of that
file, which pins every still.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import cv2

from console.core.evidence.durable import write_synced
from console.core.evidence.errors import ExportError
from console.core.evidence.writers import Digest, FileHash, Writer, check_frame
from console.core.privacy.masking import MaskedFrame
from console.core.timebase.moments import format_time

SUMS_NAME = "SHA256SUMS"


class StillsWriter(Writer):
    def __init__(self, out: Path, size: tuple[int, int]) -> None:
        self.temp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}.partial-"))
        self.out = out
        self.size = size
        self._files: list[FileHash] = []

    def write(self, frame: MaskedFrame, moment: float) -> None:
        check_frame(frame, self.size)
        ok, encoded = cv2.imencode(".png", frame.pixels)
        if not ok:
            raise ExportError(f"frame {len(self._files) + 1} could not be encoded as PNG")
        name = f"{len(self._files) + 1:06d}_{format_time(moment).replace(':', '-')}.png"
        data = encoded.tobytes()
        self._write(self.temp / name, data)
        self._files.append(self._hashed(name, data))

    def finish(self, expected: int) -> Digest:
        if len(self._files) != expected:
            raise ExportError(f"{self.out}: {len(self._files)} of {expected} stills written")
        prefix = len(self.out.name) + 1
        sums = "".join(f"{f.sha256}  {f.name[prefix:]}\n" for f in self._files).encode()
        self._write(self.temp / SUMS_NAME, sums)
        listed = self._hashed(SUMS_NAME, sums)
        return Digest(listed.sha256, (*self._files, listed))

    def _hashed(self, name: str, data: bytes) -> FileHash:
        return FileHash(f"{self.out.name}/{name}", hashlib.sha256(data).hexdigest(), len(data))

    def discard(self) -> None:
        shutil.rmtree(self.temp, ignore_errors=True)

    def _write(self, path: Path, data: bytes) -> None:
        try:
            write_synced(path, data)
        except OSError as error:
            raise ExportError(f"writing {self.out} failed: {error.strerror or error}") from None

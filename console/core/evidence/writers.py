"""What every export writer is: masked frames into a temporary file or folder beside
the destination, checked and hashed at the end.

Only `MaskedFrame`s reach a writer, checked at run time as well as by the type checker.
Each format's writer is its own module: `h264` (MP4), `mjpeg` (AVI), `stills` (PNG).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from console.core.evidence.errors import ExportError
from console.core.privacy.masking import MaskedFrame


@dataclass(frozen=True, slots=True)
class FileHash:
    """One file of the output, as the manifest lists it."""

    name: str
    """Relative to the output's folder: `case.mp4`, or `stills/000001_....png`."""
    sha256: str
    size: int


@dataclass(frozen=True, slots=True)
class Digest:
    """What `finish` vouches for: the output's own hash and every file in it."""

    sha256: str
    """Of the file, or for a folder of stills of its `SHA256SUMS`."""
    files: tuple[FileHash, ...]


class Writer:
    """Frames into a temporary file or folder beside the destination."""

    temp: Path

    def write(self, frame: MaskedFrame, moment: float) -> None:
        """Add `frame`, shown at recording time `moment` (POSIX seconds)."""
        raise NotImplementedError

    def finish(self, expected: int) -> Digest:
        """Close, check every frame arrived, and hash what was written."""
        raise NotImplementedError

    def discard(self) -> None:
        raise NotImplementedError


def check_frame(frame: MaskedFrame, size: tuple[int, int] | None) -> None:
    """Writers take masked frames only, even from a caller that got past the type checker."""
    if not isinstance(frame, MaskedFrame):
        raise TypeError("exports accept only MaskedFrame")
    if size is not None and (frame.width, frame.height) != size:
        raise ExportError(f"frame of {frame.width}x{frame.height} in a {size[0]}x{size[1]} export")


def refused(out: Path, temp: Path, what: str) -> ExportError:
    """The file system took less than the encoder gave it: say so with the room left."""
    free = shutil.disk_usage(temp.parent).free
    return ExportError(
        f"writing {out} failed: {what}; the file system refused the rest (disk full or "
        f"file too large? {free // 2**20} MiB free in {temp.parent})"
    )

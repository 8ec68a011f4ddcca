"""Masked stills of search hits: one frame per hit, at its peak.

Frames come through `masked_frames` with the viewer's masker, so a thumbnail hides
exactly what playback at that moment hides. `write_thumbnails` keeps them the way a
PNG export keeps stills (`StillsWriter`: numbered PNGs named by time, `SHA256SUMS`),
in a new folder that appears all at once or not at all.
"""

from __future__ import annotations

import os
from pathlib import Path

from console.core.evidence.errors import ExportError
from console.core.evidence.stills import StillsWriter
from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.search.motion import Hit
from console.core.search.run import SearchError
from console.core.video.recorded_frames import masked_frames
from console.core.video.recording_index import RecordingError, RecordingIndex


def hit_still(index: RecordingIndex, masker: CameraMasker, moment: float) -> MaskedFrame:
    """The masked frame on screen at `moment`; SearchError when it cannot be read."""
    located = index.locate(moment)
    if located is None:
        raise SearchError(f"camera {index.camera_id}: nothing recorded at that moment")
    segment, number = located
    at = segment.frame_time(number)
    frames = masked_frames(index, masker, at, at + 0.5 / segment.fps)
    try:
        for _, frame in frames:
            return frame
    except RecordingError as error:
        raise SearchError(str(error)) from None
    finally:
        frames.close()
    raise SearchError(f"camera {index.camera_id}: the frame could not be read")


def write_thumbnails(
    out: Path,
    hits: tuple[Hit, ...],
    indexes: dict[str, RecordingIndex],
    maskers: dict[str, CameraMasker],
) -> None:
    """Write each hit's masked still into the new folder `out`; SearchError on failure.

    All hits must share one frame size (one camera, or cameras alike): a folder of
    stills is checked against one size, as an export's is.
    """
    if os.path.lexists(out):
        raise SearchError(f"{out} already exists; thumbnails never overwrite anything")
    if not out.parent.is_dir():
        raise SearchError(f"cannot write thumbnails to {out}: {out.parent} is not a folder")
    stills = [hit_still(indexes[hit.camera_id], maskers[hit.camera_id], hit.peak) for hit in hits]
    size = (stills[0].width, stills[0].height) if stills else (1, 1)
    try:
        writer = StillsWriter(out, size)
    except OSError as error:
        raise SearchError(f"cannot write in {out.parent}: {error.strerror or error}") from None
    try:
        for hit, still in zip(hits, stills, strict=True):
            writer.write(still, hit.peak)
        writer.finish(len(stills))
        os.rename(writer.temp, out)
    except (ExportError, OSError) as error:
        writer.discard()
        raise SearchError(f"thumbnails in {out}: {error}") from None

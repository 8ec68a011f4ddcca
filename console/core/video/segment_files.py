"""A recordings folder read into a `RecordingIndex`: which files are segments, and when
each starts and how long it runs.

Which files and when they start is the camera's recordings layout
(`recording_layouts`: Veil's folder of files named by their UTC start, or a Frigate
NVR's tree). Each file is opened once to learn its length and check that its first and
last frames decode, so a damaged file shows as a gap with its reason and never stops
the console.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2

from console.core.site.model import Camera, RecordingsLayout
from console.core.video.recording_index import BadSegment, RecordingIndex, Segment
from console.core.video.recording_layouts import VIDEO_SUFFIXES, list_segments, segment_start

__all__ = ["VIDEO_SUFFIXES", "index_camera", "index_recordings", "segment_start"]


def index_camera(camera: Camera) -> RecordingIndex:
    """The camera's recordings as its site lays them out."""
    return index_recordings(
        camera.id, camera.recordings, camera.recordings_layout, camera.recordings_name
    )


def index_recordings(
    camera_id: str,
    folder: Path | None,
    layout: RecordingsLayout = "veil",
    camera_name: str | None = None,
) -> RecordingIndex:
    """Read a recordings folder. Never raises: trouble becomes `problem` or a `BadSegment`.

    `camera_name` is the camera's folder in a Frigate tree (the id when None).
    """
    if folder is None:
        return RecordingIndex(
            camera_id, None, (), (), f"camera {camera_id} has no recordings folder configured"
        )
    try:
        listed = list_segments(layout, folder, camera_name or camera_id)
    except OSError as error:
        reason = error.strerror or str(error)
        return RecordingIndex(camera_id, folder, (), (), f"recordings folder {folder}: {reason}")
    segments: list[Segment] = []
    bad: list[BadSegment] = []
    for entry in listed:
        if entry.start is None or entry.problem is not None:
            bad.append(BadSegment(entry.path, entry.start, entry.problem or "no start time"))
            continue
        probed = _probe(entry.path, entry.start)
        if isinstance(probed, str):
            bad.append(BadSegment(entry.path, entry.start, probed))
        else:
            segments.append(probed)
    segments.sort(key=lambda segment: (segment.start, segment.path.name))
    return RecordingIndex(camera_id, folder, tuple(segments), tuple(bad))


def _probe(path: Path, start: float) -> Segment | str:
    """A Segment, or what is wrong with the file.

    Opening the file ourselves first turns "missing" or "permission denied" into those
    words instead of the decoder's generic failure. Decoding the last frame catches a
    truncated file whose header still promises every frame.
    """
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError as error:
        return f"cannot be read: {error.strerror or error}"
    capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    try:
        if not capture.isOpened():
            return "cannot be opened as video (damaged or not a video file)"
        frames = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(capture.get(cv2.CAP_PROP_FPS))
        if not (math.isfinite(fps) and 0 < fps <= 1000):
            return "the container gives no usable frame rate"
        if frames <= 0:
            return "the container holds no frames"
        ok, first = capture.read()
        if not ok or first is None:
            return "the first frame cannot be decoded"
        if frames > 1:
            capture.set(cv2.CAP_PROP_POS_FRAMES, frames - 1)
            ok, last = capture.read()
            if not ok or last is None:
                return f"damaged: frame {frames} of {frames} cannot be decoded"
        height, width = first.shape[:2]
        return Segment(path, start, frames, fps, int(width), int(height))
    except cv2.error as error:
        return f"cannot be decoded: {error}"
    finally:
        capture.release()

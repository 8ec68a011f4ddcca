"""A recordings folder read into a `RecordingIndex`: which files are segments, and when
each starts and how long it runs.

Segments' file names carry their start time in ISO 8601 (`2026-11-27T10-00-00Z.mp4`;
colons may stand in for the dashes of the time part). Each file is opened once to learn
its length and check that its first and last frames decode, so a damaged file shows as
a gap with its reason and never stops the console.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import cv2

from console.core.video.recording_index import BadSegment, RecordingIndex, Segment

VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov"})
"""Files with other suffixes (manifests, notes, hidden files) are not segments."""

_START = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2})[-:]?(?P<minute>\d{2})[-:]?(?P<second>\d{2})"
    r"(?P<fraction>[.,]\d{1,6})?(?P<zone>Z|[+-]\d{2}(?:[-:]?\d{2})?)"
)


def segment_start(name: str) -> float | None:
    """The start time (POSIX seconds) carried by a segment file's name, or None.

    A zone is required: a recorder's local time would be ambiguous twice a year.
    """
    match = _START.fullmatch(Path(name).stem)
    if match is None:
        return None
    zone = match["zone"]
    if zone == "Z":
        tz = UTC
    else:
        digits = zone[1:].replace(":", "").replace("-", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        offset = timedelta(hours=hours, minutes=minutes)
        tz = timezone(offset if zone[0] == "+" else -offset)
    fraction = (match["fraction"] or ".0")[1:]
    try:
        moment = datetime.fromisoformat(
            f"{match['date']}T{match['hour']}:{match['minute']}:{match['second']}"
        ).replace(tzinfo=tz)
    except ValueError:
        return None
    return moment.timestamp() + float(f"0.{fraction}")


def index_recordings(camera_id: str, folder: Path | None) -> RecordingIndex:
    """Read a recordings folder. Never raises: trouble becomes `problem` or a `BadSegment`."""
    if folder is None:
        return RecordingIndex(
            camera_id, None, (), (), f"camera {camera_id} has no recordings folder configured"
        )
    try:
        entries = sorted(folder.iterdir())
    except OSError as error:
        reason = error.strerror or str(error)
        return RecordingIndex(camera_id, folder, (), (), f"recordings folder {folder}: {reason}")
    segments: list[Segment] = []
    bad: list[BadSegment] = []
    for path in entries:
        if path.name.startswith(".") or path.suffix.lower() not in VIDEO_SUFFIXES:
            continue
        start = segment_start(path.name)
        if start is None:
            message = "the file name carries no start time (expected e.g. 2026-11-27T10-00-00Z.mp4)"
            bad.append(BadSegment(path, None, message))
            continue
        probed = _probe(path, start)
        if isinstance(probed, str):
            bad.append(BadSegment(path, start, probed))
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

"""Raw frames of one segment file, by frame number.

The only reader of recorded pixels. Its frames are unmasked, so it is used by exactly
two modules, each of which masks every frame before it leaves them: `recorded_frames`
(exports) and `playback_cursor` (the playback screen). `tests/core/test_layering.py`
holds it to that.
"""

from __future__ import annotations

import cv2
import numpy as np

from console.core.privacy.masking import Pixels
from console.core.video.recording_index import RecordingError, Segment

_SKIP_FRAMES = 50
"""Decoding this many frames forward is cheaper than a seek, which restarts at a keyframe."""


class SegmentDecoder:
    """An open segment; reads a frame by number, preferring cheap forward decoding."""

    def __init__(self, segment: Segment) -> None:
        self.segment = segment
        self._capture = cv2.VideoCapture(str(segment.path), cv2.CAP_FFMPEG)
        self._next = 0
        if not self._capture.isOpened():
            raise RecordingError(f"{segment.path}: cannot be opened any more (moved or deleted?)")

    def read(self, frame: int) -> Pixels:
        capture = self._capture
        try:
            if not self._next <= frame <= self._next + _SKIP_FRAMES:
                capture.set(cv2.CAP_PROP_POS_FRAMES, frame)
                self._next = frame
            while self._next < frame:
                capture.grab()
                self._next += 1
            ok, pixels = capture.read()
        except cv2.error:
            ok, pixels = False, None
        if not ok or pixels is None:
            self._next = -_SKIP_FRAMES - 1  # position unknown: seek next time
            raise RecordingError(
                f"{self.segment.path.name}: frame {frame + 1} of {self.segment.frames} "
                "cannot be decoded"
            )
        self._next = frame + 1
        return np.asarray(pixels, np.uint8)

    def close(self) -> None:
        self._capture.release()

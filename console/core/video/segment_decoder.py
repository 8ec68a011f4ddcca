"""Raw frames of one segment file, by frame number.

The only reader of recorded pixels. Its frames are unmasked, so it is used by exactly
two modules, each of which masks every frame before it leaves them: `recorded_frames`
(exports and smart search) and `playback_cursor` (the playback screen).
`tests/core/test_layering.py` holds it to that.
"""

from __future__ import annotations

from collections.abc import Iterator

import av
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


def scaled_frames(
    segment: Segment, frames: range, size: tuple[int, int], step: int
) -> Iterator[tuple[int, Pixels]]:
    """Every `step`-th frame of `frames`, scaled to `size` (grey), for motion search.

    Decoding is the cost of a search, so this asks FFmpeg for the least work that still
    sees motion: both cores decode (frame threads), the deblocking filter is skipped
    (it smooths block edges, it does not move anything), and frames are converted
    straight from the decoder's YUV to a small grey picture, never to full-size BGR.
    The frame number counts decoded frames, as `SegmentDecoder` does.
    """
    try:
        container = av.open(str(segment.path))
    except (av.FFmpegError, OSError) as error:
        raise RecordingError(f"{segment.path}: cannot be opened any more: {error}") from None
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.options = {"skip_loop_filter": "all"}
        width, height = size
        number = 0
        for frame in container.decode(stream):
            if number >= frames.stop:
                return
            if number >= frames.start and (number - frames.start) % step == 0:
                small = frame.reformat(width, height, "gray", interpolation="AREA")
                yield number, np.ascontiguousarray(small.to_ndarray(), np.uint8)
            number += 1
        if number < frames.stop:
            raise RecordingError(
                f"{segment.path.name}: ends after {number} of {segment.frames} frames"
            )
    except av.FFmpegError as error:
        raise RecordingError(f"{segment.path.name}: decoding failed: {error}") from None
    finally:
        container.close()

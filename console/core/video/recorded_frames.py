"""A stretch of a camera's recordings read for export or search, masked.

Frames leave this module only as `MaskedFrame`s. For exports, decoding runs a few
frames ahead in a thread so that decoding, masking and encoding overlap; for smart
search, frames are sampled small and grey (`sampled_frames`).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterator
from typing import cast

from console.core.privacy.masking import CameraMasker, MaskedFrame, Pixels
from console.core.video.recording_index import RecordingError, RecordingIndex, Segment
from console.core.video.segment_decoder import SegmentDecoder, scaled_frames


def masked_frames(
    index: RecordingIndex,
    masker: CameraMasker,
    start: float,
    end: float,
    size: tuple[int, int] | None = None,
) -> Generator[tuple[float, MaskedFrame]]:
    """Every recorded frame shown in [start, end) with its time, masked, in order.

    For exports: frames come at full resolution, or scaled to `size` through the
    masker's preview path, which keeps a mixed-resolution recording in one frame size
    without moving a mask edge. A segment that fails now although the index read it
    (deleted, replaced, damaged since) raises RecordingError; the caller decides.
    Close the generator to stop early; the decoding thread stops with it.
    """
    reader = _ReadAhead(list(index.plan(start, end)))
    try:
        for segment, frame, pixels in reader:
            moment = segment.frame_time(frame)
            if size is None or size == (segment.width, segment.height):
                yield moment, masker.full(pixels, recorded_at=moment)
            else:
                yield moment, masker.preview(pixels, *size, recorded_at=moment)
    finally:
        reader.close()


def sampled_frames(
    segment: Segment, frames: range, masker: CameraMasker, size: tuple[int, int], step: int
) -> Iterator[tuple[float, MaskedFrame]]:
    """Every `step`-th frame of `frames` in `segment`, small, grey and masked at `size`.

    For motion search, where decoding is the cost: the frame is scaled down by the
    decoder and masked at the small size, the masks rasterised outward at that size
    (so a small pixel touching a mask is masked). The scaler may still pull a little
    from a mask's edge into its neighbours, which is why search also leaves a margin
    around every mask out of its measurement (`console.core.search.exclusion`).
    Raises RecordingError when the segment cannot be read.
    """
    for number, pixels in scaled_frames(segment, frames, size, step):
        moment = segment.frame_time(number)
        yield moment, masker.full(pixels, recorded_at=moment)


_DONE = object()


class _ReadAhead:
    """Decodes planned frames in a thread, a few frames ahead of the masking.

    Decoding, masking and encoding all spend their time in OpenCV with the GIL
    released, so an export on two cores runs them side by side instead of in turn.
    Raw frames stay inside this module: the consumer is `masked_frames`, which masks them.
    """

    def __init__(self, plan: list[tuple[Segment, range]], depth: int = 4) -> None:
        self._queue: queue.Queue[object] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(plan,), name="veil-recording-reader", daemon=True
        )
        self._thread.start()

    def __iter__(self) -> Iterator[tuple[Segment, int, Pixels]]:
        while True:
            item = self._queue.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield cast(tuple[Segment, int, Pixels], item)

    def close(self) -> None:
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.05)  # unblock a producer waiting on a full queue
            except queue.Empty:
                pass
        self._thread.join()

    def _run(self, plan: list[tuple[Segment, range]]) -> None:
        try:
            for segment, frames in plan:
                decoder = SegmentDecoder(segment)
                try:
                    for frame in frames:
                        if not self._put((segment, frame, decoder.read(frame))):
                            return
                finally:
                    decoder.close()
        except RecordingError as error:
            self._put(error)
            return
        except Exception as error:  # a decoder crash must end the export, not hang it
            self._put(RecordingError(f"reading the recording failed: {error}"))
            return
        self._put(_DONE)

    def _put(self, item: object) -> bool:
        """Queue `item` unless the consumer has gone; False when it has."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

"""A camera's recorded video: an index of its segment files, and masked playback of it.

A recordings folder holds segments whose file names carry their start time in ISO 8601
(`2026-11-27T10-00-00Z.mp4`; colons may stand in for the dashes of the time part). Each
segment's length comes from its container (frame count / frame rate), so the index
knows exactly which instants were recorded; everything else is a gap. A segment that
cannot be read is shown as a gap with a message naming the file and the reason, because
the operator must see that footage is missing and why, and a damaged file must never
stop the console.

Playback never hands out a raw frame. `PlaybackCursor` owns the decoder and a
`CameraMasker`, and every picture leaves this module as a `MaskedFrame` (or as a `Blank`
saying why there is none), so a screen built on it cannot show an unmasked pixel by
mistake. Speed is not this module's business: the caller's `Transport` turns its clock
into a recording time and asks the cursor for the frame at that time.
"""

from __future__ import annotations

import bisect
import functools
import math
import queue
import re
import threading
from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import cast

import cv2
import numpy as np
import numpy.typing as npt

from console.core.privacy.masking import CameraMasker, MaskedFrame, MaskingError

Pixels = npt.NDArray[np.uint8]

VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov"})
"""Files with other suffixes (manifests, notes, hidden files) are not segments."""

CONTIGUOUS = 1.0
"""Seconds two segments may sit apart and still form one recording.

File names carry whole seconds while segment lengths are whole frames, so back-to-back
segments rarely meet exactly; a pause shorter than this is rounding, not a gap.
"""

NO_RECORDING = "no recording"

_START = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2})[-:]?(?P<minute>\d{2})[-:]?(?P<second>\d{2})"
    r"(?P<fraction>[.,]\d{1,6})?(?P<zone>Z|[+-]\d{2}(?:[-:]?\d{2})?)"
)
_SKIP_FRAMES = 50
"""Decoding this many frames forward is cheaper than a seek, which restarts at a keyframe."""


class RecordingError(Exception):
    """A segment the index called readable could not be read after all."""


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


def format_time(seconds: float) -> str:
    """`2026-11-27T10:00:00.040Z`: UTC with milliseconds, as the manifest and UI show it."""
    moment = datetime.fromtimestamp(seconds, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True, slots=True)
class Segment:
    """One readable video file of the recording."""

    path: Path
    start: float
    """POSIX seconds of the first frame, from the file name."""
    frames: int
    fps: float
    width: int
    height: int

    @property
    def end(self) -> float:
        """The instant the last frame stops being shown."""
        return self.start + self.frames / self.fps

    def frame_time(self, frame: int) -> float:
        return self.start + frame / self.fps

    def frame_at(self, moment: float) -> int:
        """The frame on screen at `moment`, clamped to the segment.

        A microsecond of slack absorbs float error, so `frame_at(frame_time(n)) == n`.
        """
        index = math.floor((moment - self.start) * self.fps + 1e-6)
        return min(max(index, 0), self.frames - 1)


@dataclass(frozen=True, slots=True)
class BadSegment:
    """A video file in the folder that cannot be played; `start` is None when the name has none."""

    path: Path
    start: float | None
    message: str


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of time with footage."""

    start: float
    end: float


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of time without playable footage, and why."""

    start: float
    end: float
    message: str


@dataclass(frozen=True)
class RecordingIndex:
    """A snapshot of one camera's recordings folder; build a new one to see new files."""

    camera_id: str
    folder: Path | None
    segments: tuple[Segment, ...]
    """Readable segments, by start time."""
    bad: tuple[BadSegment, ...] = ()
    problem: str | None = None
    """Why the folder as a whole could not be read, if it could not."""

    @functools.cached_property
    def _starts(self) -> list[float]:
        return [segment.start for segment in self.segments]

    @functools.cached_property
    def _longest(self) -> float:
        return max((segment.end - segment.start for segment in self.segments), default=0.0)

    def spans(self) -> tuple[Span, ...]:
        """Recorded time, with segments that meet (within `CONTIGUOUS`) merged."""
        spans: list[Span] = []
        for segment in self.segments:
            if spans and segment.start <= spans[-1].end + CONTIGUOUS:
                spans[-1] = Span(spans[-1].start, max(spans[-1].end, segment.end))
            else:
                spans.append(Span(segment.start, segment.end))
        return tuple(spans)

    def timeline(self, start: float, end: float) -> tuple[Span | Gap, ...]:
        """[start, end) cut into recorded spans and gaps, in order, covering it exactly."""
        pieces: list[Span | Gap] = []
        cursor = start
        for span in self.spans():
            if span.end <= start or span.start >= end:
                continue
            if span.start > cursor:
                pieces.append(Gap(cursor, span.start, self._gap_message(cursor, span.start)))
            pieces.append(Span(max(span.start, start), min(span.end, end)))
            cursor = min(span.end, end)
        if cursor < end:
            pieces.append(Gap(cursor, end, self._gap_message(cursor, end)))
        return tuple(pieces)

    def locate(self, moment: float) -> tuple[Segment, int] | None:
        """The segment and frame on screen at `moment`, or None in a gap.

        Where segments overlap, the one that started later wins.
        """
        for position in range(bisect.bisect_right(self._starts, moment) - 1, -1, -1):
            segment = self.segments[position]
            if segment.start + self._longest <= moment:
                break
            if moment < segment.end:
                return segment, segment.frame_at(moment)
        return None

    def gap_message(self, moment: float) -> str:
        """Why nothing plays at `moment`."""
        if self.problem is not None:
            return self.problem
        before = [s for s in self.spans() if s.end <= moment]
        after = [s for s in self.spans() if s.start > moment]
        start = before[-1].end if before else -math.inf
        end = after[0].start if after else math.inf
        return self._gap_message(start, end)

    def next_start(self, moment: float) -> float | None:
        """Start of the first recording that begins after `moment`."""
        return next((span.start for span in self.spans() if span.start > moment), None)

    def previous_start(self, moment: float, slack: float = 0.0) -> float | None:
        """Start of the last recording that begins before `moment - slack`.

        With a little slack, pressing "previous" inside a recording goes to its start and
        pressing it again at the start goes to the one before, as media players do.
        """
        earlier = [span.start for span in self.spans() if span.start < moment - slack]
        return earlier[-1] if earlier else None

    def frame_count(self, start: float, end: float) -> int:
        """How many frames `masked_frames(start, end)` will yield."""
        return sum(len(frames) for _, frames in self.plan(start, end))

    def plan(self, start: float, end: float) -> Iterator[tuple[Segment, range]]:
        """Each segment's frames in [start, end), in order.

        Where segments overlap, the later one picks up after the earlier one's last
        frame, so no instant is exported twice.
        """
        shown_until = start
        for segment in self.segments:
            if segment.end <= shown_until or segment.start >= end:
                continue
            first = max(0, math.ceil((shown_until - segment.start) * segment.fps - 1e-6))
            stop = min(segment.frames, math.ceil((end - segment.start) * segment.fps - 1e-6))
            if first < stop:
                yield segment, range(first, stop)
                shown_until = segment.frame_time(stop)

    def _gap_message(self, start: float, end: float) -> str:
        reasons = [
            f"{bad.path.name}: {bad.message}"
            for bad in self.bad
            if bad.start is not None and start <= bad.start < end
        ]
        return "; ".join(reasons) if reasons else NO_RECORDING


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


class _Decoder:
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


_DONE = object()


class _ReadAhead:
    """Decodes planned frames in a thread, a few frames ahead of the masking.

    Decoding, masking and encoding all spend their time in OpenCV with the GIL
    released, so an export on two cores runs them side by side instead of in turn.
    Raw frames stay inside this module: the consumer is `masked_frames`.
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
                decoder = _Decoder(segment)
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


@dataclass(frozen=True, slots=True)
class Shown:
    """The frame on screen at a recording time."""

    time: float
    """The frame's own time (its start), which may be a little before the time asked for."""
    frame: MaskedFrame
    segment: Segment
    number: int
    """Frame number within the segment, from 0."""


@dataclass(frozen=True, slots=True)
class Blank:
    """Nothing to show at `time`, and the message to show instead."""

    time: float
    message: str


Playback = Shown | Blank


class PlaybackCursor:
    """One camera's playhead: seek, step, jump between recordings, always masked.

    The last decoded picture is kept privately and masked again on every request, so a
    lift that ends (the masker's gate is asked per frame) or a tile resize takes effect
    on a paused picture too.
    """

    def __init__(
        self, index: RecordingIndex, masker: CameraMasker, size: tuple[int, int] | None = None
    ) -> None:
        self.index = index
        self.masker = masker
        self.size = size
        """Tile size in pixels for preview masking; None masks at the recording's resolution."""
        self.time = index.segments[0].start if index.segments else 0.0
        """The recording time the cursor stands at."""
        self._decoder: _Decoder | None = None
        self._at: tuple[Segment, int] | None = None
        self._pixels: Pixels | None = None

    def seek(self, moment: float) -> Playback:
        """The frame on screen at `moment`; cheap when moving forward a little, as in play."""
        self.time = moment
        located = self.index.locate(moment)
        if located is None:
            self._forget()
            return Blank(moment, self.index.gap_message(moment))
        return self._show(*located)

    def current(self) -> Playback:
        """The current picture masked again (after a lift change or resize)."""
        if self._at is None or self._pixels is None:
            return self.seek(self.time)
        return self._masked(*self._at, self._pixels)

    def step(self, frames: int = 1) -> Playback:
        """Move by whole frames, crossing into the next or previous segment (and gaps).

        From a gap, one step forward lands on the next recorded frame and one step back
        on the last frame before the gap.
        """
        if frames == 0:
            return self.current()
        position = self.index.locate(self.time) if self._at is None else self._at
        segments = self.index.segments
        if position is None:
            if frames > 0:
                later = [s for s in segments if s.start > self.time]
                if not later:
                    return self.seek(self.time)
                return self._show_at(later[0], 0, frames - 1)
            earlier = [s for s in segments if s.end <= self.time]
            if not earlier:
                return self.seek(self.time)
            last = max(earlier, key=lambda s: s.end)
            return self._show_at(last, last.frames - 1, frames + 1)
        segment, number = position
        return self._show_at(segment, number, frames)

    def next_recording(self) -> Playback:
        """The first frame of the next recording, or where we are if there is none."""
        start = self.index.next_start(self.time)
        return self.seek(self.time if start is None else start)

    def previous_recording(self) -> Playback:
        """The start of this recording, or of the previous one when already near the start."""
        slack = 0.5
        start = self.index.previous_start(self.time, slack)
        return self.seek(self.time if start is None else start)

    def close(self) -> None:
        """Release the decoder; the cursor reopens it if used again."""
        self._forget()

    def _show_at(self, segment: Segment, number: int, offset: int) -> Playback:
        """Frame `number + offset` counted through consecutive segments, clamped to the ends."""
        segments = self.index.segments
        position = segments.index(segment)
        number += offset
        while number >= segment.frames and position + 1 < len(segments):
            number -= segment.frames
            position += 1
            segment = segments[position]
        while number < 0 and position > 0:
            position -= 1
            segment = segments[position]
            number += segment.frames
        number = min(max(number, 0), segment.frames - 1)
        self.time = segment.frame_time(number)
        return self._show(segment, number)

    def _show(self, segment: Segment, number: int) -> Playback:
        if self._at == (segment, number) and self._pixels is not None:
            return self._masked(segment, number, self._pixels)
        try:
            if self._decoder is None or self._decoder.segment != segment:
                self._forget()
                self._decoder = _Decoder(segment)
            pixels = self._decoder.read(number)
        except RecordingError as error:
            self._forget()
            return Blank(self.time, str(error))
        self._at = (segment, number)
        self._pixels = pixels
        return self._masked(segment, number, pixels)

    def _masked(self, segment: Segment, number: int, pixels: Pixels) -> Playback:
        moment = segment.frame_time(number)
        try:
            if self.size is None:
                frame = self.masker.full(pixels, recorded_at=moment)
            else:
                frame = self.masker.preview(pixels, *self.size, recorded_at=moment)
        except MaskingError as error:
            return Blank(self.time, f"masks could not be applied, picture withheld: {error}")
        return Shown(segment.frame_time(number), frame, segment, number)

    def _forget(self) -> None:
        if self._decoder is not None:
            self._decoder.close()
        self._decoder = None
        self._at = None
        self._pixels = None


class SyncedPlayback:
    """Several cameras' cursors driven by one recording time, as a layout plays in sync."""

    def __init__(self, cursors: Mapping[str, PlaybackCursor]) -> None:
        self.cursors = dict(cursors)
        """Camera id -> cursor, in layout order."""

    def seek(self, moment: float) -> dict[str, Playback]:
        """Each camera's masked frame at `moment`, or a Blank saying why there is none."""
        return {camera: cursor.seek(moment) for camera, cursor in self.cursors.items()}

    def next_start(self, moment: float) -> float | None:
        """The earliest recording start after `moment` on any of the cameras."""
        starts = [c.index.next_start(moment) for c in self.cursors.values()]
        return min((s for s in starts if s is not None), default=None)

    def previous_start(self, moment: float, slack: float = 0.5) -> float | None:
        """The latest recording start before `moment - slack` on any of the cameras."""
        starts = [c.index.previous_start(moment, slack) for c in self.cursors.values()]
        return max((s for s in starts if s is not None), default=None)

    def close(self) -> None:
        for cursor in self.cursors.values():
            cursor.close()

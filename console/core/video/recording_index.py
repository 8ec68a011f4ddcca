"""What a camera's recordings hold, as a timeline: segments, the spans they cover, the gaps.

Each segment's length comes from its container (frame count / frame rate), so the index
knows exactly which instants were recorded; everything else is a gap. A segment that
cannot be read is a gap too, with a message naming the file and the reason, because the
operator must see that footage is missing and why. Pure data: the files are read by
`segment_files`, their frames by `segment_decoder`.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CONTIGUOUS = 1.0
"""Seconds two segments may sit apart and still form one recording.

File names carry whole seconds while segment lengths are whole frames, so back-to-back
segments rarely meet exactly; a pause shorter than this is rounding, not a gap.
"""

NO_RECORDING = "no recording"


class RecordingError(Exception):
    """A segment the index called readable could not be read after all."""


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

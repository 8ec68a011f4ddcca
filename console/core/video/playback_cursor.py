"""Masked playback of a camera's recordings: a playhead that seeks, steps and jumps.

Playback never hands out a raw frame. `PlaybackCursor` owns the decoder and a
`CameraMasker`, and every picture leaves this module as a `MaskedFrame` (or as a `Blank`
saying why there is none), so a screen built on it cannot show an unmasked pixel by
mistake. Speed is not this module's business: the caller's `Transport` turns its clock
into a recording time and asks the cursor for the frame at that time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from console.core.privacy.masking import CameraMasker, MaskedFrame, MaskingError, Pixels
from console.core.video.recording_index import RecordingError, RecordingIndex, Segment
from console.core.video.segment_decoder import SegmentDecoder


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
        self._decoder: SegmentDecoder | None = None
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
                self._decoder = SegmentDecoder(segment)
            pixels = self._decoder.read(number)
        except RecordingError as error:
            self._forget()
            return Blank(self.time, str(error))
        self._at = (segment, number)
        self._pixels = pixels
        return self._masked(segment, number, pixels)

    def _masked(self, segment: Segment, number: int, pixels: Pixels) -> Playback:
        try:
            if self.size is None:
                frame = self.masker.full(pixels)
            else:
                frame = self.masker.preview(pixels, *self.size)
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

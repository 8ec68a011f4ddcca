"""A camera's recording as a tile shows it, at whatever time the playback screen sets.

The playback screen only moves a time (`show`); tiles ask this source for the picture
at their own pace, exactly as they ask a live feed. Saying *which* frame is on screen
is cheap (an index lookup), so `version` and `status` never decode; the decoding and
masking happen in `preview`, which goes through the camera's `PlaybackCursor` and so
hands out only `MaskedFrame`s. A lock keeps the tile's calls and the screen's steps
from sharing the cursor's decoder at the same time.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable

from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.video.feed import FeedStatus
from console.core.video.playback_cursor import Blank, PlaybackCursor
from console.core.video.recording_index import Segment


class PlaybackSource:
    """A `TileSource` over one camera's recordings."""

    def __init__(self, title: str, cursor: PlaybackCursor) -> None:
        self.cursor = cursor
        self._title = title
        self.moment = cursor.time
        """The recording time (POSIX seconds) to show; the playback screen moves it."""
        self._lock = threading.Lock()
        self._failure: tuple[Hashable, str] | None = None
        """(frame key, why) for a frame the index has but that could not be shown."""
        self._maskers = 0
        """Bumped when the masks change, which changes the picture."""
        self._closed = False

    @property
    def camera_id(self) -> str:
        return self.cursor.index.camera_id

    @property
    def title(self) -> str:
        return self._title

    def show(self, moment: float) -> None:
        self.moment = moment

    def located(self) -> tuple[Segment, int] | None:
        """The segment and frame number on screen at `moment`, None in a gap."""
        return self.cursor.index.locate(self.moment)

    def frame_time(self) -> float | None:
        """When the frame on screen was recorded; None in a gap."""
        located = self.located()
        return None if located is None else located[0].frame_time(located[1])

    def _key(self) -> Hashable:
        located = self.located()
        return None if located is None else (located[0].path, located[1])

    @property
    def version(self) -> Hashable:
        key = self._key()
        return (key, self.cursor.masker.gate.lifted(), self._failure, self._maskers)

    @property
    def status(self) -> FeedStatus:
        key = self._key()
        if key is None:
            return FeedStatus("lost", self.cursor.index.gap_message(self.moment))
        failure = self._failure
        if failure is not None and failure[0] == key:
            return FeedStatus("error", failure[1])
        return FeedStatus("live")

    def preview(self, width: int, height: int) -> MaskedFrame | None:
        """The frame at `moment`, masked at `width` x `height`; None in a gap or on failure."""
        key = self._key()
        with self._lock:
            if self._closed:
                return None
            self.cursor.size = (width, height)
            shown = self.cursor.seek(self.moment)
        if isinstance(shown, Blank):
            if key is not None:
                self._failure = (key, shown.message)
            return None
        return shown.frame

    def use_masker(self, masker: CameraMasker) -> None:
        """Mask with `masker` from now on (the export preview's extra masks changed)."""
        with self._lock:
            self.cursor.masker = masker
            self._maskers += 1

    def step(self, frames: int) -> float:
        """Move `frames` frames from the one at `moment` (across gaps); the new time."""
        with self._lock:
            if self._closed:
                return self.moment
            self.cursor.seek(self.moment)
            self.cursor.step(frames)
            self.moment = self.cursor.time
        return self.moment

    def close(self) -> None:
        """Release the decoder for good: a tile thread asking later gets no picture."""
        with self._lock:
            self._closed = True
            self.cursor.close()

"""A camera's newest recorded frame, for the mask editor over a camera that is not live.

An administrator fixing masks while a camera is down (or before it connects) still has
to see what the masks cover, so the editor falls back to the last frame the recordings
hold. Like `CameraFeed.beneath` it has no mask applied, or only the editor's draft for
the real look, and the same rule keeps it safe: the editor is offered only to roles
holding `admin`, and its opening is audited. Nothing else uses it.

The frame is read once, through the recordings' masking reader with no mask (as
`beneath` masks with none), and masked again with the draft at every real-look edit.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.privacy.masks import Mask
from console.core.site.model import Camera
from console.core.video.feed import FeedStatus
from console.core.video.recorded_frames import masked_frames
from console.core.video.recording_index import RecordingError, RecordingIndex
from console.core.video.segment_files import index_camera


@dataclass(frozen=True, slots=True, eq=False)
class LastRecorded:
    """The newest readable recorded frame of one camera, and when it was recorded."""

    camera: Camera
    frame: MaskedFrame
    """With no mask applied."""
    recorded_at: float
    """POSIX seconds."""

    def beneath(self, masks: Sequence[Mask] = ()) -> RecordedBeneath:
        return RecordedBeneath(self, tuple(masks))


def last_recorded(camera: Camera) -> LastRecorded | None:
    """The camera's newest readable frame; None when it has no recordings (or none that
    can be read: a damaged last segment falls back to the one before)."""
    index = index_camera(camera)
    bare = CameraMasker(camera.id, ())
    for segment in sorted(index.segments, key=lambda s: s.end, reverse=True):
        at = segment.frame_time(segment.frames - 1)
        only = RecordingIndex(camera.id, index.folder, (segment,))
        frames = masked_frames(only, bare, at, segment.end)
        try:
            for moment, frame in frames:
                return LastRecorded(camera, frame, moment)
        except RecordingError:
            continue
        finally:
            frames.close()
    return None


class RecordedBeneath:
    """The last recorded frame as a `TileSource`, with only `masks` applied."""

    def __init__(self, recorded: LastRecorded, masks: tuple[Mask, ...]) -> None:
        self.recorded = recorded
        self.masks = masks

    @property
    def title(self) -> str:
        return self.recorded.camera.name

    @property
    def status(self) -> FeedStatus:
        return FeedStatus("live")

    @property
    def version(self) -> Hashable:
        return (id(self.recorded), self.masks)

    def preview(self, width: int, height: int) -> MaskedFrame | None:
        masker = CameraMasker(self.recorded.camera.id, self.masks)
        recorded = self.recorded
        pixels = recorded.frame.pixels
        return masker.preview(pixels, width, height, recorded_at=recorded.recorded_at)

"""A camera as the console sees it: its sources joined to its masks.

The feed is the single point where raw frames meet the masking stage. Tiles, the
hotspot and stills ask the feed for a `MaskedFrame` at the size they need; they never
see a raw frame. When masking fails, the feed withholds video and reports
"masks-unavailable" until masking works again: it fails closed per camera.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from console.core.privacy.masking import CameraMasker, LiftGate, MaskedFrame, MaskingError
from console.core.privacy.masks import Mask
from console.core.site.model import Camera
from console.core.timebase.clock import Clock, monotonic
from console.core.video.sources import CredentialLookup, FrameSource, SourceStatus, State

_MaskCall = Callable[[], MaskedFrame]
SourceFactory = Callable[[str], FrameSource]
"""Source spec -> source; tests substitute sources that replay fixed frames."""
FeedState = State | Literal["masks-unavailable"]


@dataclass(frozen=True, slots=True)
class FeedStatus:
    """The camera's state as a tile shows it."""

    state: FeedState
    message: str = ""


class TileSource(Protocol):
    """Anything a tile can show: a live feed, a playback cursor, a carousel slot.

    `version` changes whenever `preview` would return a different picture: a new frame,
    or a lift starting or ending. A tile redraws only when it changes, which keeps idle
    tiles free and makes a lift or an apply show on the very next tick.
    """

    @property
    def title(self) -> str: ...

    @property
    def status(self) -> FeedStatus: ...

    @property
    def version(self) -> Hashable: ...

    def preview(self, width: int, height: int) -> MaskedFrame | None: ...


class CameraFeed:
    """One camera: a tile-resolution source, a lazily opened full-resolution one, masks."""

    def __init__(
        self,
        camera: Camera,
        gate: LiftGate,
        *,
        credentials: CredentialLookup | None = None,
        clock: Clock = monotonic,
        timeout: float | None = None,
        source_factory: SourceFactory | None = None,
    ) -> None:
        """`timeout` overrides the camera's own (tests shorten it)."""
        self.camera = camera
        self.masker = CameraMasker(camera.id, camera.masks, gate)
        self._credentials = credentials
        self._clock = clock
        self._timeout = camera.timeout if timeout is None else timeout
        self._factory = source_factory or self._open_source
        self._tile = self._factory(camera.tile_source or camera.source)
        self._main: FrameSource | None = None if camera.tile_source else self._tile
        self._lock = threading.Lock()
        self._masking_error: str | None = None

    def _open_source(self, spec: str) -> FrameSource:
        return FrameSource(
            spec,
            fps=self.camera.fps,
            credential=self.camera.credential,
            credentials=self._credentials,
            clock=self._clock,
            timeout=self._timeout,
            transport=self.camera.transport,
        )

    def start(self) -> None:
        self._tile.start()

    def stop(self) -> None:
        for source in {id(s): s for s in (self._tile, self._main) if s is not None}.values():
            source.stop()

    @property
    def title(self) -> str:
        return self.camera.name

    @property
    def sequence(self) -> int:
        """Bumps with every new tile frame."""
        frame = self._tile.latest()
        return frame.sequence if frame is not None else 0

    @property
    def version(self) -> Hashable:
        """The frame and the lift state: either changing means the masked picture does."""
        return (self.sequence, self.masker.gate.lifted())

    @property
    def source_size(self) -> tuple[int, int] | None:
        """(width, height) of the tile stream's pictures, for keeping proportions."""
        frame = self._tile.latest()
        return (frame.pixels.shape[1], frame.pixels.shape[0]) if frame is not None else None

    @property
    def status(self) -> FeedStatus:
        if self._masking_error is not None:
            return FeedStatus("masks-unavailable", self._masking_error)
        source: SourceStatus = self._tile.status
        return FeedStatus(source.state, source.message)

    def preview(self, width: int, height: int) -> MaskedFrame | None:
        """The newest frame masked for a tile of `width` x `height` pixels, or None."""
        frame = self._tile.latest()
        if frame is None:
            return None
        return self._guard(
            lambda: self.masker.preview(frame.pixels, width, height, frame.captured_at)
        )

    def beneath(self, width: int, height: int, masks: Sequence[Mask] = ()) -> MaskedFrame | None:
        """The newest frame with only `masks` applied (none, or the editor's draft for
        its real-look preview), for the mask editor only.

        An administrator drawing masks has to see what they cover; the editor is offered
        only to roles holding `admin` and its opening is audited. Nothing else calls this.
        """
        frame = self._tile.latest()
        if frame is None:
            return None
        bare = CameraMasker(self.camera.id, masks)
        return self._guard(lambda: bare.preview(frame.pixels, width, height, frame.captured_at))

    def full(self, wait: float = 0.0) -> MaskedFrame | None:
        """The newest full-resolution frame, masked; opens the main stream on first use."""
        with self._lock:
            if self._main is None:
                self._main = self._factory(self.camera.source)
            self._main.start()
        frame = self._main.wait_for_frame(wait) if wait else self._main.latest()
        if frame is None:
            return None
        return self._guard(lambda: self.masker.full(frame.pixels, frame.captured_at))

    def main_status(self) -> FeedStatus:
        """Status of the full-resolution stream (the tile stream's if there is only one)."""
        source = self._main or self._tile
        return FeedStatus(source.status.state, source.status.message)

    def _guard(self, mask: _MaskCall) -> MaskedFrame | None:
        try:
            masked = mask()
        except MaskingError as error:
            self._masking_error = f"masks unavailable: {error}; video withheld"
            return None
        self._masking_error = None
        return masked


class BeneathMasks:
    """A camera's picture with no mask applied, or only the editor's `masks`, as the mask
    editor shows it (see `CameraFeed.beneath`): a `TileSource` so the editor draws it as
    tiles are drawn."""

    def __init__(self, feed: CameraFeed, masks: Sequence[Mask] = ()) -> None:
        self.feed = feed
        self.masks = tuple(masks)

    @property
    def title(self) -> str:
        return self.feed.title

    @property
    def status(self) -> FeedStatus:
        return self.feed.status

    @property
    def version(self) -> Hashable:
        return (self.feed.sequence, self.masks)

    def preview(self, width: int, height: int) -> MaskedFrame | None:
        return self.feed.beneath(width, height, self.masks)

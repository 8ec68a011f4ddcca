"""Fixtures for fault tests: a camera with a secret under a solid mask, served or played."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from console.core.privacy.masking import NEVER_LIFTED
from console.core.privacy.masks import Mask
from console.core.site.model import Camera
from console.core.video.feed import CameraFeed
from console.core.video.sources import FrameSource
from tests.faults.privacy_watch import SECRET_MASK, scene
from tests.support.mjpeg_server import MjpegServer

TIMEOUT = 1.0
"""Seconds a source waits for a connection or a frame before calling the camera lost."""

BACKOFF = (0.05, 0.2)
"""Reconnect quickly, so a camera that comes back is live again within a fraction of a second."""

FeedMaker = Callable[..., CameraFeed]


def quick_source(spec: str) -> FrameSource:
    return FrameSource(spec, timeout=TIMEOUT, backoff=BACKOFF)


@pytest.fixture
def camera_server() -> Iterator[MjpegServer]:
    with MjpegServer([scene(256, 192)], fps=25) as server:
        yield server


@pytest.fixture
def make_feed() -> Iterator[FeedMaker]:
    """Builds started feeds (stopped after the test) for a source spec and masks."""
    feeds: list[CameraFeed] = []

    def make(
        spec: str, masks: tuple[Mask, ...] = (SECRET_MASK,), quick_backoff: bool = True
    ) -> CameraFeed:
        """`quick_backoff=False` keeps the feed's own sources and their default back-off."""
        camera = Camera(id="cam", name="Camera", source=spec, masks=masks)
        feed = CameraFeed(
            camera,
            NEVER_LIFTED,
            timeout=TIMEOUT,
            source_factory=quick_source if quick_backoff else None,
        )
        feeds.append(feed)
        feed.start()
        return feed

    yield make
    for feed in feeds:
        feed.stop()

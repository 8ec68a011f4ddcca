"""Fixtures for the RTSP tests: the real GStreamer RTSP camera, and feeds watching it.

The camera shows the fault tests' scene (a gradient with a saturated secret in the
middle). H.264 and JPEG smear a sharp edge over a few pixels, so the mask here covers
the secret with a 16-pixel margin (one macroblock): the privacy check then asks that no
secret-coloured pixel survives anywhere, margin included, and that every pixel under
the mask is exactly the mask's colour.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.privacy.masking import NEVER_LIFTED, MaskedFrame
from console.core.privacy.masks import Mask, RectGeometry, rasterize
from console.core.site.model import Camera, StreamTransport
from console.core.video import credentials
from console.core.video.feed import CameraFeed
from console.core.video.sources import FrameSource
from tests.faults.privacy_watch import MASK_BGR, scene
from tests.support.rtsp_camera import RtspCamera

TIMEOUT = 1.0
"""Seconds a source waits for a connection or a frame before calling the camera lost."""
BACKOFF = (0.05, 0.2)
"""Reconnect quickly, so a camera that comes back is live again within a second."""
USER = "viewer"
PASSWORD = "pa:ss/w@rd%20"
"""Characters a URL must escape, so a wrongly built URL fails to authenticate."""

RTSP_MASK = Mask(
    "secret", "permanent", "solid", RectGeometry(0.1875, 0.1875, 0.8125, 0.8125), MASK_BGR
)

FeedMaker = Callable[..., CameraFeed]


def write_scene(path: Path, width: int, height: int) -> Path:
    cv2.imwrite(str(path), scene(width, height))
    return path


@pytest.fixture
def small_scene(tmp_path: Path) -> Path:
    return write_scene(tmp_path / "scene-256x192.png", 256, 192)


@pytest.fixture
def wide_scene(tmp_path: Path) -> Path:
    return write_scene(tmp_path / "scene-512x256.png", 512, 256)


@pytest.fixture
def camera(small_scene: Path) -> Iterator[RtspCamera]:
    """An RTSP camera without authentication."""
    with RtspCamera([small_scene]) as server:
        yield server


@pytest.fixture
def guarded(small_scene: Path) -> Iterator[RtspCamera]:
    """An RTSP camera that wants viewer / PASSWORD (Basic)."""
    with RtspCamera([small_scene], user=USER, password=PASSWORD) as server:
        yield server


@pytest.fixture
def make_feed() -> Iterator[FeedMaker]:
    """Started feeds (stopped after the test) for a URL, with the keyring as credential store."""
    feeds: list[CameraFeed] = []

    def make(
        url: str,
        *,
        credential: str | None = None,
        transport: StreamTransport = "auto",
        masks: tuple[Mask, ...] = (RTSP_MASK,),
        camera_id: str = "cam",
    ) -> CameraFeed:
        camera = Camera(camera_id, "Camera", url, masks=masks, credential=credential)

        def source(spec: str) -> FrameSource:
            return FrameSource(
                spec,
                credential=credential,
                credentials=credentials.resolve,
                timeout=TIMEOUT,
                transport=transport,
                backoff=BACKOFF,
            )

        feed = CameraFeed(camera, NEVER_LIFTED, timeout=TIMEOUT, source_factory=source)
        feeds.append(feed)
        feed.start()
        return feed

    yield make
    for feed in feeds:
        feed.stop()


def scene_difference(frame: MaskedFrame, width: int, height: int) -> float:
    """Mean difference from the scene outside the mask: small when the video is the scene."""
    expected = scene(width, height)
    outside = ~rasterize(RTSP_MASK.geometry, width, height)
    difference = np.abs(frame.pixels.astype(int) - expected.astype(int))
    return float(difference[outside].mean())

"""The watch itself catches leaks, so a fault test that reports none has really looked."""

from __future__ import annotations

from console.core.privacy.masking import CameraMasker
from tests.core.test_sources import eventually
from tests.faults.conftest import FeedMaker
from tests.faults.privacy_watch import SECRET_MASK, PrivacyWatch, scene
from tests.support.mjpeg_server import MjpegServer


def test_an_unmasked_feed_is_caught(camera_server: MjpegServer, make_feed: FeedMaker) -> None:
    feed = make_feed(camera_server.url, masks=())
    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 2)
    problems = " ".join(watch.seen.violations)
    assert "not its colour" in problems
    assert "look like the secret" in problems


def test_rasters_stretched_from_another_size_are_caught(
    camera_server: MjpegServer, make_feed: FeedMaker
) -> None:
    feed = make_feed(camera_server.url)
    masks = (SECRET_MASK,)
    stale = CameraMasker("cam", masks)._layers_for((masks, 256, 192, False), (256, 192))
    feed.masker._layers_for = lambda key, source: stale  # type: ignore[method-assign]
    camera_server.set_frames([scene(512, 256)])
    camera_server.restart()
    with PrivacyWatch(feed, [SECRET_MASK], previews=()) as watch:
        assert eventually(lambda: (512, 256) in watch.seen.full_sizes)
    assert any(v.startswith("512x256: ") for v in watch.seen.violations)

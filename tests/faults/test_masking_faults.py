"""Masking that breaks mid-stream: the camera withholds video until masking works again."""

from __future__ import annotations

import pytest

from console.core.privacy.masking import Pixels
from tests.core.test_sources import eventually
from tests.faults.conftest import FeedMaker
from tests.faults.privacy_watch import SECRET_MASK, PrivacyWatch
from tests.support.mjpeg_server import MjpegServer


def test_masking_failure_withholds_video_and_recovers(
    camera_server: MjpegServer, make_feed: FeedMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed = make_feed(camera_server.url)

    def broken(*args: object) -> Pixels:
        raise RuntimeError("raster cache corrupted")

    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 3)
        monkeypatch.setattr(feed.masker, "_apply", broken)
        assert eventually(lambda: watch.state() == "masks-unavailable")
        assert feed.preview(64, 48) is None
        assert feed.full() is None
        assert "raster cache corrupted" in feed.status.message
        assert "withheld" in feed.status.message
        frames = watch.seen.frames
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 50)
        assert watch.seen.frames == frames, "no frame while masking fails"
        monkeypatch.undo()
        captures = watch.captures()
        assert eventually(lambda: watch.state() == "live" and watch.captures() > captures + 3)
    seen = watch.seen
    assert seen.violations == []
    assert seen.since_connected() == ["live", "masks-unavailable", "live"]
    assert feed.status.message == ""

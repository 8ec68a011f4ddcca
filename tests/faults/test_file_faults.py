"""A video file that disappears or is cut short under a playing camera.

The camera plays a copy of the demo gate clip, whose LCD code panel and guard booth sit
under solid masks; every frame handed out during the fault is checked against them.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from console.core.site.config import load_site
from console.core.site.model import Camera
from tests.conftest import DEMO, DEMO_SITE
from tests.core.test_sources import eventually
from tests.faults.conftest import FeedMaker
from tests.faults.privacy_watch import PrivacyWatch


@pytest.fixture(scope="module")
def gate() -> Camera:
    return next(camera for camera in load_site(DEMO_SITE).cameras if camera.id == "gate")


@pytest.fixture
def clip(tmp_path: Path) -> Path:
    return Path(shutil.copy(DEMO / "clips" / "gate.mp4", tmp_path / "gate.mp4"))


def watch_gate(feed_maker: FeedMaker, gate: Camera, clip: Path) -> PrivacyWatch:
    feed = feed_maker(str(clip), masks=gate.masks)
    solids = [mask for mask in gate.masks if mask.style == "solid"]
    assert len(solids) == 2, "the demo gate camera's solid masks moved; update this test"
    return PrivacyWatch(feed, solids, secret=None)


def test_video_file_deleted_while_playing(clip: Path, gate: Camera, make_feed: FeedMaker) -> None:
    with watch_gate(make_feed, gate, clip) as watch:
        assert eventually(lambda: watch.captures() > 3)
        clip.unlink()
        assert eventually(lambda: watch.state() == "error")
        assert "video file not found" in watch.feed.status.message
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 20), "no video while gone"
        captures = watch.captures()
        shutil.copy(DEMO / "clips" / "gate.mp4", clip)
        assert eventually(lambda: watch.state() == "live" and watch.captures() > captures + 3)
    seen = watch.seen
    assert seen.violations == []
    assert seen.since_connected()[0] == "live"
    assert "error" in seen.states
    assert set(seen.states) <= {"connecting", "live", "lost", "error"}


@pytest.mark.parametrize("keep", [0.5, 0.0])
def test_video_file_truncated_while_playing(
    clip: Path, gate: Camera, make_feed: FeedMaker, keep: float
) -> None:
    with watch_gate(make_feed, gate, clip) as watch:
        assert eventually(lambda: watch.captures() > 3)
        os.truncate(clip, int(clip.stat().st_size * keep))
        assert eventually(lambda: watch.state() == "error")
        assert str(clip) in watch.feed.status.message
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 20), "no video while broken"
    seen = watch.seen
    assert seen.violations == []
    assert seen.since_connected()[0] == "live"
    assert set(seen.states) <= {"connecting", "live", "lost", "error"}

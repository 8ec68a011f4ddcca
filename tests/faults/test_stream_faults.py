"""Network cameras misbehaving: no unmasked frame ever comes out, and the status tells the truth.

Each test runs a `PrivacyWatch` through the whole fault, so every frame the feed hands
out while the stream dies, garbles, resizes or hangs is checked against the solid mask
over the scene's secret.
"""

from __future__ import annotations

from tests.core.test_sources import eventually
from tests.faults.conftest import TIMEOUT, FeedMaker
from tests.faults.privacy_watch import SECRET_MASK, PrivacyWatch, scene
from tests.support.mjpeg_server import MjpegServer


def test_stream_that_stops_and_comes_back(camera_server: MjpegServer, make_feed: FeedMaker) -> None:
    feed = make_feed(camera_server.url)
    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
        camera_server.stop()
        assert eventually(lambda: watch.state() == "lost")
        assert camera_server.url.removesuffix("/stream.mjpg") in feed.status.message
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 10), "lost shows no video"
        captures = watch.captures()
        camera_server.start()
        assert eventually(lambda: watch.state() == "live" and watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert seen.states[-3:] == ["live", "lost", "live"]
    assert feed.status.message == ""


def test_corrupt_jpeg_parts(camera_server: MjpegServer, make_feed: FeedMaker) -> None:
    feed = make_feed(camera_server.url)
    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
        sent = camera_server.frames_sent
        camera_server.corrupt = True
        assert eventually(lambda: camera_server.frames_sent > sent + 25), "a second of garbage"
        camera_server.corrupt = False
        captures = watch.captures()
        assert eventually(lambda: watch.state() == "live" and watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert set(seen.states) <= {"connecting", "live", "lost"}, seen.states
    assert feed.status.state == "live"


def test_single_corrupt_part_keeps_the_camera_live(
    camera_server: MjpegServer, make_feed: FeedMaker
) -> None:
    feed = make_feed(camera_server.url)
    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
        sent = camera_server.frames_sent
        camera_server.corrupt = True
        assert eventually(lambda: camera_server.frames_sent > sent)
        camera_server.corrupt = False
        assert camera_server.frames_sent <= sent + 3, "meant: fewer bad parts than tolerated"
        captures = watch.captures()
        assert eventually(lambda: watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert seen.since_connected() == ["live"]


def test_resolution_change_rebuilds_the_mask_rasters(
    camera_server: MjpegServer, make_feed: FeedMaker
) -> None:
    feed = make_feed(camera_server.url)
    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: (256, 192) in watch.seen.full_sizes)
        connections = camera_server.connections
        camera_server.set_frames([scene(512, 256)])
        # The open stream delivers the new frames at their own size and aspect ratio...
        assert eventually(lambda: (512, 256) in watch.seen.full_sizes)
        captures = watch.captures()
        assert eventually(lambda: watch.captures() > captures + 5)
        assert camera_server.connections == connections, "no reconnect was needed"
        # ...and so does a new connection.
        camera_server.restart()
        captures = watch.captures()
        assert eventually(lambda: watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert seen.full_sizes == {(256, 192), (512, 256)}


def test_silent_stream_times_out_into_lost_without_blocking_the_caller(
    camera_server: MjpegServer, make_feed: FeedMaker
) -> None:
    feed = make_feed(camera_server.url)
    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
        camera_server.stall = True
        assert eventually(lambda: watch.state() == "lost", timeout=TIMEOUT * 3)
        captures = watch.captures()
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 50)
        assert watch.captures() == captures, "no video while nothing arrives"
        camera_server.stall = False
        assert eventually(lambda: watch.state() == "live" and watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert seen.longest_call < TIMEOUT / 2, "preview() or full() waited for the network"


def test_server_that_accepts_and_never_sends_is_lost_from_the_start(
    camera_server: MjpegServer, make_feed: FeedMaker
) -> None:
    camera_server.stall = True
    feed = make_feed(camera_server.url, quick_backoff=False)
    with PrivacyWatch(feed, [SECRET_MASK]) as watch:
        assert eventually(lambda: camera_server.connections >= 1)
        assert eventually(lambda: watch.state() == "lost", timeout=TIMEOUT * 3)
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 50)
    seen = watch.seen
    assert seen.frames == 0
    assert seen.violations == []
    assert seen.states == ["connecting", "lost"]
    assert seen.longest_call < TIMEOUT / 2, "preview() or full() waited for the network"
    assert "cannot connect to http://127.0.0.1" in feed.status.message

"""RTSP cameras against the real GStreamer RTSP server on 127.0.0.1 (issue 12, section 1).

Each test watches the feed with a `PrivacyWatch` from start to end, so every frame the
feed hands out while the camera connects, streams, dies, stalls or changes resolution
is checked against the mask; and each checks what the status said.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from console.core.video import credentials
from tests.core.test_sources import eventually
from tests.core.test_streams import StatusRecorder
from tests.faults.privacy_watch import PrivacyWatch
from tests.rtsp.conftest import (
    PASSWORD,
    RTSP_MASK,
    TIMEOUT,
    USER,
    FeedMaker,
    scene_difference,
)
from tests.support.rtsp_camera import RtspCamera


@pytest.mark.parametrize("auth", ["basic", "digest"])
@pytest.mark.parametrize("mount", ["h264", "mjpeg"])
def test_goes_live_with_the_keyring_credential_and_every_frame_is_masked(
    small_scene: Path,
    make_feed: FeedMaker,
    capfd: pytest.CaptureFixture[str],
    auth: str,
    mount: str,
) -> None:
    credentials.store("cam", USER, PASSWORD)
    with RtspCamera([small_scene], user=USER, password=PASSWORD, auth=auth) as camera:
        feed = make_feed(camera.url(mount), credential="cam")
        recorder = StatusRecorder(feed._tile)
        with PrivacyWatch(feed, [RTSP_MASK]) as watch:
            assert eventually(lambda: watch.captures() > 10), recorder.seen
        seen = recorder.close()
        assert feed.status.state == "live"
        full = feed.full()
    assert watch.seen.violations == []
    assert full is not None
    assert (full.width, full.height) == (256, 192)
    assert scene_difference(full, 256, 192) < 16, "what came through is the scene"
    for status in seen:
        assert PASSWORD not in status.message and USER not in status.message
    out, err = capfd.readouterr()
    assert PASSWORD not in out + err, "FFmpeg or Veil logged the camera password"


def test_wrong_password_is_unauthorized_named_by_its_entry_and_retried_slowly(
    guarded: RtspCamera, make_feed: FeedMaker, capfd: pytest.CaptureFixture[str]
) -> None:
    credentials.store("cam", USER, "not-the-" + PASSWORD)
    feed = make_feed(guarded.url(), credential="cam")
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        assert eventually(lambda: feed.status.state == "unauthorized")
        message = feed.status.message
        first = guarded.clients
        time.sleep(3.0)
        attempts = guarded.clients - first
    assert "refused credential 'cam' (401 Unauthorized)" in message
    assert "veil credential set cam" in message
    assert "not-the-" not in message and USER not in message
    # The ordinary back-off (0.05 s doubling to 0.2 s) would retry 15 times in the 3 s;
    # a refused credential waits 0.2, 0.4, 0.8, then 1.2 s.
    assert 1 <= attempts <= 5, attempts
    assert eventually(lambda: "retrying in 1.2s" in feed.status.message, timeout=5)
    assert watch.seen.frames == 0 and watch.seen.violations == []
    out, err = capfd.readouterr()
    assert "not-the-" not in out + err


def test_a_corrected_password_is_picked_up(guarded: RtspCamera, make_feed: FeedMaker) -> None:
    credentials.store("cam", USER, "stale")
    feed = make_feed(guarded.url(), credential="cam")
    assert eventually(lambda: feed.status.state == "unauthorized")
    credentials.store("cam", USER, PASSWORD)
    assert eventually(lambda: feed.status.state == "live", timeout=5)


def test_a_camera_that_wants_credentials_and_has_none_configured(
    guarded: RtspCamera, make_feed: FeedMaker
) -> None:
    feed = make_feed(guarded.url())
    assert eventually(lambda: feed.status.state == "unauthorized")
    assert "asks for a user and password (401 Unauthorized)" in feed.status.message
    assert 'credential = "NAME"' in feed.status.message


def test_server_killed_is_lost_then_live_again_after_a_restart(
    camera: RtspCamera, make_feed: FeedMaker
) -> None:
    feed = make_feed(camera.url())
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
        camera.kill()
        assert eventually(lambda: watch.state() == "lost")
        assert eventually(lambda: "connection refused" in feed.status.message)
        assert f"rtsp://127.0.0.1:{camera.port}/h264" in feed.status.message
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 10), "lost shows no video"
        captures = watch.captures()
        camera.start()
        assert eventually(lambda: watch.state() == "live" and watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert seen.since_connected()[-3:] == ["live", "lost", "live"]
    assert feed.status.message == ""


@pytest.mark.parametrize(("transport", "other"), [("tcp", "UDP"), ("udp", "TCP")])
def test_tcp_and_udp_transport(
    camera: RtspCamera, make_feed: FeedMaker, transport: str, other: str
) -> None:
    feed = make_feed(camera.url(), transport=transport)
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
    assert watch.seen.violations == []
    assert camera.setups, "the camera saw no SETUP"
    for setup in camera.setups:
        assert setup.startswith(f"RTP/AVP/{transport.upper()};") and other not in setup


def test_auto_transport_goes_live(camera: RtspCamera, make_feed: FeedMaker) -> None:
    feed = make_feed(camera.url(), transport="auto")
    assert eventually(lambda: feed.status.state == "live")
    assert camera.setups


def test_resolution_change_mid_stream_rebuilds_the_rasters(
    camera: RtspCamera, make_feed: FeedMaker, wide_scene: Path
) -> None:
    feed = make_feed(camera.url())
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        assert eventually(lambda: (256, 192) in watch.seen.full_sizes)
        sessions = len(camera.setups)
        camera.show([wide_scene])
        assert eventually(lambda: (512, 256) in watch.seen.full_sizes)
        captures = watch.captures()
        assert eventually(lambda: watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert seen.full_sizes == {(256, 192), (512, 256)}
    assert len(camera.setups) == sessions, "the open session carried the new size"
    full = feed.full()
    assert full is not None
    assert scene_difference(full, 512, 256) < 16


def test_a_stream_that_stalls_mid_way_is_lost_then_live_when_it_resumes(
    camera: RtspCamera, make_feed: FeedMaker
) -> None:
    feed = make_feed(camera.url())
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
        camera.stall()
        assert eventually(lambda: watch.state() == "lost", timeout=TIMEOUT * 4)
        captures = watch.captures()
        withheld = watch.seen.withheld
        assert eventually(lambda: watch.seen.withheld > withheld + 20)
        assert watch.captures() == captures, "no video while nothing arrives"
        camera.resume()
        assert eventually(lambda: watch.state() == "live" and watch.captures() > captures + 5)
    seen = watch.seen
    assert seen.violations == []
    assert seen.longest_call < TIMEOUT / 2, "preview() or full() waited for the network"


def test_ten_bit_video_is_converted_and_masked(camera: RtspCamera, make_feed: FeedMaker) -> None:
    """High 10 H.264 decodes to yuv420p10le, a pixel format an 8-bit pipeline did not expect."""
    feed = make_feed(camera.url("h264-10bit"))
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        assert eventually(lambda: watch.captures() > 5)
    assert watch.seen.violations == []
    full = feed.full()
    assert full is not None
    assert scene_difference(full, 256, 192) < 16


def test_a_codec_that_cannot_be_decoded_is_unsupported(
    camera: RtspCamera, make_feed: FeedMaker
) -> None:
    feed = make_feed(camera.url("x-gst"))
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        assert eventually(lambda: feed.status.state == "unsupported")
    assert "sends no video that can be decoded" in feed.status.message
    assert f"rtsp://127.0.0.1:{camera.port}/x-gst" in feed.status.message
    assert watch.seen.frames == 0

"""Tiles on real RTSP cameras: the new states reach the operator's screen, with why."""

from __future__ import annotations

from console.core.video import credentials
from console.ui.widgets.camera_tile import CameraTile
from tests.rtsp.conftest import USER, FeedMaker
from tests.support.rtsp_camera import RtspCamera
from tests.ui.tiles.conftest import HALFBLOCK, StubSource, TileApp, wait_until
from tests.ui.tiles.test_tile import text


async def test_unauthorized_and_unsupported_cameras_show_their_state_and_why(
    guarded: RtspCamera, camera: RtspCamera, make_feed: FeedMaker
) -> None:
    credentials.store("door-cam", USER, "wrong")
    refused = make_feed(guarded.url(), credential="door-cam", camera_id="door")
    undecodable = make_feed(camera.url("x-gst"), camera_id="odd")
    live = make_feed(camera.url(), camera_id="street")
    app = TileApp([StubSource(None)], HALFBLOCK)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = app.query_one("Grid")
        tiles = [CameraTile(feed, caps=HALFBLOCK) for feed in (refused, undecodable, live)]
        await grid.mount_all(tiles)
        door, odd, street = tiles
        await wait_until(pilot, lambda: door.border_subtitle == "unauthorized", "unauthorized")
        await wait_until(pilot, lambda: odd.border_subtitle == "unsupported", "unsupported")
        await wait_until(pilot, lambda: street.frames >= 1, "the live camera's picture")
        assert "refused credential 'door-cam'" in text(door)
        assert "wrong" not in text(door)
        assert "sends no video that can be decoded" in text(odd)
        assert "▀" not in text(door) + text(odd), "no picture without video"
        assert "▀" in text(street)

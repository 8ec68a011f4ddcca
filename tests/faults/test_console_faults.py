"""Network cameras failing inside the running console: the real wall, logged in, under the
Textual pilot (issue 6, faults).

The feed-level tests next to this one prove a failing camera hands out no unmasked frame
and reports its state. These prove what the operator gets from it: the tile shows the
camera's true state (live, then lost with the reason, then live again) while the rest of
the wall carries on, and layout keys and the command palette still work while a camera
is dead or hanging. Every frame the door tile's pump is given is checked by a
`PrivacyWatch` tap, and the cells the tile drew are checked for the secret's colour.

The door camera is an `MjpegServer` on 127.0.0.1 showing the secret under a solid mask;
a second camera shows a fixed picture. Sources time out after `TIMEOUT` and reconnect
within `BACKOFF` (the faults conftest's), so each test runs in seconds.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from console.core.services import Services, build_services
from console.core.site.model import Camera
from console.core.site.paths import Paths
from console.core.video.feed import SourceFactory
from console.core.video.sources import FrameSource
from console.ui.app import VeilApp
from console.ui.widgets.camera_tile import CameraTile
from tests.faults.conftest import TIMEOUT, quick_source
from tests.faults.privacy_watch import MASK_BGR, SECRET_MASK, PrivacyWatch
from tests.lift.conftest import FAST
from tests.support.frames import FixedSource, gradient
from tests.support.mjpeg_server import MjpegServer
from tests.ui.conftest import demo_site
from tests.ui.test_palette import search_palette
from tests.ui.tiles.conftest import wait_until
from tests.ui.views_pilot import SIZE, open_wall, press, shown

SECRET_RED = 200
"""A drawn colour with more red than this is the secret showing (see `privacy_watch`)."""
MASK_RGB = MASK_BGR[::-1]
CLOSE = 6
"""How far (per channel) a drawn colour may be from the mask's: text renderers round."""


def console_services(tmp_path: Path, url: str, door_source: SourceFactory) -> Services:
    """The demo site's users and roles, with two cameras: the MJPEG door and a still."""
    door = Camera(id="door", name="Door", source=url, masks=(SECRET_MASK,))
    still = Camera(id="still", name="Still", source="fixed")
    site = demo_site(cameras=(door, still), carousels=())
    paths = Paths(site.path, tmp_path / "config", tmp_path / "data")

    def sources_for(camera: Camera) -> SourceFactory:
        return door_source if camera.id == "door" else lambda spec: FixedSource(gradient(96, 54))

    return build_services(site, paths, demo=True, params=FAST, sources_for=sources_for)


def tapped(services: Services, monkeypatch: pytest.MonkeyPatch) -> PrivacyWatch:
    """A watch over every frame the door's tile is given."""
    feed = services.feeds["door"]
    watch = PrivacyWatch(feed, [SECRET_MASK])
    monkeypatch.setattr(feed, "preview", watch.tap())
    return watch


def tile(app: VeilApp, camera: str) -> CameraTile:
    """The camera's tile as the wall shows it now (a layout change makes new tiles)."""
    return app.screen.query_one(f"#tile-{camera}", CameraTile)


def subtitle(app: VeilApp, camera: str) -> str:
    """The state on the tile's border; "" while it shows live video."""
    return str(tile(app, camera).border_subtitle)


def tile_text(app: VeilApp, camera: str) -> str:
    drawn = tile(app, camera)
    return "".join(
        segment.text for y in range(drawn.size.height) for segment in drawn.render_line(y)
    )


def drawn_colours(app: VeilApp, camera: str) -> set[tuple[int, int, int]]:
    """Every colour the tile's cells show as last drawn: half-blocks show two pixels a
    cell, in their foreground and background; a blank shows its background only."""
    drawn = tile(app, camera)
    colours = set()
    for y in range(drawn.size.height):
        for segment in drawn.render_line(y):
            style = segment.style
            if style is None:
                continue
            shown = (style.bgcolor,) if segment.text.isspace() else (style.color, style.bgcolor)
            colours.update(tuple(colour.get_truecolor()) for colour in shown if colour)
    return colours


def assert_drawn_masked(app: VeilApp) -> None:
    """The door tile draws video with its solid mask, and nothing of the secret."""
    colours = drawn_colours(app, "door")
    assert any(
        all(abs(a - b) <= CLOSE for a, b in zip(colour, MASK_RGB, strict=True))
        for colour in colours
    ), "the solid mask is not drawn: the check below saw no video"
    leaked = {colour for colour in colours if colour[0] > SECRET_RED}
    assert not leaked, f"the door tile drew the secret's colours {sorted(leaked)[:5]}"


async def run_palette_command(pilot: Pilot[None], query: str) -> None:
    await search_palette(pilot, query)
    await press(pilot, "enter")


def hanging_source(spec: str) -> FrameSource:
    """Gives up on a silent connection after `TIMEOUT`, then backs off as the console
    does by default, so the door stays "lost" without flickering back to "connecting"."""
    return FrameSource(spec, timeout=TIMEOUT)


def live(app: VeilApp, camera: str, frames: int = 3) -> bool:
    return subtitle(app, camera) == "" and tile(app, camera).frames > frames


async def test_a_stream_that_stops_shows_lost_on_its_tile_then_live_again_keys_working(
    camera_server: MjpegServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = console_services(tmp_path, camera_server.url, quick_source)
    watch = tapped(services, monkeypatch)
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        assert shown(app) == ["door", "still", None, None]
        await wait_until(pilot, lambda: live(app, "door"), "live video on the door tile")
        assert_drawn_masked(app)

        camera_server.stop()
        await wait_until(pilot, lambda: subtitle(app, "door") == "lost", "the door tile: lost")
        assert f"127.0.0.1:{camera_server.port}" in tile_text(app, "door"), "says which camera"
        assert live(app, "still", frames=0), "the rest of the wall carries on"
        checked = watch.seen.frames

        await press(pilot, "1")
        assert shown(app) == ["door"]
        assert subtitle(app, "door") == "lost", "a new tile shows the state at once"
        await run_palette_command(pilot, "Layout 2x2")
        assert shown(app) == ["door", "still", None, None]
        assert subtitle(app, "door") == "lost"
        assert watch.seen.frames == checked, "no frame while the camera is gone"

        camera_server.start()
        await wait_until(pilot, lambda: live(app, "door"), "the door tile live again")
        assert_drawn_masked(app)
    seen = watch.seen
    assert seen.violations == []
    assert seen.frames > checked > 0 and seen.captures > 2


async def test_a_camera_that_accepts_and_never_sends_is_lost_without_freezing_the_wall(
    camera_server: MjpegServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    camera_server.stall = True
    services = console_services(tmp_path, camera_server.url, hanging_source)
    watch = tapped(services, monkeypatch)
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await wait_until(pilot, lambda: camera_server.connections >= 1, "the door's connection")
        await press(pilot, "1")  # while the door's source hangs in its connection
        assert shown(app) == ["door"]
        await wait_until(pilot, lambda: subtitle(app, "door") == "lost", "the door tile: lost")
        assert "cannot connect to http://127.0.0.1" in tile_text(app, "door")
        await run_palette_command(pilot, "Layout 2x2")
        assert shown(app) == ["door", "still", None, None]
        await wait_until(pilot, lambda: live(app, "still", frames=0), "the still tile's picture")
        assert subtitle(app, "door") == "lost"
    assert watch.seen.frames == 0
    assert watch.seen.violations == []

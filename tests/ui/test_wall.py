"""The camera wall as an operator first sees it, after logging in."""

from __future__ import annotations

from console.ui.app import VeilApp
from console.ui.screens.wall import WallScreen
from console.ui.widgets.camera_tile import CameraTile
from tests.ui.conftest import OPERATOR, AppServices, log_in


async def test_wall_shows_every_demo_camera(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await log_in(pilot, OPERATOR)
        assert isinstance(app.screen, WallScreen)
        await pilot.pause(0.3)
        tiles = list(app.screen.query(CameraTile))
        assert [tile.feed.camera.id for tile in tiles] == [c.id for c in services.site.cameras]
        assert len(tiles) >= 4
        assert all(tile.border_title for tile in tiles)


async def test_dead_camera_shows_its_status(make_services: AppServices) -> None:
    services = make_services(dead=("street",))
    app = VeilApp(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await log_in(pilot, OPERATOR)
        await pilot.pause(0.3)
        tile = app.screen.query_one("#tile-street", CameraTile)
        assert tile.border_subtitle == "lost"
        text = "".join(
            segment.text for y in range(tile.size.height) for segment in tile.render_line(y)
        )
        assert "cannot connect" in text

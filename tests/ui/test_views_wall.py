"""Live views: layouts, slot assignment kept per operator, hotspot, carousel, focus."""

from __future__ import annotations

import json

import numpy as np

from console.core.site.model import Role
from console.core.timebase.clock import FakeClock
from console.core.wall.carousel import CarouselSource
from console.core.wall.views import ViewStore
from console.ui.app import VeilApp
from console.ui.screens.dialogs import AskScreen, ChoiceScreen
from console.ui.screens.hotspot import HotspotScreen
from console.ui.screens.playback import PlaybackScreen
from console.ui.screens.wall import WallScreen
from console.ui.widgets.camera_tile import CameraTile
from console.ui.widgets.tile_grid import EmptySlot
from tests.ui.conftest import SUPERVISOR, AppServices, demo_site, settle, with_role
from tests.ui.views_pilot import SIZE, focused_slot, open_wall, press, shown, slots

DEMO = ["lobby", "street", "gate", "garden"]
PERIMETER_ROW = 4
"""The carousel's row in the assign list: after the four cameras."""


async def test_default_view_is_every_camera_in_2x2(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        assert shown(app) == DEMO
        assert len(app.screen.query(CameraTile)) == 4


async def test_layout_keys_switch_and_keep_hidden_assignments(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "3")
        assert shown(app) == [*DEMO, None, None, None, None, None]
        assert len(app.screen.query(EmptySlot)) == 5
        await press(pilot, "1")
        assert shown(app) == ["lobby"]
        await press(pilot, "4")
        assert len(slots(app)) == 16
        await press(pilot, "2")
        assert shown(app) == DEMO


async def test_palette_layout_command_switches(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        wall = await open_wall(pilot)
        titles = [command.title for command in wall.view_commands()]
        assert "Layout 2x2" not in titles
        assert {"Layout 1x1", "Layout 3x3", "Layout 4x4", "Export…", "Playback"} <= set(titles)
        command = next(c for c in wall.view_commands() if c.title == "Layout 1x1")
        app.call_later(command.run)
        await settle(pilot)
        assert shown(app) == ["lobby"]


async def test_arrows_move_focus_within_the_grid(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        assert focused_slot(app) == 0
        await press(pilot, "right")
        assert focused_slot(app) == 1
        await press(pilot, "down")
        assert focused_slot(app) == 3
        await press(pilot, "right", "down")  # at the edge: stays
        assert focused_slot(app) == 3
        await press(pilot, "left", "up")
        assert focused_slot(app) == 0


async def test_assignment_is_saved_and_restored_at_the_next_login(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "right", "a")
        assert isinstance(app.screen, ChoiceScreen)
        await press(pilot, "down", "enter")  # the camera after street: gate
        assert shown(app) == ["lobby", "gate", "gate", "garden"]
        await press(pilot, "3")
    saved = json.loads((services.paths.config_dir / "views" / "operator.json").read_text())
    assert saved["current"]["layout"] == 3
    assert saved["current"]["slots"][1] == {"camera": "gate"}

    again = VeilApp(make_services(demo=False))  # the demo users exist already
    async with again.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        assert shown(again) == ["lobby", "gate", "gate", "garden", None, None, None, None, None]


async def test_views_are_per_operator(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "1")
    other = VeilApp(make_services(demo=False))
    async with other.run_test(size=SIZE) as pilot:
        await open_wall(pilot, SUPERVISOR)
        assert shown(other) == DEMO


async def test_named_view_saved_and_opened(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "1", "s")
        assert isinstance(app.screen, AskScreen)
        await pilot.press(*"solo", "enter")
        await settle(pilot)
        await press(pilot, "2")
        assert shown(app) == DEMO
        await press(pilot, "v")
        assert isinstance(app.screen, ChoiceScreen)
        await press(pilot, "enter")
        assert shown(app) == ["lobby"]
    loaded = ViewStore(services.paths.config_dir).load("operator", services.site)
    assert list(loaded.book.named) == ["solo"]
    assert loaded.book.current.layout == 1


async def test_corrupt_views_file_warns_and_shows_the_default(make_services: AppServices) -> None:
    services = make_services()
    views = services.paths.config_dir / "views"
    views.mkdir(parents=True)
    (views / "operator.json").write_text('{"schema": "veil-views/1", "current": ')
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        assert shown(app) == DEMO
        warnings = [n.message for n in app._notifications]
        assert any("operator.json: not valid JSON" in message for message in warnings)


async def test_hotspot_enter_and_escape(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "right", "enter")
        assert isinstance(app.screen, HotspotScreen)
        assert app.screen.source is services.feeds["street"]
        big = app.screen.query_one(CameraTile).size
        await press(pilot, "escape")
        assert isinstance(app.screen, WallScreen)
        small = app.screen.query(CameraTile)[1].size
        assert big.width > 1.8 * small.width and big.height > 1.8 * small.height
        assert focused_slot(app) == 1


async def test_hotspot_by_click(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        tile = app.screen.query(CameraTile)[2]
        await pilot.click(tile)
        await settle(pilot)
        assert isinstance(app.screen, HotspotScreen)
        assert app.screen.source is services.feeds["gate"]


async def test_carousel_slot_tours_on_the_clock(
    make_services: AppServices, clock: FakeClock
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "a", *["down"] * PERIMETER_ROW, "enter")
        assert shown(app)[0] == "carousel:perimeter"
        carousel = slots(app)[0].source
        assert isinstance(carousel, CarouselSource)
        assert carousel.title == "Perimeter: Street · next 10s"
        clock.advance(3.2)
        assert carousel.title == "Perimeter: Street · next 7s"
        clock.advance(6.8)
        assert carousel.current_id == "gate"
        assert carousel.title == "Perimeter: Service gate · next 10s"
        tile = app.screen.query(CameraTile)[0]
        for _ in range(100):  # the tile redraws on its own pump thread
            if tile.border_title == carousel.title:
                break
            await pilot.pause(0.05)
        assert tile.border_title == "Perimeter: Service gate · next 10s"
        frame = carousel.preview(64, 36)
        gate = services.feeds["gate"].preview(64, 36)
        assert frame is not None and gate is not None
        assert np.array_equal(frame.pixels, gate.pixels)
        await press(pilot, "enter")  # hotspot: the camera on now, held still
        assert isinstance(app.screen, HotspotScreen)
        assert app.screen.source is services.feeds["gate"]


async def test_palette_runs_view_commands(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        app.action_command_palette()
        await settle(pilot)
        app.palette.query_field.value = "Layout 3x3"
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, WallScreen)
        assert len(slots(app)) == 9


async def test_roles_without_playback_or_export_are_not_offered_them(
    make_services: AppServices,
) -> None:
    site = demo_site()
    watcher = Role("operator", frozenset({"live"}))
    app = VeilApp(make_services(site=with_role(site, watcher)))
    async with app.run_test(size=SIZE) as pilot:
        wall = await open_wall(pilot)
        titles = {command.title for command in wall.view_commands()}
        assert "Playback" not in titles and "Export…" not in titles
        await press(pilot, "p", "e")
        assert app.screen is wall
        shown_keys = {b.binding.description for b in wall.active_bindings.values() if b.enabled}
        assert "Playback" not in shown_keys and "Export" not in shown_keys


async def test_a_role_without_live_sees_no_live_video_but_keeps_playback(
    make_services: AppServices,
) -> None:
    """Issue 10, §8: `live` is required for the wall; `playback` still opens playback."""
    reviewer = Role("operator", frozenset({"playback"}))
    app = VeilApp(make_services(site=with_role(demo_site(), reviewer)))
    async with app.run_test(size=SIZE) as pilot:
        wall = await open_wall(pilot)
        assert shown(app) == [None, None, None, None]
        assert not app.screen.query(CameraTile)
        labels = [str(slot.render()) for slot in app.screen.query(EmptySlot)]
        assert labels == [f"Slot {n}: no live video for your role" for n in range(1, 5)]
        await press(pilot, "enter", "4", "1")
        assert app.screen is wall and not app.screen.query(CameraTile), "no hotspot, no tile"
        await press(pilot, "2", "p")
        assert isinstance(app.screen, PlaybackScreen)
        assert app.screen.slots == DEMO, "playback shows the layout's cameras, recorded"

"""The Smart map: markers by state, selection by keys and mouse, the masked preview, links."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from rich.style import Style
from textual.pilot import Pilot

from console.core.map.picture import Item
from console.core.site.model import MapLink, MapMarker, Role, Site, SiteMap
from console.ui.app import VeilApp
from console.ui.screens.hotspot import HotspotScreen
from console.ui.screens.map import MapScreen
from console.ui.screens.playback import PlaybackScreen
from console.ui.widgets.camera_tile import UNMASKED, CameraTile
from console.ui.widgets.plan_view import PlanView
from tests.ui.conftest import (
    SUPERVISOR,
    AppServices,
    demo_site,
    painted,
    settle,
    with_role,
)
from tests.ui.test_plain_text import plain_text
from tests.ui.views_pilot import SIZE, open_wall, press

ROOF = SiteMap(
    "roof",
    "Roof [b]deck[/b]",
    text="+----------+\n|   roof   |\n+----------+",
    cameras=(MapMarker("street", 0.5, 0.5, 0.0, 90.0),),
    links=(MapLink("ground-floor", 0.0, 0.0),),
)


def linked_site() -> Site:
    """The demo site with a second map, linked both ways."""
    site = demo_site()
    (ground,) = site.maps
    ground = dataclasses.replace(ground, links=(MapLink("roof", 0.9, 0.05),))
    return dataclasses.replace(site, maps=(ground, ROOF))


async def open_map(pilot: Pilot[None], user: tuple[str, str] | None = None) -> MapScreen:
    if user is None:
        await open_wall(pilot)
    else:
        await open_wall(pilot, user)
    await press(pilot, "m")
    screen = pilot.app.screen
    assert isinstance(screen, MapScreen), f"expected the map, got {screen!r}"
    await wait_preview(pilot)
    return screen


async def wait_preview(pilot: Pilot[None], camera: str | None = None) -> CameraTile | None:
    """The preview tile (of `camera`, if given), once it has drawn (or shown its state)."""
    for _ in range(200):
        tiles = list(pilot.app.screen.query(CameraTile))
        ready = tiles and (tiles[0].frames > 0 or tiles[0].source.status.state != "live")
        if ready and camera in (None, tiles[0].source.camera.id):  # type: ignore[attr-defined]
            await pilot.pause()
            return tiles[0]
        await pilot.pause(0.05)
    return None


def selected(screen: MapScreen) -> Item | None:
    return screen.plan.selected


def previewed(screen: MapScreen) -> str | None:
    tiles = list(screen.query(CameraTile))
    return tiles[0].source.camera.id if tiles else None  # type: ignore[attr-defined]


async def test_the_map_opens_from_the_wall_and_from_the_palette(
    make_services: AppServices,
) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        wall = await open_wall(pilot)
        command = next(c for c in wall.view_commands() if c.title == "Smart map")
        app.call_later(command.run)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MapScreen)
        assert screen.site_map.id == "ground-floor"
        assert [i.id for i in screen.plan.picture.items] == ["street", "lobby", "gate", "garden"]  # type: ignore[union-attr]


async def test_a_site_without_maps_offers_no_map(make_services: AppServices) -> None:
    app = VeilApp(make_services(dataclasses.replace(demo_site(), maps=())))
    async with app.run_test(size=SIZE) as pilot:
        wall = await open_wall(pilot)
        assert "Smart map" not in [c.title for c in wall.view_commands()]
        await press(pilot, "m")
        assert app.screen is wall


async def test_markers_show_each_cameras_state(make_services: AppServices) -> None:
    app = VeilApp(make_services(dead=("gate",)))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_map(pilot)
        picture = screen.plan.picture
        assert picture is not None
        glyphs = {i.id: picture.chars[i.row][i.col] for i in picture.items}
        assert glyphs == {"street": "●", "lobby": "●", "gate": "✕", "garden": "●"}
        lost, live = (next(i for i in picture.items if i.id == c) for c in ("gate", "lobby"))
        assert picture.fg[lost.row, lost.col] != picture.fg[live.row, live.col]


async def test_arrows_select_and_the_preview_follows(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_map(pilot)
        assert selected(screen).id == "street"  # type: ignore[union-attr]
        assert previewed(screen) == "street"
        await press(pilot, "down")  # the garden is the most nearly straight below
        assert selected(screen).id == "garden"  # type: ignore[union-attr]
        await wait_preview(pilot)
        assert previewed(screen) == "garden"
        await press(pilot, "right")
        assert selected(screen).id == "lobby"  # type: ignore[union-attr]
        await press(pilot, "up")
        assert selected(screen).id == "gate"  # type: ignore[union-attr]
        await press(pilot, "right")  # nothing further right: the selection stays
        assert selected(screen).id == "gate"  # type: ignore[union-attr]
        await wait_preview(pilot)
        assert previewed(screen) == "gate"


async def test_a_click_selects_and_a_click_on_the_selected_camera_opens_its_hotspot(
    make_services: AppServices,
) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_map(pilot)
        plan = screen.plan
        garden = next(i for i in plan.picture.items if i.id == "garden")  # type: ignore[union-attr]
        offset = plan.content_region.offset - plan.region.offset
        where = (garden.col + offset.x, garden.row + offset.y)
        await pilot.click(PlanView, offset=where)
        await settle(pilot)
        assert selected(screen).id == "garden"  # type: ignore[union-attr]
        await wait_preview(pilot)
        assert previewed(screen) == "garden"
        await pilot.click(PlanView, offset=where)
        await settle(pilot)
        assert isinstance(app.screen, HotspotScreen)
        assert app.screen.source.camera.id == "garden"  # type: ignore[attr-defined]


async def test_enter_opens_the_hotspot_and_p_the_playback(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_map(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, HotspotScreen)
        assert app.screen.source.camera.id == "street"  # type: ignore[attr-defined]
        await press(pilot, "escape")
        assert app.screen is screen
        await press(pilot, "p")
        assert isinstance(app.screen, PlaybackScreen)
        assert app.screen.slots == ["street"]


async def test_links_switch_maps(make_services: AppServices) -> None:
    app = VeilApp(make_services(linked_site()))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_map(pilot)
        for _ in range(6):  # the link is at the top right; walk there
            await press(pilot, "right")
        await press(pilot, "up")
        item = selected(screen)
        assert item is not None and (item.kind, item.id) == ("link", "roof")
        await press(pilot, "enter")
        assert screen.site_map.id == "roof"
        title = plain_text(screen.plan._border_title)
        assert title == "Roof [b]deck[/b]", "a name is text, not markup"
        picture = screen.plan.picture
        assert picture is not None and "+----------+" in "\n".join(picture.chars)
        await wait_preview(pilot)
        assert previewed(screen) == "street"
        link = next(i for i in picture.items if i.kind == "link")
        plan = screen.plan
        offset = plan.content_region.offset - plan.region.offset
        await pilot.click(PlanView, offset=(link.col + offset.x, link.row + offset.y))
        await pilot.click(PlanView, offset=(link.col + offset.x, link.row + offset.y))
        await settle(pilot)
        assert screen.site_map.id == "ground-floor"


def cell_colours(tile: CameraTile, x0: float, y0: float, x1: float, y1: float) -> set[object]:
    """The background colours of the picture's cells inside (x0, y0)-(x1, y1) of the
    picture (not the tile: the picture keeps its proportions, centred), one cell of
    margin in from each side for the rounding outward."""
    base = tile.rich_style.bgcolor
    grid = []
    for y in range(tile.content_size.height):
        row = []
        for segment in tile.render_line(y):
            colour = (segment.style or Style()).bgcolor
            row.extend([colour] * len(segment.text))
        grid.append(row)
    cells = [(x, y) for y, row in enumerate(grid) for x, c in enumerate(row) if c != base]
    left, top = min(x for x, _ in cells), min(y for _, y in cells)
    width = max(x for x, _ in cells) + 1 - left
    height = max(y for _, y in cells) + 1 - top
    return {
        grid[y][x].triplet  # type: ignore[union-attr]
        for y in range(top + int(y0 * height) + 1, top + int(y1 * height) - 1)
        for x in range(left + int(x0 * width) + 1, left + int(x1 * width) - 1)
    }


async def test_the_preview_is_masked(make_services: AppServices) -> None:
    """The lobby's keypad is a solid #1e3a5f mask over a picture whose red is 128
    everywhere: the cells under it carry the mask's colour, none the picture's."""
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_map(pilot)
        await press(pilot, "down", "right")
        tile = await wait_preview(pilot, "lobby")
        assert tile is not None and previewed(screen) == "lobby"
        keypad = cell_colours(tile, 13 / 16, 4 / 16, 15 / 16, 9 / 16)
        assert keypad and all(c is not None and abs(c.red - 0x1E) <= 4 for c in keypad), keypad
        assert all(c is not None and abs(c.blue - 0x5F) <= 4 for c in keypad), keypad
        elsewhere = cell_colours(tile, 0.3, 0.6, 0.7, 0.95)
        assert elsewhere and all(c is not None and c.red > 100 for c in elsewhere)


async def test_a_lift_shows_on_the_preview_as_on_the_wall(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_map(pilot, SUPERVISOR)
        assert previewed(screen) == "street"  # the street has liftable masks
        tile = screen.query_one(CameraTile)
        assert tile.border_subtitle != UNMASKED
        await press(pilot, "ctrl+l")
        for _ in range(100):
            if tile.border_subtitle == UNMASKED:
                break
            await pilot.pause(0.05)
        assert tile.border_subtitle == UNMASKED and tile.lifted
        await press(pilot, "f12")
        for _ in range(100):
            if not tile.lifted:
                break
            await pilot.pause(0.05)
        assert not tile.lifted and tile.border_subtitle != UNMASKED


def test_map_screen_snapshot(snap_compare: Callable[..., bool], make_services: AppServices) -> None:
    """The demo's plan with one camera lost, the lobby selected and previewed, masked:
    fixed frames, the fake clock standing still, a fixed terminal size."""

    async def lobby(pilot: Pilot[None]) -> None:
        await open_map(pilot)
        await press(pilot, "down", "right")
        await wait_preview(pilot, "lobby")
        await painted(pilot)

    app = VeilApp(make_services(dead=("gate",)))
    assert snap_compare(app, terminal_size=(140, 40), run_before=lobby)


async def test_a_role_without_live_sees_the_plan_but_no_preview_and_no_hotspot(
    make_services: AppServices,
) -> None:
    site = with_role(demo_site(), Role("operator", frozenset({"playback"})))
    app = VeilApp(make_services(site))
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "m")
        screen = app.screen
        assert isinstance(screen, MapScreen)
        assert screen.plan.picture is not None and len(screen.plan.picture.items) == 4
        assert not screen.query(CameraTile)
        await press(pilot, "enter")
        assert app.screen is screen

"""The Smart search screen: opened from the palette and playback, run on the demo
recordings, cancelled, a hit played back, roles, hostile names, one snapshot."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, SelectionList, Static

from console.core.audit.trail import AuditUnavailable
from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import RectGeometry
from console.core.search import audited
from console.core.search.region import describe
from console.core.search.run import SearchRequest, SearchResult, Target, search
from console.core.search.thumbnails import hit_still
from console.core.site.model import Role, Site
from console.core.timebase.moments import format_time
from console.core.timebase.progress import Progress
from console.ui.app import VeilApp
from console.ui.screens.playback import PlaybackScreen
from console.ui.screens.search import RegionGrid, SearchScreen
from console.ui.widgets.still_view import StillView
from tests.support.hostile_text import REVIEWED
from tests.ui.conftest import SUPERVISOR, AppServices, demo_site, painted, settle, with_role
from tests.ui.test_palette import palette_hits, search_palette
from tests.ui.test_views_snapshots import SnapCompare, shot
from tests.ui.views_pilot import SIZE, open_wall, press


def at(minute: int, second: float) -> float:
    return datetime(2026, 11, 27, 10, minute, 0, tzinfo=UTC).timestamp() + second


def message(screen: SearchScreen) -> str:
    return str(screen.query_one("#search-message", Static).render())


def rows(screen: SearchScreen) -> list[list[str]]:
    table = screen.query_one("#search-hits", DataTable)
    return [[str(cell) for cell in table.get_row_at(n)] for n in range(table.row_count)]


async def open_from_palette(pilot: Pilot[None]) -> SearchScreen:
    await open_wall(pilot)
    await search_palette(pilot, "Smart search")
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, SearchScreen), f"expected the search screen, got {screen!r}"
    await settle(pilot)
    return screen


async def run_search(pilot: Pilot[None], screen: SearchScreen) -> None:
    await pilot.press("ctrl+s")
    for _ in range(600):
        await settle(pilot)
        if not screen.running:
            return
    raise AssertionError("the search never finished")


def expected_rows(site: Site, camera_id: str, start: float, end: float) -> list[list[str]]:
    """What the core finds for the same request, as the table should show it."""
    camera = site.camera(camera_id)
    request = SearchRequest((Target(camera),), start, end, RectGeometry(0, 0, 1, 1))
    found = search(request, workers=1)
    return [
        [
            camera.name,
            format_time(hit.start),
            format_time(hit.end),
            format_time(hit.peak),
            f"{hit.score:.1f}",
        ]
        for hit in found.hits
    ]


async def test_palette_opens_it_with_the_focused_camera_and_the_last_hour(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_palette(pilot)
        assert list(screen.query_one("#search-cameras", SelectionList).selected) == ["lobby"]
        end = at(1, 5)  # the end of the lobby's last recording
        assert screen.query_one("#search-from", Input).value == format_time(end - 3600)
        assert screen.query_one("#search-to", Input).value == format_time(end)
        assert screen.preview is not None, "the region is drawn on a masked preview"
        assert screen.preview.cursor.masker.gate is services.gate


async def test_search_lists_the_hits_the_core_finds_and_audits_once(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_palette(pilot)
        await run_search(pilot, screen)
        expected = expected_rows(services.site, "lobby", at(1, 5) - 3600, at(1, 5))
        assert expected, "the demo recordings have motion in the lobby"
        assert rows(screen) == expected
        assert message(screen).startswith(f"{len(expected)} hits in ")
        assert "100%" in str(screen.query_one("#search-progress", Static).render())
        still = screen.query_one(StillView)
        assert still.frame is not None, "the first hit's thumbnail is shown"
        assert still.frame.camera_id == "lobby"
        await press(pilot, "down")
        assert screen.result is not None
        second = screen.result.hits[1]
        camera = services.site.camera("lobby")
        masker = CameraMasker("lobby", camera.masks, services.gate)
        expected_still = hit_still(screen.result.indexes["lobby"], masker, second.peak)
        assert still.frame is not None
        assert np.array_equal(still.frame.pixels, expected_still.pixels), "the masked still"
    records = [r for r in services.audit.records() if r.event == "search"]
    assert len(records) == 1
    assert records[0].operator == "operator"
    details = json.loads(records[0].details)
    assert details["hits"] == len(expected)
    assert details["cameras"] == ["lobby"]


async def test_enter_plays_the_hit_back_from_its_start(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_palette(pilot)
        await run_search(pilot, screen)
        assert screen.result is not None and len(screen.result.hits) > 1
        hit = screen.result.hits[1]
        await press(pilot, "down", "enter")
        playback = app.screen
        assert isinstance(playback, PlaybackScreen)
        await settle(pilot)
        assert playback.slots == ["lobby"]
        assert playback.moment == pytest.approx(hit.start)
        assert not playback.transport.playing


def held_search(started: threading.Event) -> Callable[..., SearchResult]:
    """The core's search, holding at its first progress until the screen cancels."""

    def held(
        request: SearchRequest,
        progress: Callable[[Progress], None],
        cancel: threading.Event,
    ) -> SearchResult:
        def step(update: Progress) -> None:
            progress(update)
            started.set()
            assert cancel.wait(30), "the screen never cancelled"

        return search(request, progress=step, cancel=cancel, workers=1)

    return held


@pytest.mark.parametrize("key", ["escape", "c"])
async def test_cancel_keeps_nothing_and_audits_nothing(
    make_services: AppServices, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    services = make_services()
    started = threading.Event()
    monkeypatch.setattr(audited, "search", held_search(started))
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_palette(pilot)
        screen.query_one("#search-hits", DataTable).focus()
        await pilot.press("ctrl+s")  # no settling: the search holds until cancelled
        assert started.wait(30)
        await pilot.pause()
        assert screen.running
        assert "% · ETA " in str(screen.query_one("#search-progress", Static).render())
        await pilot.press(key)
        await settle(pilot)
        assert not screen.running
        assert app.screen is screen, "cancelling does not leave the screen"
        assert message(screen) == "Search stopped: search cancelled; nothing was kept"
        assert rows(screen) == []
    assert [r for r in services.audit.records() if r.event == "search"] == []


async def test_s_on_playback_searches_the_focused_camera_around_the_playhead(
    make_services: AppServices,
) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "p")
        playback = app.screen
        assert isinstance(playback, PlaybackScreen)
        await settle(pilot)
        playback.seek(at(0, 12))
        await press(pilot, "right", "s")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await settle(pilot)
        assert list(screen.query_one("#search-cameras", SelectionList).selected) == ["street"]
        assert screen.query_one("#search-from", Input).value == format_time(at(0, 12) - 1800)
        assert screen.query_one("#search-to", Input).value == format_time(at(0, 12) + 1800)
        await press(pilot, "escape")
        assert app.screen is playback
        assert "Smart search…" in await palette_hits(pilot, "Smart search")


async def test_a_role_without_playback_gets_no_search(make_services: AppServices) -> None:
    watcher = Role("operator", frozenset({"live"}))
    app = VeilApp(make_services(site=with_role(demo_site(), watcher)))
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        assert await palette_hits(pilot, "Smart search") == []


async def test_hostile_camera_names_are_plain_text(make_services: AppServices) -> None:
    site = demo_site()
    names = REVIEWED[: len(site.cameras)]
    cameras = tuple(
        dataclasses.replace(camera, name=name)
        for camera, name in zip(site.cameras, names, strict=False)
    )
    services = make_services(site=dataclasses.replace(site, cameras=cameras))
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_palette(pilot)
        options = screen.query_one("#search-cameras", SelectionList)
        shown = [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]
        assert shown == [name.replace("\x1b", "\\x1b").replace("\x07", "\\x07") for name in names]
        title = str(screen.query_one("#search-region-title", Static).render())
        assert title.startswith("Region, drawn on [/] ")
        await run_search(pilot, screen)
        assert rows(screen), "the search ran"
        assert {row[0] for row in rows(screen)} == {"[/]"}


def test_finished_search(snap_compare: SnapCompare, make_services: AppServices) -> None:
    async def searched(pilot: Pilot[None]) -> None:
        await search_palette(pilot, "Smart search")
        await press(pilot, "enter")
        screen = pilot.app.screen
        assert isinstance(screen, SearchScreen)
        await settle(pilot)
        screen.query_one(RegionGrid).focus()
        await press(pilot, *["right"] * 5, *["down"] * 6, "space", "right", "space")
        await press(pilot, "down", "space", "left", "space")
        await run_search(pilot, screen)
        assert screen.result is not None and screen.result.hits, "a result worth a picture"
        assert describe(screen._region()) == "16:5,6;5,7;6,6;6,7"
        await painted(pilot)

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=(140, 44), run_before=shot(searched))


async def test_hits_found_under_a_lift_go_when_it_ends(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot, SUPERVISOR)
        await press(pilot, "ctrl+l")
        assert services.gate.lifted()
        await search_palette(pilot, "Smart search")
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await settle(pilot)
        await run_search(pilot, screen)
        assert rows(screen), "the lifted search found the hits"
        assert "(liftable masks were lifted)" in message(screen)
        await press(pilot, "f12")
        assert not services.gate.lifted()
        assert rows(screen) == []
        assert screen.result is None
        assert message(screen) == "The lift ended: the hits found under it were dropped."


async def test_a_typed_rect_is_the_region_and_a_bad_one_is_refused(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_palette(pilot)
        screen.query_one(RegionGrid).focus()
        await press(pilot, "space")  # a drawn cell, which the typed rect overrides
        field = screen.query_one("#search-rect", Input)
        field.value = "0.5,0.2,0.4,0.9"
        await run_search(pilot, screen)
        assert message(screen) == (
            "Cannot search: expected x0 < x1 and y0 < y1 (a block with area), got '0.5,0.2,0.4,0.9'"
        )
        assert [r for r in services.audit.records() if r.event == "search"] == []
        field.value = "0.1,0.2,0.6,0.9"
        await run_search(pilot, screen)
        assert screen.result is not None
    records = [r for r in services.audit.records() if r.event == "search"]
    assert [json.loads(r.details)["region"] for r in records] == ["0.1,0.2,0.6,0.9"]


async def test_a_search_the_audit_cannot_hold_shows_no_hit(
    make_services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services()

    def unavailable(*args: object, **kwargs: object) -> None:
        raise AuditUnavailable("audit log /x/audit.db is unavailable: disk I/O error")

    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_from_palette(pilot)
        monkeypatch.setattr(services.audit, "append", unavailable)
        await run_search(pilot, screen)
        assert rows(screen) == []
        assert screen.result is None
        assert message(screen) == (
            "Search stopped: the audit cannot record this: "
            "audit log /x/audit.db is unavailable: disk I/O error"
        )
        assert screen.query_one(StillView).frame is None

"""Playback of the demo recordings: seek, speed, step, next/previous, gaps, sync, marks."""

from __future__ import annotations

import dataclasses
import shutil
from datetime import UTC, datetime
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static

from console.core.site.config import load_site
from console.core.site.model import Site
from console.core.timebase.clock import FakeClock
from console.core.video.playback_source import PlaybackSource
from console.ui.app import VeilApp
from console.ui.screens.dialogs import AskScreen
from console.ui.screens.export import ExportScreen
from console.ui.screens.hotspot import HotspotScreen
from console.ui.screens.playback import PlaybackScreen
from console.ui.widgets.tile_grid import TileGrid
from console.ui.widgets.timeline import Timeline
from tests.conftest import DEMO_SITE
from tests.ui.conftest import AppServices, settle
from tests.ui.views_pilot import SIZE, open_wall, press


def at(minute: int, second: float) -> float:
    return datetime(2026, 11, 27, 10, minute, 0, tzinfo=UTC).timestamp() + second


async def open_playback(pilot: Pilot[None]) -> PlaybackScreen:
    await open_wall(pilot)
    await press(pilot, "p")
    screen = pilot.app.screen
    assert isinstance(screen, PlaybackScreen)
    await settle(pilot)
    assert screen.sources, "the recordings were not indexed"
    return screen


def status_line(screen: PlaybackScreen) -> str:
    return str(screen.query_one("#playback-status", Static).render())


async def test_playback_follows_the_layout_and_starts_at_the_first_recording(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        grid = screen.query_one(TileGrid)
        assert grid.side == 2
        sources = [slot.source for slot in grid.slots]
        assert all(isinstance(source, PlaybackSource) for source in sources)
        assert [s.camera_id for s in sources if isinstance(s, PlaybackSource)] == [
            "lobby",
            "street",
            "gate",
            "garden",
        ]
        assert screen.moment == at(0, 0)
        assert len(screen.query_one(Timeline).rows) == 4
        for source in screen.sources.values():
            assert source.cursor.masker.gate is services.gate  # masked as on the wall
        assert "Paused 1x" in status_line(screen)


async def test_play_and_speed_follow_the_clock(
    make_services: AppServices, clock: FakeClock
) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        await press(pilot, "space")
        assert screen.transport.playing
        clock.advance(2.0)
        screen.sync()
        assert screen.moment == at(0, 2)
        await press(pilot, "plus")
        clock.advance(1.0)
        screen.sync()
        assert screen.moment == at(0, 4)
        assert "Playing 2x" in status_line(screen)
        await press(pilot, "minus", "minus", "minus")
        clock.advance(2.0)
        screen.sync()
        assert screen.moment == at(0, 4.5)
        assert screen.transport.speed == 0.25
        await press(pilot, "space")
        clock.advance(5.0)
        screen.sync()
        assert screen.moment == at(0, 4.5)


async def test_step_frames_of_the_focused_camera_across_a_gap(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        await press(pilot, "full_stop", "full_stop")
        assert screen.moment == at(0, 0.2)
        await press(pilot, "comma")
        assert screen.moment == at(0, 0.1)
        screen.seek(at(0, 4.9))
        await press(pilot, "full_stop")  # lobby: the next frame is after the gap
        assert screen.moment == at(0, 10)
        assert not screen.transport.playing


async def test_gap_shows_the_reason_and_the_others_play_on(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        await press(pilot, "g")
        assert isinstance(app.screen, AskScreen)
        app.screen.query_one(Input).value = "10:00:07"
        await press(pilot, "enter")
        assert screen.moment == at(0, 7)
        lobby, street = screen.sources["lobby"], screen.sources["street"]
        assert lobby.status.state == "lost" and lobby.status.message == "no recording"
        assert lobby.preview(64, 36) is None
        assert street.status.state == "live"
        assert street.preview(64, 36) is not None
        line = status_line(screen)
        assert "Lobby entrance: no recording" in line
        assert "Street" not in line


async def test_bad_time_is_refused_in_the_dialog(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        await press(pilot, "g")
        app.screen.query_one(Input).value = "half past ten"
        await press(pilot, "enter")
        assert isinstance(app.screen, AskScreen)
        error = str(app.screen.query_one(".dialog-error", Static).render())
        assert "expected e.g. 10:00:30" in error
        await press(pilot, "escape")
        assert app.screen is screen
        assert screen.moment == at(0, 0)


async def test_next_and_previous_recording(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        await press(pilot, "n")
        assert screen.moment == at(0, 10)  # lobby, gate and garden start again
        await press(pilot, "n")
        assert screen.moment == at(0, 30)  # garden only
        await press(pilot, "n")
        assert screen.moment == at(1, 0)
        await press(pilot, "n")
        assert screen.moment == at(1, 0)  # nothing later
        await press(pilot, "b")
        assert screen.moment == at(0, 30)
        await press(pilot, "b", "b")
        assert screen.moment == at(0, 0)


async def test_playing_stops_at_the_end_of_the_footage(
    make_services: AppServices, clock: FakeClock
) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        screen.seek(at(1, 4))
        await press(pilot, "space")
        clock.advance(10)
        screen.sync()
        assert not screen.transport.playing
        assert at(1, 4.9) <= screen.moment < at(1, 5)


def damaged_site(tmp_path: Path) -> Site:
    """The demo site with lobby's 10:00:10 segment overwritten with garbage."""
    site = load_site(DEMO_SITE)
    lobby = site.camera("lobby")
    assert lobby.recordings is not None
    folder = tmp_path / "lobby-recordings"
    shutil.copytree(lobby.recordings, folder)
    (folder / "2026-11-27T10-00-10Z.mp4").write_bytes(b"\x00" * 4096)
    cameras = tuple(
        dataclasses.replace(c, recordings=folder) if c.id == "lobby" else c for c in site.cameras
    )
    return dataclasses.replace(site, cameras=cameras)


async def test_damaged_segment_is_a_gap_naming_the_file(
    make_services: AppServices, tmp_path: Path
) -> None:
    app = VeilApp(make_services(site=damaged_site(tmp_path)))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        screen.seek(at(0, 12))
        assert screen.sources["lobby"].preview(64, 36) is None
        assert "Lobby entrance: 2026-11-27T10-00-10Z.mp4" in status_line(screen)
        assert screen.sources["gate"].status.state == "live"


async def test_marks_open_the_export_with_their_range(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        screen.seek(at(0, 1))
        await press(pilot, "left_square_bracket")
        screen.seek(at(0, 3))
        await press(pilot, "right_square_bracket")
        assert (screen.mark_in, screen.mark_out) == (at(0, 1), at(0, 3))
        assert "in 2026-11-27T10:00:01.000Z out 2026-11-27T10:00:03.000Z" in status_line(screen)
        await press(pilot, "x")
        export = app.screen
        assert isinstance(export, ExportScreen)
        await settle(pilot)
        assert export.query_one("#export-from", Input).value == "2026-11-27T10:00:01.000Z"
        assert export.query_one("#export-to", Input).value == "2026-11-27T10:00:03.000Z"
        assert export.chosen == ["lobby", "street", "gate", "garden"]
        await press(pilot, "escape")
        assert app.screen is screen


async def test_hotspot_from_playback_and_back(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_playback(pilot)
        await press(pilot, "down", "enter")
        assert isinstance(app.screen, HotspotScreen)
        assert app.screen.source is screen.sources["gate"]
        await press(pilot, "escape")
        assert app.screen is screen
        await press(pilot, "escape")
        assert app.screen is not screen


async def test_a_layout_without_cameras_says_so(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        await open_wall(pilot)
        await press(pilot, "a", "end", "enter")  # the last choice: empty slot
        await press(pilot, "1", "p")
        screen = app.screen
        assert isinstance(screen, PlaybackScreen)
        assert screen.sources == {}
        text = str(screen.query_one("#playback-loading", Static).render())
        assert text.startswith("No camera in this layout")
        await press(pilot, "space", "full_stop", "n")  # nothing to play: nothing breaks
        assert app.screen is screen

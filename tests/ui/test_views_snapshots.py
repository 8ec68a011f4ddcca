"""The views screens as the operator sees them, compared with stored screenshots.

Deterministic by construction: a fixed terminal size, a `FakeClock` that never moves
by itself, one fixed picture per live camera, recorded frames decoded from the demo
recordings at a fixed time with playback paused, no blinking cursors, no toasts, and
every tile waited for until it has drawn. Regenerate with `pytest --snapshot-update`
and look at the new SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from textual.pilot import Pilot
from textual.widgets import Input

from console.ui.app import VeilApp
from console.ui.screens.export import ExportScreen
from console.ui.screens.playback import PlaybackScreen
from console.ui.widgets.mask_grid import MaskGrid
from tests.ui.conftest import AppServices, painted, settle
from tests.ui.views_pilot import open_wall, press

SIZE = (140, 44)
SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[None]], Awaitable[None]]


def shot(steps: RunBefore) -> RunBefore:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_wall(pilot)
        await steps(pilot)
        await painted(pilot)

    return run_before


def test_wall_2x2(snap_compare: SnapCompare, make_services: AppServices) -> None:
    async def nothing(pilot: Pilot[None]) -> None:
        await pilot.pause()

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=shot(nothing))


def test_hotspot(snap_compare: SnapCompare, make_services: AppServices) -> None:
    async def hotspot(pilot: Pilot[None]) -> None:
        await press(pilot, "right", "enter")

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=shot(hotspot))


def test_playback_screen(snap_compare: SnapCompare, make_services: AppServices) -> None:
    async def playback(pilot: Pilot[None]) -> None:
        await press(pilot, "p")
        screen = pilot.app.screen
        assert isinstance(screen, PlaybackScreen)
        await settle(pilot)
        screen.seek(datetime(2026, 11, 27, 10, 0, 12, tzinfo=UTC).timestamp())
        screen.mark_in = datetime(2026, 11, 27, 10, 0, 10, tzinfo=UTC).timestamp()

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=shot(playback))


def test_export_screen_with_an_extra_mask(
    snap_compare: SnapCompare, make_services: AppServices
) -> None:
    async def export(pilot: Pilot[None]) -> None:
        await press(pilot, "e")
        screen = pilot.app.screen
        assert isinstance(screen, ExportScreen)
        await settle(pilot)
        screen.query_one("#export-folder", Input).value = "/srv/evidence"
        screen.query_one("#export-reason", Input).value = "case 2026-114"
        screen.query_one(MaskGrid).focus()
        await press(pilot, *["right"] * 6, *["down"] * 5, "space", "right", "space", "down")
        await press(pilot, "space", "left", "space")

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=shot(export))

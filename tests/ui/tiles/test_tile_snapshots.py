"""The wall drawn in half-block and in ASCII, compared with stored screenshots.

Deterministic by construction: fixed terminal size, a `FakeClock`, one fixed picture per
live camera (tests/ui/conftest.py), no toasts, no blinking cursors, and every tile
waited for until its picture (or its state) is painted. Regenerate with
`pytest --snapshot-update` and look at the new SVGs before committing them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from console.core.render.terminal import TerminalCaps
from console.core.render.tile import ColorDepth
from console.ui.app import VeilApp
from console.ui.widgets.camera_tile import UNMASKED, CameraTile
from tests.ui.conftest import SUPERVISOR, AppServices, painted, settle
from tests.ui.tiles.conftest import ASCII, HALFBLOCK
from tests.ui.views_pilot import open_wall

SIZE = (120, 36)
SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[None]], Awaitable[None]]


def wall(then: RunBefore | None = None, user: tuple[str, str] = SUPERVISOR) -> RunBefore:
    async def run_before(pilot: Pilot[None]) -> None:
        await open_wall(pilot, user)
        if then is not None:
            await then(pilot)
        await painted(pilot)

    return run_before


def test_wall_in_half_blocks_with_a_dead_camera(
    snap_compare: SnapCompare, make_services: AppServices
) -> None:
    services = make_services(dead=("street",))
    services.caps = HALFBLOCK
    assert snap_compare(VeilApp(services), terminal_size=SIZE, run_before=wall())


def test_wall_in_ascii(snap_compare: SnapCompare, make_services: AppServices) -> None:
    services = make_services()
    services.caps = ASCII
    assert snap_compare(VeilApp(services), terminal_size=SIZE, run_before=wall())


def test_wall_in_256_colour_half_blocks_while_lifted(
    snap_compare: SnapCompare, make_services: AppServices
) -> None:
    """The UNMASKED badge on the tiles whose liftable masks are off."""

    async def lift(pilot: Pilot[None]) -> None:
        await pilot.press("ctrl+l")
        await settle(pilot)
        for _ in range(300):
            badges = [t.border_subtitle for t in pilot.app.screen.query(CameraTile)]
            if UNMASKED in badges:
                break
            await pilot.pause(0.05)

    services = make_services()
    services.caps = TerminalCaps("halfblock", ColorDepth.COLOR256, (10, 20), False, False, [])
    assert snap_compare(VeilApp(services), terminal_size=SIZE, run_before=wall(lift))

"""What the operator sees at each step of a lift, compared with stored screenshots.

Deterministic by construction: a fixed terminal size, a `FakeClock` (the countdown
reads 29:31 because the test moved the clock by 29 s, not because 29 s passed), one
fixed picture per camera, no blinking cursors, and toasts cleared before the shot
unless the shot is about one. Regenerate with `pytest --snapshot-update` and look at
the new SVGs before committing them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable

from textual.pilot import Pilot

from console.core.site.model import Role
from console.core.timebase.clock import FakeClock
from console.ui.app import VeilApp
from tests.ui.conftest import (
    OPERATOR,
    SUPERVISOR,
    AppServices,
    demo_site,
    fill,
    freeze_cursors,
    log_in,
    settle,
    with_role,
)

SIZE = (120, 36)

SnapCompare = Callable[..., bool]
RunBefore = Callable[[Pilot[None]], Awaitable[None]]


async def open_authorization(pilot: Pilot[None]) -> None:
    await log_in(pilot, OPERATOR)
    await pilot.press("ctrl+l")
    await settle(pilot)


def frozen(steps: RunBefore) -> RunBefore:
    """Run `steps`, then stop the cursors blinking."""

    async def run_before(pilot: Pilot[None]) -> None:
        await steps(pilot)
        assert isinstance(pilot.app, VeilApp)
        freeze_cursors(pilot.app)
        await pilot.pause()

    return run_before


def test_login_screen(snap_compare: SnapCompare, make_services: AppServices) -> None:
    async def nothing(pilot: Pilot[None]) -> None:
        await pilot.pause()

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=frozen(nothing))


def test_authorization_modal(snap_compare: SnapCompare, make_services: AppServices) -> None:
    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=frozen(open_authorization))


def test_authorization_modal_after_a_wrong_password(
    snap_compare: SnapCompare, make_services: AppServices
) -> None:
    async def wrong_password(pilot: Pilot[None]) -> None:
        await open_authorization(pilot)
        await fill(pilot, "supervisor", "not-the-password")

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=frozen(wrong_password))


def lifted_for(clock: FakeClock, seconds: float) -> RunBefore:
    """Log in as a supervisor (whose role lifts for 30 minutes here), lift, wait `seconds`."""

    async def lift(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, VeilApp)
        await log_in(pilot, SUPERVISOR)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.pause(0.3)  # every tile has drawn a lifted frame
        app.clear_notifications()
        clock.advance(seconds)
        app.sample_lift()
        await pilot.pause()

    return lift


def thirty_minute_supervisors(make_services: AppServices) -> VeilApp:
    site = demo_site()
    supervisor = dataclasses.replace(site.roles["supervisor"], lift_timeout=1800.0)
    assert isinstance(supervisor, Role)
    return VeilApp(make_services(with_role(site, supervisor)))


def test_lifted_wall_with_the_countdown(
    snap_compare: SnapCompare, make_services: AppServices, clock: FakeClock
) -> None:
    app = thirty_minute_supervisors(make_services)
    assert snap_compare(app, terminal_size=SIZE, run_before=frozen(lifted_for(clock, 29)))


def test_urgent_countdown_in_the_last_minute(
    snap_compare: SnapCompare, make_services: AppServices, clock: FakeClock
) -> None:
    app = thirty_minute_supervisors(make_services)
    run_before = frozen(lifted_for(clock, 30 * 60 - 45))
    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_the_palette_over_the_wall(snap_compare: SnapCompare, make_services: AppServices) -> None:
    """The operator's commands, sorted by title, each with its help line."""

    async def open_palette(pilot: Pilot[None]) -> None:
        await log_in(pilot, OPERATOR)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(pilot.app, VeilApp)
        pilot.app.clear_notifications()
        await pilot.pause()

    app = VeilApp(make_services())
    assert snap_compare(app, terminal_size=SIZE, run_before=frozen(open_palette))

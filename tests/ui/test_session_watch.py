"""A running console follows its account and its operator: changed accounts and idle
consoles are logged out, masks back, audited.

The account is changed the way an administrator does it, through a users store of
its own on the same files (as `veil user ...` in another process would), while the
console is lifted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from textual.pilot import Pilot

from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog
from console.core.services import Services
from console.core.timebase.clock import FakeClock
from console.ui.app import VeilApp
from console.ui.screens.audit import AuditScreen
from console.ui.screens.login import LoginScreen
from console.ui.screens.wall import WallScreen
from tests.lift.conftest import FAST
from tests.ui.conftest import SUPERVISOR, AppServices, any_lifted, demo_site, logged_in, settle

NOTICED_WITHIN = 2.0
"""Seconds a console may take to notice its account changed (the issue's budget)."""

CHANGES: dict[str, Callable[[UserStore], None]] = {
    "account disabled": lambda store: store.set_enabled("os:admin", "supervisor", False),
    "account removed": lambda store: store.remove("os:admin", "supervisor"),
    "role changed": lambda store: store.set_role("os:admin", "supervisor", "operator"),
}


def administrator(services: Services) -> UserStore:
    """Another users store on the console's files, as the `veil user` command opens."""
    return UserStore(
        services.users.path, services.site.roles, AuditLog(services.audit.path), params=FAST
    )


def ends(services: Services) -> list[tuple[str, dict[str, object]]]:
    wanted = ("session_ended_while_lifted", "logout")
    return [(r.event, json.loads(r.details)) for r in services.audit.records() if r.event in wanted]


async def lift(pilot: Pilot[None], services: Services) -> None:
    await pilot.press("ctrl+l")
    await settle(pilot)
    assert any_lifted(services)


@pytest.mark.parametrize("cause", CHANGES)
async def test_a_console_whose_account_changes_logs_out_within_two_seconds(
    make_services: AppServices, cause: str
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await lift(pilot, services)
        changed = time.monotonic()
        CHANGES[cause](administrator(services))
        while not isinstance(app.screen, LoginScreen):
            assert time.monotonic() - changed < NOTICED_WITHIN, "the change went unnoticed"
            await pilot.pause(0.02)
        await settle(pilot)
        assert app.user is None
        assert not services.gate.lifted() and not any_lifted(services)
        message = str(app.screen.query_one("#login-message").render())
        assert message.startswith("Logged out: user 'supervisor' was ")
    lift_seq = next(r.seq for r in services.audit.records() if r.event == "lift_started")
    assert ends(services) == [
        ("session_ended_while_lifted", {"cause": cause, "lift": lift_seq}),
        ("logout", {"cause": cause}),
    ]


async def test_an_account_change_is_refused_at_the_next_act_even_before_it_is_noticed(
    make_services: AppServices,
) -> None:
    """The once-a-second check has not run yet, but the audit viewer reads the account
    itself: a demoted supervisor does not get to read the audit."""
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        CHANGES["role changed"](administrator(services))
        await app.run_action("audit_trail")
        await settle(pilot)
        assert not isinstance(app.screen, AuditScreen)
        assert isinstance(app.screen, LoginScreen)
    assert ends(services) == [("logout", {"cause": "role changed"})]


async def test_an_idle_console_logs_out_and_puts_masks_back(
    make_services: AppServices, clock: FakeClock
) -> None:
    services = make_services(demo_site(auth_idle_logout=300.0))
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await lift(pilot, services)  # the supervisor's lift: ten minutes
        clock.advance(299)
        app.check_session()
        assert isinstance(app.screen, WallScreen)
        await pilot.press("right")  # any key is input: the idle time starts again
        clock.advance(299)
        app.check_session()
        await pilot.pause()
        assert isinstance(app.screen, WallScreen) and any_lifted(services)
        clock.advance(1)
        app.check_session()
        await pilot.pause()
        assert isinstance(app.screen, LoginScreen)
        assert not services.gate.lifted() and not any_lifted(services)
        message = str(app.screen.query_one("#login-message").render())
        assert message == "Logged out after 5m without input; privacy masks are applied."
    lift_seq = next(r.seq for r in services.audit.records() if r.event == "lift_started")
    assert ends(services) == [
        ("session_ended_while_lifted", {"cause": "idle", "lift": lift_seq}),
        ("logout", {"cause": "idle"}),
    ]


async def test_without_idle_logout_a_watched_wall_stays_up(
    make_services: AppServices, clock: FakeClock
) -> None:
    services = make_services()
    assert services.site.auth_idle_logout == 0.0  # the default: off
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        clock.advance(24 * 3600)
        app.check_session()
        await pilot.pause()
        assert isinstance(app, VeilApp) and isinstance(app.screen, WallScreen)

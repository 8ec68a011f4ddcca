"""Lifting and applying privacy masks from the console, as each kind of user does it.

Every assertion about masks is made on what a camera's masker produces right now
(`MaskedFrame.lifted` from a feed), not on what the UI believes.
"""

from __future__ import annotations

import json

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input, Label

from console.core.services import Services
from console.core.timebase.clock import FakeClock
from console.ui.app import VeilApp
from console.ui.screens.audit import AuditScreen
from console.ui.screens.authorization import AuthorizationScreen
from console.ui.screens.wall import WallScreen
from console.ui.widgets.countdown import LiftCountdown
from tests.ui.conftest import (
    OPERATOR,
    SUPERVISOR,
    AppServices,
    any_lifted,
    demo_site,
    fill,
    log_in,
    logged_in,
    settle,
)


def events(services: Services) -> list[str]:
    skip = ("site_loaded", "user_admin", "login_ok")
    return [record.event for record in services.audit.records() if record.event not in skip]


def error_text(app: VeilApp) -> str:
    return str(app.screen.query_one("#authorization-message", Label).render())


async def lock_authorization(pilot: Pilot[None], clock: FakeClock) -> None:
    """Log in as the operator and fail the supervisor's password until it locks (five).

    Ten seconds pass between attempts, more than the growing delay before the lock.
    """
    await log_in(pilot, OPERATOR)
    await pilot.press("ctrl+l")
    await pilot.pause()
    await fill(pilot, "supervisor", "wrong-1")
    for attempt in range(2, 6):
        clock.advance(10)
        await fill(pilot, f"wrong-{attempt}")


def notifications(app: VeilApp) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_a_user_whose_role_may_lift_lifts_at_once_then_applies(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        assert not any_lifted(services)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)
        assert any_lifted(services)
        assert app.masks_lifted and app.lift_remaining == 600.0  # the supervisor role's 10m
        await pilot.press("f12")
        await pilot.pause()
        assert not any_lifted(services)
        assert not app.masks_lifted and app.lift_remaining == 0
        assert "Privacy masks applied." in notifications(app)
    assert events(services) == ["lift_started", "lift_applied"]


async def test_the_site_may_require_a_reason_first(
    make_services: AppServices,
) -> None:
    services = make_services(demo_site(require_lift_reason=True))
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, AuthorizationScreen)
        assert not app.screen.query("#authorization-supervisor")
        await fill(pilot, "case 4711")
        assert isinstance(app.screen, WallScreen)
        assert any_lifted(services)
    started = [r for r in services.audit.records() if r.event == "lift_started"]
    assert [(r.operator, r.authorizer, r.reason) for r in started] == [
        ("supervisor", "supervisor", "case 4711")
    ]


async def test_an_operator_needs_a_supervisor_and_a_wrong_password_says_so(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, OPERATOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, AuthorizationScreen)
        assert app.focused is app.screen.query_one("#authorization-supervisor", Input)
        password = app.screen.query_one("#authorization-password", Input)
        assert password.password
        await fill(pilot, "supervisor", "guess-number-one")
        assert isinstance(app.screen, AuthorizationScreen)
        assert error_text(app) == "Wrong user name or password."
        assert password.value == ""
        assert app.focused is password
        assert not any_lifted(services)
        await fill(pilot, "supervisor-demo")
        assert isinstance(app.screen, WallScreen)
        assert any_lifted(services)
        assert app.lift_remaining == 1800.0  # the operator role's lift: the site's 30m
    started = [r for r in services.audit.records() if r.event == "lift_started"]
    assert [(r.operator, r.authorizer) for r in started] == [("operator", "supervisor")]
    assert all("guess-number-one" not in str(record) for record in services.audit.records())


async def test_cancel_leaves_masks_on(make_services: AppServices) -> None:
    services = make_services()
    async with logged_in(services, OPERATOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, WallScreen)
        assert not any_lifted(services)
    assert events(services) == []


async def test_an_operator_cannot_authorize_their_own_lift(make_services: AppServices) -> None:
    services = make_services()
    async with logged_in(services, OPERATOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await pilot.pause()
        await fill(pilot, *OPERATOR)
        assert isinstance(app.screen, AuthorizationScreen)
        assert error_text(app) == "You cannot authorise your own lift; ask a supervisor."
        assert not any_lifted(services)
    denied = [r for r in services.audit.records() if r.event == "lift_denied"]
    assert [(r.operator, r.authorizer, r.outcome) for r in denied] == [
        ("operator", "operator", "self-authorization")
    ]


async def test_repeated_failures_lock_authorization_until_the_lockout_ends(
    make_services: AppServices, clock: FakeClock
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await lock_authorization(pilot, clock)
        screen = app.screen
        assert isinstance(screen, AuthorizationScreen)
        assert error_text(app) == (
            "Too many failed attempts: authorization is locked. Try again in 05:00."
        )
        assert screen.query_one("#authorization-password", Input).disabled
        assert screen.query_one("#authorization-submit", Button).disabled
        assert not screen.query_one("#authorization-cancel", Button).disabled
        clock.advance(120)
        screen.refresh_lock()
        assert error_text(app) == (
            "Too many failed attempts: authorization is locked. Try again in 03:00."
        )
        clock.advance(180)
        screen.refresh_lock()
        await pilot.pause()
        assert error_text(app) == "You may try again."
        assert not screen.query_one("#authorization-password", Input).disabled
        assert app.focused is screen.query_one("#authorization-password", Input)
        await fill(pilot, "supervisor-demo")
        assert isinstance(app.screen, WallScreen)
        assert any_lifted(services)
    locked = [r for r in services.audit.records() if r.event == "lift_locked"]
    assert [json.loads(r.details) for r in locked] == [{"locked_for_s": 300}]


async def test_a_locked_operator_sees_the_lock_when_opening_the_modal_again(
    make_services: AppServices, clock: FakeClock
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await lock_authorization(pilot, clock)
        await pilot.press("escape")
        clock.advance(60)
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert error_text(app).endswith("Try again in 04:00.")


async def test_expiry_brings_masks_back_whatever_the_ui_does(
    make_services: AppServices, clock: FakeClock
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await settle(pilot)
        countdown = app.screen.query_one(LiftCountdown)
        clock.advance(599)
        assert any_lifted(services)
        clock.advance(1)
        # The masker decides, before the app has sampled anything.
        assert not any_lifted(services)
        app.sample_lift()
        await pilot.pause()
        assert not app.masks_lifted
        assert countdown.remaining == 0 and not countdown.has_class("-lifted")
        assert "The lift expired: privacy masks are back on." in notifications(app)
        assert app.check_action("lift_masks", ()) and not app.check_action("apply_masks", ())
    assert events(services)[:2] == ["lift_started", "lift_expired"]


async def test_the_countdown_turns_urgent_in_the_last_minute_with_one_warning(
    make_services: AppServices, clock: FakeClock
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await settle(pilot)
        countdown = app.screen.query_one(LiftCountdown)
        clock.advance(539)
        app.sample_lift()
        await pilot.pause()
        assert str(countdown.render()) == "MASKS LIFTED 01:01"
        assert not countdown.has_class("-urgent")
        clock.advance(1)
        app.sample_lift()
        app.sample_lift()
        await pilot.pause()
        assert str(countdown.render()) == "MASKS LIFTED 01:00"
        assert countdown.has_class("-urgent")
        assert notifications(app).count("Privacy masks return in 01:00.") == 1


@pytest.mark.parametrize("key", ["f12", "ctrl+backslash"])
async def test_the_panic_key_applies_masks_from_the_palette_and_other_screens(
    make_services: AppServices, key: str
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await settle(pilot)
        app.action_command_palette()
        await pilot.pause()
        assert isinstance(app.focused, Input)  # the palette's own input has the keys
        await pilot.press(key)
        await pilot.pause()
        assert not any_lifted(services)
        await pilot.press("escape")
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert any_lifted(services)
        await app.run_action("audit_trail")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        await pilot.press(key)
        await pilot.pause()
        assert not any_lifted(services)
    assert events(services).count("lift_applied") == 2


async def test_the_panic_key_wins_over_an_authorization_still_being_checked(
    make_services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F12 pressed while the supervisor's password is being checked: masks stay on."""
    import threading

    services = make_services()
    checked = threading.Event()
    real = services.lifts.authorize

    def slow_authorize(*args: object, **kwargs: object) -> object:
        checked.wait(10)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(services.lifts, "authorize", slow_authorize)
    async with logged_in(services, OPERATOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await pilot.pause()
        for value in ("supervisor", "supervisor-demo"):
            field = app.focused
            assert isinstance(field, Input)
            field.value = value
            await pilot.press("tab")
        app.screen.query_one("#authorization-password", Input).focus()
        await pilot.press("enter")
        await pilot.press("f12")
        await pilot.pause()
        checked.set()
        await settle(pilot)
        assert not any_lifted(services)
        assert not app.masks_lifted
        assert error_text(app) == "Masks stay on: masks applied while the lift was being asked for."
    assert events(services) == []  # voided before anything of it was written

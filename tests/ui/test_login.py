"""Logging in and out: nothing of a camera before login, masks on after every login."""

from __future__ import annotations

from textual.events import Key
from textual.widgets import Input, Label

from console.core.services import Services
from console.ui.app import VeilApp
from console.ui.screens.login import LoginScreen
from console.ui.screens.wall import WallScreen
from tests.ui.conftest import (
    OPERATOR,
    SUPERVISOR,
    AppServices,
    any_lifted,
    fill,
    log_in,
    logged_in,
    settle,
)


def events(services: Services) -> list[tuple[str, str]]:
    return [(record.event, record.operator) for record in services.audit.records()]


async def test_typing_name_tab_password_enter_logs_in_masked(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        assert isinstance(app.screen, LoginScreen)
        assert app.focused is app.screen.query_one("#login-name", Input)
        await pilot.press(*"operator", "tab")
        assert app.focused is app.screen.query_one("#login-password", Input)
        await pilot.press(*"operator-demo", "enter")
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)
        assert app.user is not None and app.user.name == "operator"
        assert app.sub_title == "Demo site · operator (operator)"
        assert not any_lifted(services)
    assert ("login_ok", "operator") in events(services)


async def test_enter_in_the_name_field_moves_to_the_password(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "operator")
        assert isinstance(app.screen, LoginScreen)
        assert app.focused is app.screen.query_one("#login-password", Input)


async def test_wrong_password_says_so_clears_the_field_and_is_audited(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await fill(pilot, "operator", "not-the-password")
        assert isinstance(app.screen, LoginScreen)
        error = app.screen.query_one("#login-message", Label)
        assert str(error.render()) == "Wrong user name or password."
        assert app.screen.query_one("#login-password", Input).value == ""
        assert app.focused is app.screen.query_one("#login-password", Input)
        await fill(pilot, "operator-demo")
        assert isinstance(app.screen, WallScreen)
    assert [e for e in events(services) if e[0].startswith("login")] == [
        ("login_failed", "operator"),
        ("login_ok", "operator"),
    ]
    assert all("not-the-password" not in str(record) for record in services.audit.records())


async def test_demo_users_are_listed_in_demo_mode_only(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=(120, 40)):
        text = str(app.screen.query_one("#demo-users").render())
        assert "operator / operator-demo" in text
        assert "supervisor / supervisor-demo" in text
    app = VeilApp(make_services(demo=False))
    async with app.run_test(size=(120, 40)):
        assert not app.screen.query("#demo-users")


async def test_logout_applies_masks_and_the_next_login_is_masked(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert any_lifted(services)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, LoginScreen)
        message = str(app.screen.query_one("#login-message", Label).render())
        assert message == "Logged out; privacy masks are applied."
        assert app.user is None and app.sub_title == "Demo site"
        assert not any_lifted(services)
        await log_in(pilot, OPERATOR)
        assert isinstance(app.screen, WallScreen)
        assert not any_lifted(services)
        assert app.lift_remaining == 0
    tail = [e for e in events(services) if e[0] not in ("site_loaded", "user_admin")]
    assert tail == [
        ("login_ok", "supervisor"),
        ("lift_started", "supervisor"),
        ("session_ended_while_lifted", "supervisor"),
        ("logout", "supervisor"),
        ("login_ok", "operator"),
    ]


async def test_quit_while_lifted_ends_the_session_in_the_audit(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert services.gate.lifted()
        await pilot.press("ctrl+q")
    assert not services.gate.lifted()
    assert events(services)[-2:] == [
        ("session_ended_while_lifted", "supervisor"),
        ("logout", "supervisor"),
    ]
    assert '"cause":"quit"' in services.audit.records()[-1].details


async def test_a_burst_of_keys_keeps_the_password_out_of_the_name_field(
    make_services: AppServices,
) -> None:
    """Keys that arrive together (a fast typist, a paste, SSH batching) still follow Tab."""
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        name, password = OPERATOR
        for key in [*name, "tab", *password, "enter"]:
            character = {"tab": "\t", "enter": "\r"}.get(key, key)
            app.post_message(Key(key, character))
        await settle(pilot)
        assert isinstance(app.screen, WallScreen)
        assert app.user is not None and app.user.name == "operator"

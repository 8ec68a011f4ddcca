"""The command palette, the key bindings and the footer offer the same privacy action."""

from __future__ import annotations

import asyncio

import pytest
from textual.command import Hits
from textual.pilot import Pilot

from console.ui.app import VeilApp
from console.ui.commands import PrivacyCommands
from console.ui.screens.audit import AuditScreen
from tests.ui.conftest import (
    OPERATOR,
    SUPERVISOR,
    AppServices,
    any_lifted,
    log_in,
    logged_in,
    settle,
)


async def search_palette(pilot: Pilot[None], query: str) -> None:
    """Open the palette and enter `query` as if typed, then let the providers answer.

    The query is set in one go: the palette searches on every change of its input, and
    pressing keys one by one costs seconds per key under the pilot while live tiles
    keep the process busy.
    """
    app = pilot.app
    assert isinstance(app, VeilApp)
    app.action_command_palette()
    await pilot.pause()
    await app.screen.workers.wait_for_complete()
    await pilot.pause()
    app.palette.query_field.value = query
    await pilot.pause()  # the palette starts its search when it sees the change
    await app.screen.workers.wait_for_complete()
    await pilot.pause()


async def palette_hits(pilot: Pilot[None], query: str) -> list[str]:
    """The commands the palette offers for `query` (first line of each); then close it."""
    await search_palette(pilot, query)
    assert isinstance(pilot.app, VeilApp)
    commands = pilot.app.palette.hits_list
    options = [commands.get_option_at_index(index) for index in range(commands.option_count)]
    hits = [str(option.prompt).splitlines()[0] for option in options if not option.disabled]
    await pilot.press("escape")
    await pilot.pause()
    return hits


def footer_actions(app: VeilApp) -> set[str]:
    """The descriptions the footer shows for the current screen."""
    return {
        active.binding.description
        for active in app.screen.active_bindings.values()
        if active.binding.show and active.enabled
    }


async def test_palette_and_footer_offer_lift_while_masked_and_apply_while_lifted(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        assert await palette_hits(pilot, "privacy") == ["Lift privacy masks"]
        assert {"Lift masks", "Log out"} <= footer_actions(app)
        assert "Apply masks" not in footer_actions(app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert await palette_hits(pilot, "privacy") == ["Apply privacy masks"]
        assert "Apply masks" in footer_actions(app)
        assert "Lift masks" not in footer_actions(app)


async def test_choosing_a_palette_command_runs_it(make_services: AppServices) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await search_palette(pilot, "lift privacy")
        await pilot.press("enter")
        await settle(pilot)
        assert any_lifted(services)
        await search_palette(pilot, "apply privacy")
        await pilot.press("enter")
        await settle(pilot)
        assert not any_lifted(services)


async def test_default_commands_stay_and_nothing_privacy_is_offered_before_login(
    make_services: AppServices,
) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        assert await palette_hits(pilot, "privacy") == []
        assert await palette_hits(pilot, "log out") == []
        assert "Quit" in await palette_hits(pilot, "quit")


async def test_the_audit_trail_is_offered_only_to_roles_holding_audit(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(140, 40)) as pilot:
        await log_in(pilot, OPERATOR)
        assert await palette_hits(pilot, "audit") == []
        await pilot.press("ctrl+o")
        await settle(pilot)
        await log_in(pilot, SUPERVISOR)
        assert await palette_hits(pilot, "audit") == ["Audit trail"]
        await app.run_action("audit_trail")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, AuditScreen)
        status = str(screen.query_one("#audit-status").render())
        records = services.audit.records()
        assert status == f"{len(records)} records; the chain is intact."
        table = screen.query_one("#audit-table")
        newest = [str(cell) for cell in table.get_row_at(0)]  # type: ignore[attr-defined]
        assert newest[:4] == [str(records[-1].seq), records[-1].time, "login", "supervisor"]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AuditScreen)


async def test_the_palette_offers_no_screenshot(make_services: AppServices) -> None:
    """A screenshot would be an export of the wall that no permission or audit covers."""
    async with logged_in(make_services(), OPERATOR) as (app, pilot):
        assert await palette_hits(pilot, "Screenshot") == []
        assert "Theme" in await palette_hits(pilot, "Theme"), "the other commands stay"


def first_lines(app: VeilApp) -> list[str]:
    """What the palette's list shows now: the first line of every option, disabled too."""
    hits = app.palette.hits_list
    return [
        str(hits.get_option_at_index(i).prompt).splitlines()[0] for i in range(hits.option_count)
    ]


async def test_the_palette_is_built_once_and_pushed_again_on_every_opening(
    make_services: AppServices,
) -> None:
    """Its widgets are the ones of the first opening, however it closed in between."""
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await search_palette(pilot, "")
        palette = app.palette
        assert app.screen is palette
        widgets = (palette.query_field, palette.hits_list)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not palette and palette.is_attached
        await search_palette(pilot, "lift privacy")
        await pilot.press("enter")  # runs a command, which closes it too
        await settle(pilot)
        assert any_lifted(services)
        await search_palette(pilot, "")
        assert app.screen is palette
        assert palette.query_field is widgets[0] and palette.hits_list is widgets[1]
        offered = first_lines(app)
        assert "Apply privacy masks" in offered and "Lift privacy masks" not in offered


async def test_each_opening_asks_the_providers_for_the_screen_beneath(
    make_services: AppServices,
) -> None:
    """The wall's layout commands follow its layout, and the audit screen, which has
    no commands of its own, gets none of the wall's."""
    async with logged_in(make_services(), SUPERVISOR) as (app, pilot):
        assert "Layout 2x2" not in await palette_hits(pilot, "layout"), "the wall is 2x2"
        await search_palette(pilot, "layout 3x3")
        await pilot.press("enter")
        await settle(pilot)
        assert set(await palette_hits(pilot, "layout")) == {
            "Layout 1x1",
            "Layout 2x2",
            "Layout 4x4",
        }
        await app.run_action("audit_trail")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        assert await palette_hits(pilot, "layout") == []
        assert "Quit" in await palette_hits(pilot, "quit"), "the app's commands stay"


async def test_a_logout_leaves_nothing_of_the_query_or_hits_for_the_next_user(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(140, 40)) as pilot:
        await log_in(pilot, SUPERVISOR)
        await search_palette(pilot, "audit")
        assert first_lines(app) == ["Audit trail"]
        app.action_logout()  # with the palette open, as an idle or disabled account's logout
        await settle(pilot)
        assert app.palette not in app.screen_stack
        assert app.palette.query_field.value == ""
        assert app.palette.hits == [] and app.palette.hits_list.option_count == 0
        await log_in(pilot, OPERATOR)
        app.action_command_palette()
        await settle(pilot)
        assert app.palette.query_field.value == ""
        offered = first_lines(app)
        assert "Lift privacy masks" in offered, "the operator's own commands are listed"
        assert "Audit trail" not in offered and "Active lifts" not in offered
        await pilot.press("escape")
        assert await palette_hits(pilot, "audit") == []


async def test_typed_markup_and_provided_strings_show_as_typed(
    make_services: AppServices,
) -> None:
    """Textual's own palette parses a hit's `str` title and help as markup."""
    async with logged_in(make_services(), OPERATOR) as (app, pilot):
        await search_palette(pilot, "[bold]lift[/bold]")
        assert "[bold]lift[/bold]" in app.export_screenshot()
        assert first_lines(app) == ["No matches found"]
        await pilot.press("escape")
        await pilot.pause()
        ran: list[str] = []
        await app.search_commands([("[b]odd[/b]", lambda: ran.append("odd"), "[i]help[/i]")])
        await settle(pilot)
        assert app.screen is app.palette
        assert [str(option.prompt) for option in app.palette.hits_list.options] == [
            "[b]odd[/b]\n[i]help[/i]"
        ]
        await pilot.press("enter")
        await settle(pilot)
        assert ran == ["odd"]


async def test_every_palette_the_app_opens_is_this_one(make_services: AppServices) -> None:
    """Ctrl+P on the login screen and on the wall, and the Theme command's list."""
    app = VeilApp(make_services())
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert app.screen is app.palette
        await pilot.press("escape")
        await log_in(pilot, OPERATOR)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert app.screen is app.palette
        app.palette.query_field.value = "theme"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is app.palette
        assert app.palette.query_field.placeholder == "Search for themes…"
        assert "textual-light" in first_lines(app)
        app.palette.query_field.value = "textual-light"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.theme == "textual-light"
        assert app.screen is not app.palette
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert app.palette.query_field.placeholder == "Search for commands…", "one list only"


async def test_an_enter_typed_ahead_runs_a_hit_for_what_was_typed(
    make_services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until the providers answer the new query, the list still shows the old one's hits
    (here every command, "Active lifts" first): Enter must not run one of those."""
    answer = asyncio.Event()
    search = PrivacyCommands.search

    async def slow_search(self: PrivacyCommands, query: str) -> Hits:
        await answer.wait()
        async for hit in search(self, query):
            yield hit

    monkeypatch.setattr(PrivacyCommands, "search", slow_search)
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await search_palette(pilot, "")
        assert first_lines(app)[0] == "Active lifts"
        app.palette.query_field.value = "lift privacy"
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.palette, "nothing ran yet"
        answer.set()
        await settle(pilot)
        assert app.screen is not app.palette
        assert any_lifted(services)


async def test_a_click_beside_the_palette_closes_it_and_a_click_on_it_does_not(
    make_services: AppServices,
) -> None:
    async with logged_in(make_services(), SUPERVISOR) as (app, pilot):
        await search_palette(pilot, "")
        palette = app.palette
        await pilot.click(palette.query_field)
        await pilot.pause()
        assert app.screen is palette, "a click in the palette keeps it open"
        width, height = app.size
        await pilot.click(offset=(width // 2, height - 2))
        await pilot.pause()
        assert app.screen is not palette

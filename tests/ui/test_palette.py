"""The command palette, the key bindings and the footer offer the same privacy action."""

from __future__ import annotations

from textual.pilot import Pilot

from console.ui.app import VeilApp
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

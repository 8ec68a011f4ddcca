"""Lifts the whole site can see: the lifted console follows a remote end within a
second, and the "Active lifts" screen lists every console's lifts and ends one.

The remote end comes through the site's audit, written by another process's
`AuditLog` (or the real `veil lifts end` verb), exactly as a second console or a
supervisor's shell would write it; what is asserted is what the maskers produce. The
tests of what the audit carries run on both backends (`site_services`): the data dir's
SQLite and the site's PostgreSQL, which the console follows by the same polling. The
snapshot and the palette offer do not depend on where the audit lives.
"""

from __future__ import annotations

import asyncio
import io
import json
import time
from datetime import UTC, datetime, timedelta

import pytest
from textual.pilot import Pilot

from console.cli import build_parser
from console.core.access.lift import LiftController
from console.core.audit.trail import AuditLog
from console.core.services import Services
from console.core.site.model import Role, Site
from console.core.storage.site_storage import site_storage
from console.core.timebase.clock import FakeClock
from console.text import visible
from console.ui.app import VeilApp
from console.ui.screens.dialogs import AskScreen
from console.ui.screens.lifts import ActiveLiftsScreen
from console.ui.widgets.countdown import LiftCountdown
from tests.support.hostile_text import REVIEWED
from tests.support.storage_backends import Backend
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
    with_role,
)
from tests.ui.test_lift import notifications
from tests.ui.test_palette import footer_actions, palette_hits
from tests.ui.test_snapshots import SIZE, SnapCompare

MOMENT = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
"""When the other console's lift started, in the screen's tests."""


@pytest.fixture
def site_services(make_services: AppServices, backend: Backend) -> AppServices:
    """`make_services` for a site on the test's backend (its file names the database)."""

    def build(site: Site | None = None, **options: object) -> Services:
        services = make_services(backend.site(site or demo_site()), **options)
        assert ("PostgreSQL" in services.audit.where) == (backend.url is not None)
        return services

    return build


def other_console_lift(services: Services, host: str, reason: str, at: datetime = MOMENT) -> int:
    """A lift on another console of the site (operator, authorized by supervisor), its
    record stamped `at`; its seq."""
    audit = AuditLog(site_storage(services.paths, services.site).audit, now=lambda: at)
    controller = LiftController(audit, FakeClock(), host=host)
    return controller.lift("operator", "supervisor", reason, 600, controller.epoch).started_seq


async def masked_within(pilot: Pilot[None], services: Services, seconds: float) -> float:
    """Wait (in real time: the watch thread and the UI's sampling run on it) until no
    camera's next frame is lifted and the UI has followed; how long it took."""
    app = pilot.app
    assert isinstance(app, VeilApp)
    began = time.monotonic()
    while time.monotonic() - began < seconds + 2:
        if not any_lifted(services) and not app.masks_lifted:
            break
        await pilot.pause(0.02)
    return time.monotonic() - began


async def test_a_lift_ended_by_the_verb_is_masked_within_a_second(
    site_services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = site_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await settle(pilot)
        lift = services.gate.current()
        assert lift is not None and any_lifted(services)
        assert app.screen.query_one(LiftCountdown).display
        args = build_parser().parse_args(
            [
                "lifts",
                "--site",
                str(services.site.path),
                "--data-dir",
                str(services.paths.data_dir),
                "end",
                str(lift.started_seq),
                "--reason",
                "wrong camera",
                "--user",
                "supervisor",
                "--password-stdin",
            ]  # fmt: skip
        )
        monkeypatch.setattr("sys.stdin", io.StringIO("supervisor-demo\n"))
        assert await asyncio.to_thread(args.func, args) == 0
        took = await masked_within(pilot, services, 1.0)
        assert took < 1.0, f"masks came back after {took:.2f} s"
        assert not any_lifted(services)
        await pilot.pause(0.3)
        assert app.lift_remaining == 0
        assert not app.screen.query_one(LiftCountdown).display
        assert "Lift ended by supervisor: privacy masks are back on." in notifications(app)
    records = services.audit.records()
    ended = next(r for r in records if r.event == "lift_ended")
    applied = next(r for r in records if r.event == "lift_end_applied")
    assert json.loads(applied.details) == {
        "lift": lift.started_seq,
        "order": ended.seq,
        "by": "supervisor",
    }


async def test_the_screen_lists_every_consoles_lifts_and_a_supervisor_ends_one(
    site_services: AppServices,
) -> None:
    services = site_services()
    seq = other_console_lift(services, "desk-2", "case 12")
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        assert await palette_hits(pilot, "active") == ["Active lifts"]
        await app.run_action("active_lifts")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ActiveLiftsScreen)
        table = screen.query_one("#lifts-table")
        row = [str(cell) for cell in table.get_row_at(0)]  # type: ignore[attr-defined]
        assert row[:4] == [str(seq), "desk-2", "operator", "supervisor"]
        assert row[5] == "case 12"
        assert "End lift" in footer_actions(app)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, AskScreen)
        await fill(pilot, "   ")  # no reason: refused in the dialog
        assert isinstance(app.screen, AskScreen)
        await fill(pilot, "shift over")
        await settle(pilot)
        assert app.screen is screen
        assert str(screen.query_one("#lifts-status").render()) == "0 active lifts on this site."
        assert f"Lift {seq} ended: its console puts the masks back." in notifications(app)
    ended = [r for r in services.audit.records() if r.event == "lift_ended"]
    assert [(r.operator, r.reason, json.loads(r.details)["lift"]) for r in ended] == [
        ("supervisor", "shift over", seq)
    ]


async def test_a_role_with_audit_only_sees_lifts_but_is_not_offered_to_end_them(
    site_services: AppServices,
) -> None:
    site = with_role(demo_site(), Role("auditor", frozenset({"audit"})))
    services = site_services(site)
    services.users.add("admin", "ada", "auditor", "ada-password")
    other_console_lift(services, "desk-2", "case 12")
    async with logged_in(services, ("ada", "ada-password")) as (app, pilot):
        await app.run_action("active_lifts")
        await settle(pilot)
        assert isinstance(app.screen, ActiveLiftsScreen)
        assert "End lift" not in footer_actions(app)
        await pilot.press("e")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ActiveLiftsScreen)
    assert not [r for r in services.audit.records() if r.event == "lift_ended"]


async def test_roles_without_audit_are_not_offered_the_screen(make_services: AppServices) -> None:
    async with logged_in(make_services(), OPERATOR) as (app, pilot):
        assert await palette_hits(pilot, "active") == []
        await app.run_action("active_lifts")
        await settle(pilot)
        assert not isinstance(app.screen, ActiveLiftsScreen)


@pytest.mark.parametrize("hostile", REVIEWED)
async def test_hostile_hosts_and_reasons_are_shown_as_plain_text(
    site_services: AppServices, hostile: str
) -> None:
    services = site_services()
    other_console_lift(services, hostile, hostile)
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await app.run_action("active_lifts")
        await settle(pilot)
        table = app.screen.query_one("#lifts-table")
        row = [str(cell) for cell in table.get_row_at(0)]  # type: ignore[attr-defined]
        assert row[1] == row[5] == visible(hostile)


def test_active_lifts_screen(snap_compare: SnapCompare, make_services: AppServices) -> None:
    """Two consoles' lifts, one past its time (its console was killed), at a frozen now."""
    services = make_services()
    other_console_lift(services, "desk-2", "case 12: stolen bike", MOMENT - timedelta(hours=1))
    other_console_lift(services, "lobby-pc", "[b]not bold[/b]")

    async def open_screen(pilot: Pilot[None]) -> None:
        await log_in(pilot, SUPERVISOR)
        user = pilot.app.user  # type: ignore[attr-defined]
        now = lambda: datetime(2026, 11, 27, 10, 4, 31, tzinfo=UTC)  # noqa: E731
        await pilot.app.push_screen(ActiveLiftsScreen(services, user, now=now))
        await settle(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(VeilApp(services), terminal_size=SIZE, run_before=open_screen)


async def test_an_unreadable_audit_while_lifted_is_said_and_ends_nothing(
    site_services: AppServices, backend: Backend
) -> None:
    services = site_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        await pilot.press("ctrl+l")
        await settle(pilot)
        with backend.unreadable(services.audit):
            began = time.monotonic()
            while time.monotonic() - began < 3:
                if any("cannot be read" in text for text in notifications(app)):
                    break
                await pilot.pause(0.05)
            (told,) = [text for text in notifications(app) if "cannot be read" in text]
            assert "a supervisor's end of this lift would not reach this console" in told
            assert any_lifted(services) and app.masks_lifted

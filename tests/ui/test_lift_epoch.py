"""A lift never outlives its session, and the panic key never waits on the audit.

Each test has another process hold the audit's write lock (`BEGIN IMMEDIATE`), as a
second console in the middle of a write does: the lift being asked for waits on it,
and the operator logs out or presses the panic key meanwhile; the other process lets
go a moment later (the issue's 0.6 s hold was enough to lose a lift to the next user).
Masks must be on afterwards, whoever logs in next, and the audit must tell what
happened.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from console.core.audit.trail import AuditLog, AuditRecord
from console.core.services import Services
from console.ui.app import VeilApp
from console.ui.screens.authorization import AuthorizationScreen
from console.ui.screens.login import LoginScreen
from console.ui.screens.wall import WallScreen
from console.ui.widgets.camera_tile import CameraTile
from tests.support.audit_lock import audit_locked_elsewhere
from tests.ui.conftest import (
    OPERATOR,
    SUPERVISOR,
    AppServices,
    any_lifted,
    log_in,
    logged_in,
    settle,
)

HOLD = 0.3
"""Seconds the other process keeps the lock after the logout or the panic key."""
PANIC_BUDGET = 0.1
"""Seconds from F12 to masked pictures on every tile (the issue's budget), met by the
median of `PRESSES`: on a machine shared by many test runs a single press can lose the
CPU for a while, and a timed unit test must not fail on that."""
NEVER_WAITS = 1.0
"""Seconds no press may take: a press that waited on the locked audit would take until
the other process let go (never, here) or the busy timeout (5 s)."""
PRESSES = 10

STORY = ("lift_requested", "lift_denied", "lift_started", "lift_voided", "logout", "lift_applied")
"""The records these tests follow."""


def story(services: Services) -> list[AuditRecord]:
    return [r for r in services.audit.records() if r.event in STORY]


async def until(pilot: Pilot[None], ready: Callable[[], bool], what: str, within: float) -> None:
    deadline = time.monotonic() + within
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.02)


async def request_waiting_on_the_audit(pilot: Pilot[None], services: Services) -> None:
    """Let the lift's worker reach the audit and wait there on the other process."""
    app = pilot.app
    assert isinstance(app, VeilApp)
    await until(pilot, services.audit._lock.locked, "the request to wait on the audit", 5)
    await pilot.pause(0.1)
    assert app._lift_pending


async def ask_a_supervisor(pilot: Pilot[None]) -> None:
    """The operator fills in the supervisor's name and password and presses Enter."""
    app = pilot.app
    await pilot.press("ctrl+l")
    await pilot.pause()
    assert isinstance(app.screen, AuthorizationScreen)
    app.screen.query_one("#authorization-supervisor", Input).value = SUPERVISOR[0]
    password = app.screen.query_one("#authorization-password", Input)
    password.value = SUPERVISOR[1]
    password.focus()
    await pilot.press("enter")


async def test_a_self_lift_still_being_recorded_at_logout_is_voided(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        with audit_locked_elsewhere(services.audit.path) as lock:
            await pilot.press("ctrl+l")
            await request_waiting_on_the_audit(pilot, services)
            lock.release_in(HOLD)
            await pilot.press("ctrl+o")
            assert isinstance(app.screen, LoginScreen)
        await until(pilot, lambda: not app._lift_pending, "the lift's answer", 10)
        await settle(pilot)
        assert not services.gate.lifted() and not any_lifted(services)
        await log_in(pilot, OPERATOR)  # who may not lift: must see masks on
        assert isinstance(app.screen, WallScreen)
        assert not services.gate.lifted() and not any_lifted(services)
    started, logout, voided = story(services)
    assert (started.event, logout.event, voided.event) == ("lift_started", "logout", "lift_voided")
    assert json.loads(voided.details) == {"lift": started.seq, "cause": "logout"}
    assert voided.operator == "supervisor"
    assert services.audit.verify().ok


async def test_a_self_lift_still_being_recorded_when_the_panic_key_is_pressed_is_voided(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        with audit_locked_elsewhere(services.audit.path) as lock:
            await pilot.press("ctrl+l")
            await request_waiting_on_the_audit(pilot, services)
            assert app.check_action("apply_masks", ())  # offered while the lift is pending
            lock.release_in(HOLD)
            await pilot.press("f12")
        await until(pilot, lambda: not app._lift_pending, "the lift's answer", 10)
        await settle(pilot)
        assert not services.gate.lifted() and not any_lifted(services)
        assert not app.masks_lifted
    started, voided = story(services)
    assert (started.event, voided.event) == ("lift_started", "lift_voided")
    assert json.loads(voided.details) == {"lift": started.seq, "cause": "masks applied"}


async def test_a_supervisor_authorization_still_being_recorded_at_logout_is_voided(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, OPERATOR) as (app, pilot):
        with audit_locked_elsewhere(services.audit.path) as lock:
            await ask_a_supervisor(pilot)
            await request_waiting_on_the_audit(pilot, services)
            # Behind the modal ctrl+o is not offered; the session ends there by the
            # idle timer, an account check or a signal, which all log out like this.
            lock.release_in(HOLD)
            await app.run_action("logout")
            assert isinstance(app.screen, LoginScreen)
        await until(pilot, lambda: len(story(services)) == 3, "the denial", 10)
        await settle(pilot)
        assert not services.gate.lifted() and not any_lifted(services)
        await log_in(pilot, OPERATOR)
        assert not any_lifted(services)
    requested, logout, denied = story(services)
    assert [r.event for r in (requested, logout, denied)] == [
        "lift_requested",
        "logout",
        "lift_denied",
    ]
    assert (denied.operator, denied.authorizer, denied.outcome) == (
        "operator",
        "supervisor",
        "voided",
    )
    assert json.loads(denied.details) == {"cause": "logout"}


async def test_a_supervisor_authorization_still_being_recorded_when_the_panic_key_is_pressed(
    make_services: AppServices,
) -> None:
    services = make_services()
    async with logged_in(services, OPERATOR) as (app, pilot):
        with audit_locked_elsewhere(services.audit.path) as lock:
            await ask_a_supervisor(pilot)
            await request_waiting_on_the_audit(pilot, services)
            lock.release_in(HOLD)
            await pilot.press("f12")
        await until(pilot, lambda: len(story(services)) == 2, "the denial", 10)
        await settle(pilot)
        assert not services.gate.lifted() and not any_lifted(services)
    requested, denied = story(services)
    assert (requested.event, denied.event, denied.outcome) == (
        "lift_requested",
        "lift_denied",
        "voided",
    )
    assert json.loads(denied.details) == {"cause": "masks applied"}


async def when_masked(tiles: list[CameraTile], frames: dict[CameraTile, int]) -> float:
    """The monotonic time at which every tile shows a masked picture (5 s at most)."""
    deadline = time.monotonic() + 5
    while not masked_on_screen(tiles, frames) and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.002)  # the polling is the measurement
    return time.monotonic()


def applies(path: Path) -> int:
    """ "lift applied" records in the file, as another process reads it."""
    return [r.event for r in AuditLog(path).records()].count("lift_applied")


def masked_on_screen(tiles: list[CameraTile], frames: dict[CameraTile, int]) -> bool:
    """Every tile has presented a newer picture, masked (the tile paints the picture
    that puts masks back as it presents it, see `PaintTick.paint_now`)."""
    return all(tile.frames > frames[tile] and not tile.lifted for tile in tiles)


async def test_the_panic_key_masks_the_wall_at_once_while_another_process_holds_the_audit(
    make_services: AppServices,
) -> None:
    services = make_services()
    latencies: list[float] = []
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        tiles = list(app.screen.query(CameraTile))
        assert tiles
        for _ in range(PRESSES):
            await pilot.press("ctrl+l")
            await settle(pilot)
            await until(
                pilot,
                lambda: all(t.lifted and not t.repaint_pending for t in tiles),
                "lifted pictures",
                10,
            )
            with audit_locked_elsewhere(services.audit.path) as lock:
                applied = applies(lock.path)
                frames = {tile: tile.frames for tile in tiles}
                began = time.monotonic()
                # The key arrives as from the terminal (the pilot's press would also wait
                # for every widget to drain its messages, which is the harness's time,
                # not the console's), and the wall is watched from the event loop.
                app.post_message(events.Key("f12", None))
                latencies.append(await when_masked(tiles, frames) - began)
                assert latencies[-1] < NEVER_WAITS, "the panic key waited on the audit"
                assert not any_lifted(services)
                await pilot.pause(0.3)
                # The record waits for the other process; nobody else sees it yet.
                assert services.audit.backlog().count == 1
                assert applies(lock.path) == applied
                lock.release()
                await until(pilot, lambda: services.audit.backlog().count == 0, "the record", 2)
    shown = [round(1000 * seconds) for seconds in latencies]
    print(f"panic key with the audit locked: masked pictures on screen after {shown} ms")
    assert statistics.median(latencies) < PANIC_BUDGET
    recorded = [r.event for r in story(services)]
    assert recorded == ["lift_started", "lift_applied"] * PRESSES
    assert services.audit.verify().ok

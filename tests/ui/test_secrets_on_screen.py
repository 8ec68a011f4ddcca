"""A password typed into the console shows up in no worker and no crash screen.

Textual names a thread worker after its arguments and prints every frame's locals on
its crash screen; a stored hash hashlib refused once crashed the login and showed the
supervisor's password there. The password now travels as a `Secret` under workers with
fixed descriptions: checked here while a check is running, and on the crash screen of a
check that fails with an error, for the login screen and the authorization modal.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable

import pytest
from rich.console import Console
from rich.traceback import Traceback
from textual.pilot import Pilot
from textual.widgets import Input
from textual.worker import WorkerFailed

from console.core.access.users import User
from console.core.services import Services
from console.ui.app import VeilApp
from tests.ui.conftest import OPERATOR, SUPERVISOR, AppServices, log_in, settle

NAME, SECRET = SUPERVISOR
"""The supervisor's name and password, typed into the login screen or the modal."""

Submit = Callable[[Pilot[None]], Awaitable[None]]


def type_into(pilot: Pilot[None], *values: str) -> None:
    """Set the focused field and the ones after it, as typed, leaving the last focused
    (where Enter submits)."""
    fields = list(pilot.app.screen.query(Input))
    start = fields.index(pilot.app.focused)  # type: ignore[arg-type]
    for field, value in zip(fields[start:], values, strict=False):
        field.value = value
        field.focus()


async def at_login(pilot: Pilot[None]) -> None:
    type_into(pilot, NAME, SECRET)
    await pilot.pause()
    await pilot.press("enter")


async def in_the_authorization_modal(pilot: Pilot[None]) -> None:
    await log_in(pilot, OPERATOR)
    await pilot.press("ctrl+l")
    await pilot.pause()
    type_into(pilot, NAME, SECRET)
    await pilot.pause()
    await pilot.press("enter")


FLOWS = pytest.mark.parametrize("submit", [at_login, in_the_authorization_modal])


def stand_in(
    services: Services, check: Callable[[], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` runs inside the password check of the supervisor's name (only)."""
    real = services.users.authenticate

    def authenticate(name: str, password: object, requester: str = "") -> User | None:
        if name == NAME:
            check()
        return real(name, password, requester)  # type: ignore[arg-type]

    monkeypatch.setattr(services.users, "authenticate", authenticate)


@FLOWS
async def test_no_worker_names_the_password(
    submit: Submit, make_services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services()
    checking, release = threading.Event(), threading.Event()
    stand_in(services, lambda: (checking.set(), release.wait(10)), monkeypatch)
    app = VeilApp(services)
    async with app.run_test(size=(110, 34)) as pilot:
        await submit(pilot)
        assert await asyncio.to_thread(checking.wait, 10)
        shown = " ".join(f"{worker!r} {worker.description}" for worker in app.workers)
        release.set()
        await settle(pilot)
    assert "checking a" in shown
    assert SECRET not in shown


@FLOWS
async def test_a_crash_in_the_check_shows_no_password(
    submit: Submit, make_services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services()

    def broken() -> None:
        raise RuntimeError("the users store broke")

    stand_in(services, broken, monkeypatch)
    app = VeilApp(services)

    async def run() -> None:
        async with app.run_test(size=(110, 34)) as pilot:
            await submit(pilot)
            await settle(pilot)

    with pytest.raises(WorkerFailed) as caught:
        await run()
    crash = caught.value.error
    # Textual's crash screen: a rich traceback of the worker's error, every frame's locals.
    console = Console(record=True, width=160, color_system=None)
    shown = Traceback.from_exception(
        type(crash), crash, crash.__traceback__, width=160, show_locals=True
    )
    console.print(shown)
    screen = console.export_text()
    assert "the users store broke" in screen and "Secret('***')" in screen
    assert SECRET not in screen

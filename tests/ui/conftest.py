"""Building the console app for pilot and snapshot tests, with fixed frames and a fake clock.

The services are the real ones (`build_services`): one audit log, one lift controller
asked by every feed, users in a temporary data dir. Only three things are swapped:
the clock (a `FakeClock`, so lifts and lockouts expire when a test says so), scrypt's
cost (cheap parameters: these tests check flows, not hashing cost) and the cameras'
sources (one fixed picture each, so snapshots are identical on every run).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from console.core.privacy.masking import MaskedFrame
from console.core.services import Services, build_services
from console.core.site.config import load_site
from console.core.site.model import Camera, Role, Site
from console.core.site.paths import Paths
from console.core.timebase.clock import FakeClock
from console.core.video.feed import CameraFeed, SourceFactory
from console.core.video.sources import SourceStatus
from console.ui.app import VeilApp
from console.ui.widgets.camera_tile import CameraTile
from tests.conftest import DEMO_SITE
from tests.lift.conftest import FAST
from tests.support.frames import FixedSource, gradient

AppServices = Callable[..., Services]

OPERATOR = ("operator", "operator-demo")
"""The demo operator: may not lift on their own."""
SUPERVISOR = ("supervisor", "supervisor-demo")
"""The demo supervisor: may lift, and authorize an operator's lift."""


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(now=1_000.0)


def demo_site(**changes: object) -> Site:
    """The demo site, with `changes` applied to its [site] settings."""
    return dataclasses.replace(load_site(DEMO_SITE), **changes)  # type: ignore[arg-type]


def with_role(site: Site, role: Role) -> Site:
    return dataclasses.replace(site, roles={**site.roles, role.name: role})


def fixed_sources(dead: tuple[str, ...]) -> Callable[[Camera], SourceFactory]:
    """One fixed gradient per camera; cameras named in `dead` are down instead."""

    def sources_for(camera: Camera) -> SourceFactory:
        if camera.id in dead:
            status = SourceStatus("lost", "cannot connect to rtsp://127.0.0.1/x")
            return lambda spec: FixedSource(None, status)
        return lambda spec: FixedSource(gradient(320, 180))

    return sources_for


@pytest.fixture
def make_services(tmp_path: Path, clock: FakeClock) -> Iterator[AppServices]:
    """Services for the demo site (or `site`) with the demo users, fixed frames and `clock`.

    `dead` names cameras whose source is down, to show their status instead of video.
    Every call shares the test's data dir, as consecutive runs of the console would.
    """
    built: list[Services] = []

    def build(site: Site | None = None, dead: tuple[str, ...] = (), demo: bool = True) -> Services:
        site = site or load_site(DEMO_SITE)
        paths = Paths(site.path, tmp_path / "config", tmp_path / "data")
        services = build_services(
            site, paths, demo=demo, clock=clock, params=FAST, sources_for=fixed_sources(dead)
        )
        built.append(services)
        return services

    yield build
    for services in built:
        services.stop()


def preview(feed: CameraFeed) -> MaskedFrame:
    """What a tile of this feed would be given right now."""
    frame = feed.preview(160, 90)
    assert frame is not None
    return frame


def any_lifted(services: Services) -> bool:
    """Whether any camera's next frame would leave liftable masks off."""
    return any(preview(feed).lifted for feed in services.feeds.values())


async def settle(pilot: Pilot[None]) -> None:
    """Let thread workers (scrypt, audit writes) finish and their messages be handled."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def fill(pilot: Pilot[None], *values: str) -> None:
    """Fill the focused field and the ones after it (Tab between), then press Enter.

    Values are set rather than typed key by key, which is slow under the pilot; the
    login tests type once to prove the keyboard path.
    """
    for index, value in enumerate(values):
        if index:
            await pilot.press("tab")
        field = pilot.app.focused
        assert isinstance(field, Input), f"expected an input to have focus, not {field!r}"
        field.value = value
    await pilot.press("enter")
    await settle(pilot)


async def log_in(pilot: Pilot[None], user: tuple[str, str]) -> None:
    await fill(pilot, *user)
    await pilot.pause()


@asynccontextmanager
async def logged_in(
    services: Services, user: tuple[str, str]
) -> AsyncIterator[tuple[VeilApp, Pilot[None]]]:
    """The console on `services` at 120x40, with `user` logged in."""
    app = VeilApp(services)
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, user)
        yield app, pilot


def freeze_cursors(app: VeilApp) -> None:
    """Snapshots must not catch an input's cursor half-way through a blink."""
    for field in app.screen.query(Input):
        field.cursor_blink = False


async def painted(pilot: Pilot[None]) -> None:
    """Every tile on screen has painted its picture (or its state), then no toast and no
    cursor blink: what a deterministic snapshot needs."""
    for _ in range(600):
        tiles = list(pilot.app.screen.query(CameraTile))
        if all(
            (tile.frames > 0 or tile.source.status.state != "live") and not tile.repaint_pending
            for tile in tiles
        ):
            break
        await pilot.pause(0.05)
    else:
        raise AssertionError("the tiles did not paint within 30 s")
    await pilot.pause(0.2)
    assert isinstance(pilot.app, VeilApp)
    pilot.app.clear_notifications()
    freeze_cursors(pilot.app)
    await pilot.pause()

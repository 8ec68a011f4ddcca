"""Fixtures for users, lifts and authorization: cheap scrypt, a fake clock, a small site."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core.access.authorization import LiftService
from console.core.access.lift import LiftController
from console.core.access.lockout import Limits
from console.core.access.passwords import ScryptParams
from console.core.access.users import User, UserStore
from console.core.audit.trail import AuditLog
from console.core.site.model import Role, Site
from console.core.timebase.clock import FakeClock

FAST = ScryptParams(n=2**8, r=8, p=1)
"""Real scrypt, but cheap: these tests check logic, not cost."""

HOST = "console-7"
"""The machine the fixture's console says it runs on."""

PASSWORD = "correct horse"
"""Every fixture user's password."""


def make_site(tmp_path: Path, **overrides: object) -> Site:
    roles = {
        "operator": Role("operator", frozenset({"live", "playback"})),
        "supervisor": Role("supervisor", frozenset({"live", "lift_privacy_masks", "audit"})),
        "guard": Role("guard", frozenset({"live"}), lift_timeout=600.0),
    }
    settings: dict[str, object] = {
        "path": tmp_path / "site.toml",
        "name": "Test site",
        "cameras": (),
        "roles": roles,
        "lift_timeout": 1800.0,
    }
    settings.update(overrides)
    return Site(**settings)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return make_site(tmp_path)


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "data" / "audit.db")


@pytest.fixture
def users(tmp_path: Path, site: Site, audit: AuditLog, clock: FakeClock) -> UserStore:
    """The users with the site's limits; their failure records read the test's `clock`."""
    store = UserStore(
        tmp_path / "data" / "veil.db",
        site.roles,
        audit,
        params=FAST,
        limits=Limits.of(site),
        wall=clock,
    )
    for name, role in (("olga", "operator"), ("sam", "supervisor"), ("sue", "supervisor")):
        store.add("admin", name, role, PASSWORD)
    store.add("admin", "gary", "guard", PASSWORD)
    return store


@pytest.fixture
def controller(audit: AuditLog, clock: FakeClock) -> LiftController:
    return LiftController(audit, clock, host=HOST)


@pytest.fixture
def service(site: Site, users: UserStore, controller: LiftController) -> LiftService:
    return LiftService(site, users, controller)


def user(store: UserStore, name: str) -> User:
    found = store.authenticate(name, PASSWORD)
    assert found is not None
    return found

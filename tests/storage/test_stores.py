"""The same behaviour from users, lockouts, the audit chain and mask history on both
backends (issue 14: "both backends pass the same tests")."""

from __future__ import annotations

import pytest

from console.core.access.lockout import AccountLocked, Limits
from console.core.access.users import UserError, UserStore
from console.core.audit.trail import AuditLog, Event
from console.core.privacy.masks import Mask, RectGeometry
from console.core.site.model import Role
from console.core.storage.mask_history import MaskHistory
from tests.lift.conftest import FAST, PASSWORD
from tests.support.storage_backends import Backend

ROLES = {"operator": Role("operator", frozenset({"live"}))}


class Wall:
    """Seconds since the epoch, moved by the test."""

    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def store(backend: Backend, audit: AuditLog, wall: Wall) -> UserStore:
    """One console's users store: every call gives another process's view of the site."""
    return UserStore(
        backend("users"), ROLES, audit, params=FAST, limits=Limits(max_failures=3), wall=wall
    )


def test_users_are_added_listed_authenticated_and_removed(backend: Backend) -> None:
    audit = AuditLog(backend("audit"))
    users = store(backend, audit, Wall())
    users.add("admin", "olga", "operator", PASSWORD)
    with pytest.raises(UserError, match="already exists"):
        users.add("admin", "olga", "operator", PASSWORD)
    assert [user.name for user in users.list()] == ["olga"]
    assert users.authenticate("olga", PASSWORD) is not None
    assert users.authenticate("olga", "wrong horse battery") is None
    users.remove("admin", "olga")
    assert users.list() == []
    actions = [json_action(r.details) for r in audit.records() if r.event == Event.USER_ADMIN]
    assert actions == ["add", "remove"]


def json_action(details: str) -> str:
    import json

    return str(json.loads(details)["action"])


def test_a_lock_set_by_one_console_holds_in_another(backend: Backend) -> None:
    wall = Wall()
    audit = AuditLog(backend("audit"))
    first = store(backend, audit, wall)
    first.add("admin", "olga", "operator", PASSWORD)
    for _ in range(3):
        assert first.authenticate("olga", "wrong horse battery") is None
        wall.now += 10  # past the growing delay, inside the window
    second = store(backend, AuditLog(backend("audit")), wall)
    with pytest.raises(AccountLocked, match="locked"):
        second.authenticate("olga", PASSWORD)
    second.unlock("admin", "olga")
    assert first.authenticate("olga", PASSWORD) is not None
    events = [record.event for record in audit.records()]
    assert Event.ACCOUNT_LOCKED in events and Event.ACCOUNT_UNLOCKED in events


def test_appends_from_two_logs_form_one_verified_chain(backend: Backend) -> None:
    one, two = AuditLog(backend("audit")), AuditLog(backend("audit"))
    for index in range(10):
        (one if index % 2 else two).append(Event.LOGIN_OK, operator=f"user{index}")
    records = one.records()
    assert [record.seq for record in records] == list(range(1, 11))
    assert [record.operator for record in records] == [f"user{i}" for i in range(10)]
    result = two.verify()
    assert result.ok and result.records == 10, result.problem


def test_mask_history_records_only_changes(backend: Backend) -> None:
    history = MaskHistory(backend("masks"))
    mask = Mask("door", "liftable", "blur", RectGeometry(0.1, 0.1, 0.5, 0.5), (0, 0, 0), 5)
    first = history.record_masks("cam", (mask,), "site file x", 10.0)
    assert first is not None
    assert history.record_masks("cam", (mask,), "site file x", 20.0) is None
    second = history.record_masks("cam", (), "olga", 30.0)
    assert second is not None and second > first
    timeline = MaskHistory(backend("masks")).timeline("cam")
    assert [version.masks for version in timeline.versions] == [(mask,), ()]

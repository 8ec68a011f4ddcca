"""The users store: validation, authentication, and every change audited or not made."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from console.core.access import users as users_module
from console.core.access.passwords import PasswordPolicyError, ScryptParams
from console.core.access.users import UserError, UserStore
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.site.model import Site
from tests.lift.conftest import FAST, PASSWORD


def stored_hash(store: UserStore, name: str) -> str:
    with sqlite3.connect(store.path) as connection:
        return str(
            connection.execute(
                "SELECT password_hash FROM users WHERE name = ?", (name,)
            ).fetchone()[0]
        )


def test_added_users_are_listed_with_role_and_state(users: UserStore) -> None:
    listed = {user.name: user for user in users.list()}
    assert sorted(listed) == ["gary", "olga", "sam", "sue"]
    assert listed["sam"].role == "supervisor"
    assert listed["sam"].enabled
    assert listed["sam"].created.endswith("Z")


def test_the_password_is_stored_only_as_a_salted_scrypt_hash(users: UserStore) -> None:
    assert users.path.name == "veil.db"
    for file in users.path.parent.iterdir():  # the database, its WAL and the audit
        assert PASSWORD.encode() not in file.read_bytes(), file
    assert stored_hash(users, "sam").startswith(f"scrypt${FAST.n}$")
    assert stored_hash(users, "sam") != stored_hash(users, "sue")


@pytest.mark.parametrize("name", ["", "a", "Sam", "9lives", "sam smith", "x" * 33, "sam;drop"])
def test_invalid_names_are_refused(users: UserStore, name: str) -> None:
    with pytest.raises(UserError, match="invalid user name"):
        users.add("admin", name, "operator", PASSWORD)


def test_unknown_role_is_refused_naming_the_known_ones(users: UserStore) -> None:
    with pytest.raises(UserError) as caught:
        users.add("admin", "newbie", "superuser", PASSWORD)
    assert str(caught.value) == (
        "unknown role 'superuser'; the site's roles are: guard, operator, supervisor"
    )
    assert "newbie" not in {user.name for user in users.list()}


def test_short_password_and_duplicate_name_are_refused(users: UserStore) -> None:
    with pytest.raises(PasswordPolicyError):
        users.add("admin", "newbie", "operator", "short")
    with pytest.raises(UserError, match="already exists"):
        users.add("admin", "sam", "operator", PASSWORD)


def test_authenticate(users: UserStore) -> None:
    sam = users.authenticate("sam", PASSWORD)
    assert sam is not None
    assert (sam.name, sam.role) == ("sam", "supervisor")
    assert users.authenticate("sam", PASSWORD + "!") is None
    assert users.authenticate("nobody", PASSWORD) is None


def test_unknown_and_disabled_users_cost_the_same_scrypt_work(
    users: UserStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = users_module.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(stored.split("$")[1])
        return real(password, stored)

    monkeypatch.setattr(users_module, "verify_password", counting)
    users.set_enabled("admin", "sue", False)
    for name in ("nobody", "sue", "sam"):
        users.authenticate(name, "wrong password")
    assert checked == [str(FAST.n)] * 3


def test_disabled_user_cannot_authenticate_until_enabled(users: UserStore) -> None:
    users.set_enabled("admin", "sam", False)
    assert users.authenticate("sam", PASSWORD) is None
    assert not {user.name: user for user in users.list()}["sam"].enabled
    users.set_enabled("admin", "sam", True)
    assert users.authenticate("sam", PASSWORD) is not None


def test_set_password_and_remove(users: UserStore) -> None:
    users.set_password("admin", "sam", "a new password")
    assert users.authenticate("sam", PASSWORD) is None
    assert users.authenticate("sam", "a new password") is not None
    users.remove("admin", "sam")
    assert users.authenticate("sam", "a new password") is None
    for change in (
        lambda: users.remove("admin", "sam"),
        lambda: users.set_enabled("admin", "sam", False),
        lambda: users.set_password("admin", "sam", "another one"),
    ):
        with pytest.raises(UserError, match="no user 'sam'"):
            change()


def test_login_upgrades_a_hash_made_with_older_parameters(
    tmp_path: Path, site: Site, users: UserStore, audit: AuditLog
) -> None:
    stronger = ScryptParams(n=FAST.n * 4, r=8, p=1)
    upgraded = UserStore(users.path, site.roles, audit, params=stronger)
    assert upgraded.authenticate("sam", PASSWORD) is not None
    assert stored_hash(users, "sam").startswith(f"scrypt${stronger.n}$8$1$")
    assert upgraded.authenticate("sam", PASSWORD) is not None
    assert stored_hash(users, "sue").startswith(f"scrypt${FAST.n}$")


def test_every_change_is_audited_with_actor_and_without_password(
    users: UserStore, audit: AuditLog
) -> None:
    users.set_password("root", "sam", "a new password")
    users.set_enabled("root", "sam", False)
    users.set_enabled("root", "sam", True)
    users.remove("root", "sam")
    admin = [record for record in audit.records() if record.event == Event.USER_ADMIN]
    actions = [(r.operator, json.loads(r.details)) for r in admin]
    assert actions == [
        ("admin", {"action": "add", "user": "olga", "role": "operator"}),
        ("admin", {"action": "add", "user": "sam", "role": "supervisor"}),
        ("admin", {"action": "add", "user": "sue", "role": "supervisor"}),
        ("admin", {"action": "add", "user": "gary", "role": "guard"}),
        ("root", {"action": "passwd", "user": "sam"}),
        ("root", {"action": "disable", "user": "sam"}),
        ("root", {"action": "enable", "user": "sam"}),
        ("root", {"action": "remove", "user": "sam"}),
    ]
    for file in audit.path.parent.iterdir():
        assert b"a new password" not in file.read_bytes(), file


def test_a_change_the_audit_cannot_record_is_not_made(tmp_path: Path, users: UserStore) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    unaudited = UserStore(users.path, users.roles, AuditLog(blocker / "audit.db"), params=FAST)
    with pytest.raises(AuditUnavailable, match="is unavailable"):
        unaudited.add("admin", "newbie", "operator", PASSWORD)
    with pytest.raises(AuditUnavailable, match="is unavailable"):
        unaudited.set_enabled("admin", "sam", False)
    assert "newbie" not in {user.name for user in users.list()}
    assert users.authenticate("sam", PASSWORD) is not None

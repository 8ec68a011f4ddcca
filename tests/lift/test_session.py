"""Login and logout: audited, and logout puts masks back before anything else."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.core.access.lift import LiftController, LiftVoided
from console.core.access.session import LoginOutcome, Sessions
from console.core.access.users import NOT_A_USER, UserStore
from console.core.audit.trail import AuditLog
from console.core.site.model import Site
from tests.lift.conftest import PASSWORD, make_site


def test_login_ok_and_failed_are_recorded(
    site: Site, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    sessions = Sessions(site, users, controller)
    ok = sessions.login(" olga ", PASSWORD)
    assert ok.outcome is LoginOutcome.OK
    assert ok.user is not None and ok.user.role == "operator"
    assert ok.message == "Logged in as olga (operator)."
    failed = sessions.login("olga", "not it at all")
    assert (failed.outcome, failed.user) == (LoginOutcome.WRONG_CREDENTIALS, None)
    assert failed.message == "Wrong user name or password."
    logins = [(r.event, r.operator, r.outcome) for r in audit.records()][-2:]
    assert logins == [("login_ok", "olga", "ok"), ("login_failed", "olga", "wrong credentials")]


def test_login_is_refused_when_it_cannot_be_recorded(
    tmp_path: Path, site: Site, users: UserStore, controller: LiftController
) -> None:
    (tmp_path / "blocker").write_text("")
    controller.audit = AuditLog(tmp_path / "blocker" / "audit.db")
    result = Sessions(site, users, controller).login("olga", PASSWORD)
    assert (result.outcome, result.user) == (LoginOutcome.AUDIT_UNAVAILABLE, None)


def test_logout_while_lifted_ends_the_lift_then_records_the_logout(
    site: Site, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    sessions = Sessions(site, users, controller)
    user = sessions.login("sam", PASSWORD).user
    assert user is not None
    lift = controller.lift("sam", "sam", "", 600, controller.epoch)
    sessions.logout(user)
    assert not controller.lifted()
    tail = [(r.event, json.loads(r.details)) for r in audit.records()][-2:]
    assert tail == [
        ("session_ended_while_lifted", {"cause": "logout", "lift": lift.started_seq}),
        ("logout", {"cause": "logout"}),
    ]


def test_site_loaded_records_path_and_sha256(
    tmp_path: Path, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    site = make_site(tmp_path, sha256="ab" * 32)
    Sessions(site, users, controller).record_site()
    record = audit.records()[-1]
    assert (record.event, record.label) == ("site_loaded", "site file loaded")
    assert json.loads(record.details) == {"path": str(site.path), "sha256": site.sha256}


def test_every_login_starts_by_ending_the_session_epoch(
    site: Site, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    """Whatever an earlier session left in flight or in force ends before anyone logs in."""
    sessions = Sessions(site, users, controller)
    asked = controller.epoch
    sessions.login("olga", "not the password")
    with pytest.raises(LiftVoided, match="login"):
        controller.lift("sam", "sam", "", 600, asked)
    lift = controller.lift("sam", "sam", "", 600, controller.epoch)
    sessions.login("olga", PASSWORD)
    assert not controller.lifted()
    ended = [r for r in audit.records() if r.event == "session_ended_while_lifted"]
    assert [json.loads(r.details) for r in ended] == [{"cause": "login", "lift": lift.started_seq}]


@pytest.mark.parametrize(
    "typed",
    ["Hunter2!secret", "correct-horse-battery", "sam-and-olga", " [/]\x1b]52;c;x\x07 "],
    ids=["not-a-name", "looks-like-a-name", "unknown-name", "markup-and-escapes"],
)
def test_a_failed_login_records_no_name_that_is_not_a_user(
    site: Site, users: UserStore, controller: LiftController, audit: AuditLog, typed: str
) -> None:
    """The name field may hold a password typed one field too early: it never reaches the
    audit (nor the users database) unless it is the name of a user."""
    result = Sessions(site, users, controller).login(typed, PASSWORD)
    assert result.outcome is LoginOutcome.WRONG_CREDENTIALS
    last = audit.records()[-1]
    assert (last.event, last.operator, last.outcome) == (
        "login_failed",
        NOT_A_USER,
        "wrong credentials",
    )
    for file in audit.path.parent.iterdir():
        assert typed.strip().encode() not in file.read_bytes(), file


def test_a_failed_login_of_a_user_records_their_name(
    site: Site, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    Sessions(site, users, controller).login("sam", "Hunter2!secret")
    assert audit.records()[-1].operator == "sam"

"""Who may lift: self-lift with the permission, or a second person who holds it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.core.access.authorization import LiftService, Outcome, format_seconds
from console.core.access.lift import LiftController
from console.core.access.lockout import Limits
from console.core.access.users import NOT_A_USER, User, UserStore
from console.core.audit.trail import AuditLog
from console.core.timebase.clock import FakeClock
from tests.lift.conftest import FAST, PASSWORD, make_site, user


def trail(audit: AuditLog) -> list[tuple[str, str, str, str]]:
    """(event, operator, authorizer, outcome) of every lift-related record."""
    return [
        (r.event, r.operator, r.authorizer, r.outcome)
        for r in audit.records()
        if r.event != "user_admin"
    ]


def test_operator_with_the_permission_lifts_at_once(
    service: LiftService, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    sam = user(users, "sam")
    assert service.may_lift(sam)
    result = service.lift_self(sam, "  case 9 ", service.controller.epoch)
    assert result.ok
    assert result.message == "Privacy masks lifted for 30:00."
    assert controller.lifted()
    assert controller.remaining() == 1800
    assert trail(audit) == [("lift_started", "sam", "sam", "ok")]
    assert audit.records()[-1].reason == "case 9"


def test_operator_without_the_permission_cannot_self_lift(
    service: LiftService, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    olga = user(users, "olga")
    assert not service.may_lift(olga)
    result = service.lift_self(olga, "", service.controller.epoch)
    assert result.outcome is Outcome.NOT_PERMITTED
    assert not controller.lifted()
    assert trail(audit) == [("lift_denied", "olga", "", "not permitted")]


def test_supervisor_authorizes_with_the_right_password(
    service: LiftService, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    result = service.authorize(
        user(users, "olga"), " sam ", PASSWORD, "case 1", service.controller.epoch
    )
    assert result.ok
    assert result.lift is not None
    assert (result.lift.operator, result.lift.authorizer) == ("olga", "sam")
    assert controller.lifted()
    assert trail(audit) == [
        ("lift_requested", "olga", "sam", "ok"),
        ("lift_authorized", "olga", "sam", "ok"),
        ("lift_started", "olga", "sam", "ok"),
    ]


def test_the_lift_lasts_the_operators_role_timeout(
    service: LiftService, users: UserStore, controller: LiftController
) -> None:
    assert service.authorize(user(users, "gary"), "sam", PASSWORD, "", service.controller.epoch).ok
    assert controller.remaining() == 600


@pytest.mark.parametrize(
    ("supervisor", "password", "recorded"),
    [("sam", "wrong password", "sam"), ("nobody", PASSWORD, NOT_A_USER), ("sam", "", "sam")],
)
def test_wrong_credentials_are_refused_with_one_message(
    service: LiftService,
    users: UserStore,
    controller: LiftController,
    audit: AuditLog,
    supervisor: str,
    password: str,
    recorded: str,
) -> None:
    result = service.authorize(
        user(users, "olga"), supervisor, password, "", service.controller.epoch
    )
    assert result.outcome is Outcome.WRONG_CREDENTIALS
    assert result.message == "Wrong user name or password."
    assert not controller.lifted()
    assert trail(audit)[-1] == ("lift_denied", "olga", recorded, "wrong credentials")
    if password:
        for file in audit.path.parent.iterdir():
            assert password.encode() not in file.read_bytes(), file


def test_disabled_supervisor_cannot_authorize(
    service: LiftService, users: UserStore, controller: LiftController
) -> None:
    users.set_enabled("admin", "sam", False)
    result = service.authorize(user(users, "olga"), "sam", PASSWORD, "", service.controller.epoch)
    assert result.outcome is Outcome.WRONG_CREDENTIALS
    assert not controller.lifted()


def test_authorizer_needs_the_permission(
    service: LiftService, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    result = service.authorize(user(users, "olga"), "gary", PASSWORD, "", service.controller.epoch)
    assert result.outcome is Outcome.NOT_PERMITTED
    assert result.message == "gary may not authorise lifting privacy masks."
    assert not controller.lifted()
    assert trail(audit)[-1] == ("lift_denied", "olga", "gary", "not permitted")


@pytest.mark.parametrize("operator", ["olga", "sam"])
def test_self_authorization_is_refused(
    service: LiftService,
    users: UserStore,
    controller: LiftController,
    audit: AuditLog,
    operator: str,
) -> None:
    result = service.authorize(
        user(users, operator), operator, PASSWORD, "", service.controller.epoch
    )
    assert result.outcome is Outcome.SELF_AUTHORIZATION
    assert not controller.lifted()
    assert trail(audit)[-1] == ("lift_denied", operator, operator, "self-authorization")


def test_lockout_triggers_after_five_failures_and_expires(
    service: LiftService,
    users: UserStore,
    controller: LiftController,
    audit: AuditLog,
    clock: FakeClock,
) -> None:
    olga = user(users, "olga")
    for _ in range(4):
        assert (
            service.authorize(olga, "sam", "guess", "", service.controller.epoch).outcome
            is Outcome.WRONG_CREDENTIALS
        )
        clock.advance(10)
    fifth = service.authorize(olga, "sam", "guess", "", service.controller.epoch)
    assert fifth.outcome is Outcome.LOCKED
    assert fifth.locked_for == 300
    assert "locked for 5:00" in fifth.message
    assert trail(audit)[-1] == ("lift_locked", "olga", "sam", "locked")
    assert json.loads(audit.records()[-1].details) == {"locked_for_s": 300}

    clock.advance(299)
    assert service.locked_for("olga") == pytest.approx(1)
    blocked = service.authorize(olga, "sam", PASSWORD, "", service.controller.epoch)
    assert blocked.outcome is Outcome.LOCKED
    assert "locked for 0:01" in blocked.message
    assert not controller.lifted()
    # Another operator at the same console is not locked out.
    assert service.locked_for("gary") == 0

    clock.advance(1)
    assert service.locked_for("olga") == 0
    assert service.authorize(olga, "sam", PASSWORD, "", service.controller.epoch).ok


def test_failures_outside_the_window_do_not_lock(
    service: LiftService, users: UserStore, clock: FakeClock
) -> None:
    olga = user(users, "olga")
    for _ in range(4):
        assert (
            service.authorize(olga, "sam", "guess", "", service.controller.epoch).outcome
            is Outcome.WRONG_CREDENTIALS
        )
        clock.advance(10)
    clock.advance(260)
    assert (
        service.authorize(olga, "sam", "guess", "", service.controller.epoch).outcome
        is Outcome.WRONG_CREDENTIALS
    )
    assert service.locked_for("olga") == 0


def test_success_clears_the_failure_count(
    service: LiftService, users: UserStore, controller: LiftController, clock: FakeClock
) -> None:
    olga = user(users, "olga")
    for _ in range(4):
        service.authorize(olga, "sam", "guess", "", service.controller.epoch)
        clock.advance(10)
    assert service.authorize(olga, "sam", PASSWORD, "", service.controller.epoch).ok
    controller.apply("olga")
    assert (
        service.authorize(olga, "sam", "guess", "", service.controller.epoch).outcome
        is Outcome.WRONG_CREDENTIALS
    )


def test_site_lockout_settings_apply(
    tmp_path: Path, users: UserStore, controller: LiftController, clock: FakeClock
) -> None:
    site = make_site(tmp_path, auth_max_failures=2, auth_lockout=60.0)
    strict = UserStore(users.path, site.roles, users.audit, params=FAST, limits=Limits.of(site),
                       wall=clock)  # fmt: skip
    service = LiftService(site, strict, controller)
    olga = user(users, "olga")
    service.authorize(olga, "sam", "guess", "", service.controller.epoch)
    assert service.authorize(olga, "sam", "guess", "", service.controller.epoch).locked_for == 60


def test_reason_required_by_the_site(
    tmp_path: Path, users: UserStore, controller: LiftController
) -> None:
    service = LiftService(make_site(tmp_path, require_lift_reason=True), users, controller)
    for result in (
        service.authorize(user(users, "olga"), "sam", PASSWORD, "   ", service.controller.epoch),
        service.lift_self(user(users, "sam"), "", service.controller.epoch),
    ):
        assert result.outcome is Outcome.REASON_REQUIRED
    assert not controller.lifted()
    assert service.lift_self(user(users, "sam"), "case 3", service.controller.epoch).ok


def test_masks_stay_on_when_the_audit_is_unavailable(
    tmp_path: Path, service: LiftService, users: UserStore, clock: FakeClock
) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    service.controller = LiftController(AuditLog(blocker / "audit.db"), clock)
    for result in (
        service.lift_self(user(users, "sam"), "", service.controller.epoch),
        service.authorize(user(users, "olga"), "sam", PASSWORD, "", service.controller.epoch),
    ):
        assert result.outcome is Outcome.AUDIT_UNAVAILABLE
        assert result.message.startswith("Masks stay on: the lift cannot be recorded")
    assert not service.controller.lifted()


@pytest.mark.parametrize(
    ("seconds", "shown"), [(300, "5:00"), (0.2, "0:01"), (59.0, "0:59"), (1771, "29:31")]
)
def test_format_seconds_rounds_up(seconds: float, shown: str) -> None:
    assert format_seconds(seconds) == shown


def disable(store: UserStore, name: str) -> None:
    store.set_enabled("admin", name, False)


def remove(store: UserStore, name: str) -> None:
    store.remove("admin", name)


def demote(store: UserStore, name: str) -> None:
    store.set_role("admin", name, "guard")


CHANGES = {
    "disabled": disable,
    "removed": remove,
    "given the role 'guard' (was 'supervisor')": demote,
}


@pytest.mark.parametrize("change", CHANGES)
def test_a_lift_rests_on_the_account_as_stored_now_not_at_login(
    service: LiftService,
    users: UserStore,
    controller: LiftController,
    audit: AuditLog,
    change: str,
) -> None:
    sam = user(users, "sam")  # logged in while a supervisor
    CHANGES[change](users, "sam")
    result = service.lift_self(sam, "", controller.epoch)
    assert result.outcome is Outcome.ACCOUNT_CHANGED
    assert result.message == f"Masks stay on: user 'sam' was {change}. Log in again."
    assert not controller.lifted()
    assert trail(audit)[-1] == ("lift_denied", "sam", "", "account changed")


@pytest.mark.parametrize("change", CHANGES)
def test_no_supervisor_may_authorize_for_an_account_that_changed(
    service: LiftService, users: UserStore, controller: LiftController, change: str
) -> None:
    olga = user(users, "olga")
    CHANGES[change](users, "olga")
    result = service.authorize(olga, "sam", PASSWORD, "", controller.epoch)
    assert result.outcome is Outcome.ACCOUNT_CHANGED
    assert not controller.lifted()


def test_an_authorization_whose_session_ended_while_it_was_checked_is_void(
    service: LiftService,
    users: UserStore,
    controller: LiftController,
    audit: AuditLog,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The operator logs out while the supervisor's password is being checked: the
    request is on the record, so its end is too, and nothing is lifted."""
    authenticate = users.authenticate

    def logout_meanwhile(name: str, password: str, requester: str = "") -> User | None:
        found = authenticate(name, password, requester)
        controller.end_session("logout")
        return found

    olga = user(users, "olga")
    monkeypatch.setattr(users, "authenticate", logout_meanwhile)
    result = service.authorize(olga, "sam", PASSWORD, "case 5", controller.epoch)
    assert result.outcome is Outcome.VOIDED
    assert result.message == "Masks stay on: logout while the lift was being asked for."
    assert not controller.lifted()
    assert trail(audit)[-2:] == [
        ("lift_requested", "olga", "sam", "ok"),
        ("lift_denied", "olga", "sam", "voided"),
    ]
    assert json.loads(audit.records()[-1].details) == {"cause": "logout"}


def test_a_request_from_an_ended_epoch_is_void_before_anything_is_recorded(
    service: LiftService, users: UserStore, controller: LiftController, audit: AuditLog
) -> None:
    sam, olga = user(users, "sam"), user(users, "olga")
    asked = controller.epoch
    controller.apply("sam")
    before = trail(audit)
    assert service.lift_self(sam, "", asked).outcome is Outcome.VOIDED
    assert service.authorize(olga, "sam", PASSWORD, "", asked).outcome is Outcome.VOIDED
    assert trail(audit) == before
    assert not controller.lifted()


def test_a_password_typed_as_the_supervisor_name_never_reaches_the_audit(
    service: LiftService, users: UserStore, audit: AuditLog, controller: LiftController
) -> None:
    typed = "Correct-Horse!9"
    result = service.authorize(user(users, "olga"), typed, PASSWORD, "", controller.epoch)
    assert result.outcome is Outcome.WRONG_CREDENTIALS
    assert [(r.event, r.authorizer) for r in audit.records()][-2:] == [
        ("lift_requested", NOT_A_USER),
        ("lift_denied", NOT_A_USER),
    ]
    for file in audit.path.parent.iterdir():
        assert typed.encode() not in file.read_bytes(), file

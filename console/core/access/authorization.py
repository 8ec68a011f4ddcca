"""Deciding whether a lift may start: the operator's own permission or a supervisor's.

`LiftService` is what the UI calls, from a worker thread because checking a supervisor
password costs a deliberate fraction of a second of scrypt. It never raises for an
expected refusal: every answer is an `AuthorizationResult` whose outcome the modal can
turn into a message, and every decision is in the audit before it takes effect.

Every request carries the session epoch it was asked in (`LiftController.epoch`): one
that has ended by the time the lift would start is void (see `console.core.access.lift`).
The operator's account is read again from the store at every request: a session keeps
the account it logged in with, and a lift must not rest on a role or an account that an
administrator has since changed, disabled or removed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from console.core.access.lift import ActiveLift, LiftController, LiftVoided
from console.core.access.lockout import AccountLocked, format_seconds
from console.core.access.passwords import Secret
from console.core.access.users import (
    NOT_A_USER,
    AccountChanged,
    User,
    UserStore,
    UsersUnavailable,
)
from console.core.audit.trail import AuditUnavailable, Event
from console.core.site.model import Site

LIFT_PERMISSION = "lift_privacy_masks"


class Outcome(StrEnum):
    """Every way a lift request can end."""

    LIFTED = "lifted"
    REASON_REQUIRED = "reason required"
    WRONG_CREDENTIALS = "wrong credentials"
    NOT_PERMITTED = "not permitted"
    SELF_AUTHORIZATION = "self-authorization"
    LOCKED = "locked"
    AUDIT_UNAVAILABLE = "audit unavailable"
    USERS_UNAVAILABLE = "users unavailable"
    ACCOUNT_CHANGED = "account changed"
    VOIDED = "voided"


@dataclass(frozen=True, slots=True)
class AuthorizationResult:
    """The answer to one lift request."""

    outcome: Outcome
    message: str
    """One sentence for the operator; never contains a password."""
    lift: ActiveLift | None = None
    """The lift now in force, when the outcome is LIFTED."""
    locked_for: float = 0.0
    """Seconds until the operator may try again, when the outcome is LOCKED."""

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.LIFTED


class LiftService:
    """Lift requests for one console process and one site."""

    def __init__(self, site: Site, users: UserStore, controller: LiftController) -> None:
        self.site = site
        self.users = users
        self.controller = controller

    def may_lift(self, user: User) -> bool:
        """True when the user's role lifts without a second person."""
        role = self.site.roles.get(user.role)
        return role is not None and LIFT_PERMISSION in role.permissions

    def locked_for(self, operator: str) -> float:
        """Seconds the operator's own account stays locked (0.0 when it is not).

        Read from the users database, where every process keeps the failure records, so
        the modal asks it from the UI thread: a read of a WAL database never waits for
        another process's write (measured: 0.5 ms while another process holds an
        exclusive transaction). A database that cannot be read locks nothing here, since
        `authorize` then refuses.
        """
        try:
            hold = self.users.hold(operator)
        except UsersUnavailable:
            return 0.0
        return hold.seconds if hold is not None and hold.locked else 0.0

    def lift_self(self, operator: User, reason: str, epoch: int) -> AuthorizationResult:
        """Lift for an operator whose own role holds the permission."""
        reason = reason.strip()
        if self.site.require_lift_reason and not reason:
            return _reason_required()
        checked = self._recheck(operator, "", reason, epoch, recorded=False)
        if isinstance(checked, AuthorizationResult):
            return checked
        if not self.may_lift(checked):
            return self._deny(
                Outcome.NOT_PERMITTED,
                f"Your role {checked.role!r} may not lift privacy masks.",
                checked.name,
                "",
                reason,
            )
        return self._start(checked, checked.name, reason, epoch, recorded=False)

    def authorize(
        self, operator: User, supervisor: str, password: Secret | str, reason: str, epoch: int
    ) -> AuthorizationResult:
        """Check a supervisor's credentials and, when they may authorise, lift.

        The audit names the supervisor as typed only when that is a user's name
        (`UserStore.recorded_name`): the field may hold a password typed too early.
        """
        reason = reason.strip()
        supervisor = supervisor.strip()
        if self.site.require_lift_reason and not reason:
            return _reason_required()
        try:
            recorded = self.users.recorded_name(supervisor)
        except UsersUnavailable:  # the check below names it; the audit keeps no typed name
            recorded = NOT_A_USER
        locked = self.locked_for(operator.name)
        if locked > 0:
            return self._deny(
                Outcome.LOCKED,
                f"Authorization is locked for {format_seconds(locked)} after too many failed "
                "attempts.",
                operator.name,
                recorded,
                reason,
                locked_for=locked,
            )
        try:
            self.controller.check(epoch)
        except LiftVoided as void:
            return self._void(void, operator.name, recorded, reason, recorded=False)
        try:
            self.controller.audit.append(
                Event.LIFT_REQUESTED, operator=operator.name, authorizer=recorded, reason=reason
            )
        except AuditUnavailable as error:
            return _audit_unavailable(error)
        checked = self._recheck(operator, recorded, reason, epoch, recorded=True)
        if isinstance(checked, AuthorizationResult):
            return checked
        if supervisor == checked.name:
            return self._deny(
                Outcome.SELF_AUTHORIZATION,
                "You cannot authorise your own lift; ask a supervisor.",
                checked.name,
                recorded,
                reason,
            )
        try:
            authorizer = self.users.authenticate(supervisor, password, requester=checked.name)
        except AccountLocked as held:
            return self._deny(
                Outcome.LOCKED,
                held.hold.message,
                checked.name,
                recorded,
                reason,
                locked_for=held.hold.seconds,
            )
        except UsersUnavailable as error:
            return AuthorizationResult(Outcome.USERS_UNAVAILABLE, f"Cannot check users: {error}")
        if authorizer is None:
            return self._wrong_credentials(checked.name, recorded, reason)
        if not self.may_lift(authorizer):
            return self._deny(
                Outcome.NOT_PERMITTED,
                f"{authorizer.name} may not authorise lifting privacy masks.",
                checked.name,
                recorded,
                reason,
            )
        try:
            self.controller.check(epoch)
            self.controller.audit.append(
                Event.LIFT_AUTHORIZED,
                operator=checked.name,
                authorizer=authorizer.name,
                reason=reason,
            )
        except LiftVoided as void:
            return self._void(void, checked.name, recorded, reason, recorded=True)
        except AuditUnavailable as error:
            return _audit_unavailable(error)
        return self._start(checked, authorizer.name, reason, epoch, recorded=True)

    def _recheck(
        self, operator: User, supervisor: str, reason: str, epoch: int, *, recorded: bool
    ) -> User | AuthorizationResult:
        """The operator's account as stored now, or the refusal: an ended epoch, a
        changed account, an unreadable store. `recorded`: the request is in the audit
        already (a supervisor's lift_requested), so a void is recorded too."""
        try:
            self.controller.check(epoch)
            return self.users.recheck(operator)
        except LiftVoided as void:
            return self._void(void, operator.name, supervisor, reason, recorded=recorded)
        except UsersUnavailable as error:
            return AuthorizationResult(Outcome.USERS_UNAVAILABLE, f"Cannot check users: {error}")
        except AccountChanged as error:
            return self._deny(
                Outcome.ACCOUNT_CHANGED,
                f"Masks stay on: {error}. Log in again.",
                operator.name,
                supervisor,
                reason,
            )

    def _start(
        self, operator: User, authorizer: str, reason: str, epoch: int, *, recorded: bool
    ) -> AuthorizationResult:
        """Lift; `recorded` says whether this request already has records in the audit
        (a void then needs one saying so)."""
        duration = self.site.lift_timeout_for(operator.role)
        try:
            lift = self.controller.lift(operator.name, authorizer, reason, duration, epoch)
        except LiftVoided as void:
            return self._void(void, operator.name, authorizer, reason, recorded=recorded)
        except AuditUnavailable as error:
            return _audit_unavailable(error)
        return AuthorizationResult(
            Outcome.LIFTED,
            f"Privacy masks lifted for {format_seconds(duration)}.",
            lift=lift,
        )

    def _void(
        self, void: LiftVoided, operator: str, supervisor: str, reason: str, *, recorded: bool
    ) -> AuthorizationResult:
        """The answer to a request whose epoch ended. Its "lift started", if written,
        is followed by "lift voided" (the controller posts it); a request with other
        records (requested, authorized) and no start gets a denial saying why."""
        message = f"Masks stay on: {void.cause} while the lift was being asked for."
        if recorded and void.started_seq is None:
            return self._deny(
                Outcome.VOIDED, message, operator, supervisor, reason, cause=void.cause
            )
        return AuthorizationResult(Outcome.VOIDED, message)

    def _wrong_credentials(
        self, operator: str, supervisor: str, reason: str
    ) -> AuthorizationResult:
        """A wrong password; when it was the one that locked the operator's or the
        supervisor's account, the refusal says so and is recorded as the lock."""
        message = "Wrong user name or password."
        try:
            hold = self.users.hold(operator, supervisor)
        except UsersUnavailable:
            hold = None
        if hold is None or not hold.locked:
            return self._deny(Outcome.WRONG_CREDENTIALS, message, operator, supervisor, reason)
        return self._deny(
            Outcome.LOCKED,
            f"{message} Too many failed attempts: authorization is locked for "
            f"{format_seconds(hold.seconds)}.",
            operator,
            supervisor,
            reason,
            locked_for=hold.seconds,
            event=Event.LIFT_LOCKED,
        )

    def _deny(
        self,
        outcome: Outcome,
        message: str,
        operator: str,
        supervisor: str,
        reason: str,
        locked_for: float = 0.0,
        event: Event = Event.LIFT_DENIED,
        cause: str = "",
    ) -> AuthorizationResult:
        """Record a refusal; a refusal stands even when the audit cannot take the record."""
        details: dict[str, object] = {}
        if locked_for:
            details["locked_for_s"] = round(locked_for)
        if cause:
            details["cause"] = cause
        try:
            self.controller.audit.append(
                event,
                operator=operator,
                authorizer=supervisor,
                reason=reason,
                outcome=str(outcome),
                details=details,
            )
        except AuditUnavailable as error:
            message = f"{message} (Not recorded: {error}.)"
        return AuthorizationResult(outcome, message, locked_for=locked_for)


def _reason_required() -> AuthorizationResult:
    return AuthorizationResult(
        Outcome.REASON_REQUIRED, "This site requires a reason or case id for every lift."
    )


def _audit_unavailable(error: AuditUnavailable) -> AuthorizationResult:
    return AuthorizationResult(
        Outcome.AUDIT_UNAVAILABLE, f"Masks stay on: the lift cannot be recorded ({error})."
    )

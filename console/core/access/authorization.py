"""Deciding whether a lift may start: the operator's own permission or a supervisor's.

`LiftService` is what the UI calls, from a worker thread because checking a supervisor
password costs a deliberate fraction of a second of scrypt. It never raises for an
expected refusal: every answer is an `AuthorizationResult` whose outcome the modal can
turn into a message, and every decision is in the audit before it takes effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from console.core.access.lift import ActiveLift, LiftController
from console.core.access.lockout import AttemptLimiter
from console.core.access.passwords import Secret
from console.core.access.users import User, UserStore, UsersUnavailable
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


def format_seconds(seconds: float) -> str:
    """mm:ss, rounded up so "0:00" never shows while time is left."""
    whole = int(-(-seconds // 1))
    return f"{whole // 60}:{whole % 60:02d}"


class LiftService:
    """Lift requests for one console process and one site."""

    def __init__(self, site: Site, users: UserStore, controller: LiftController) -> None:
        self.site = site
        self.users = users
        self.controller = controller
        self.limiter = AttemptLimiter(
            site.auth_max_failures, site.auth_failure_window, site.auth_lockout, controller.clock
        )
        """Failed supervisor attempts, counted per operator."""

    def may_lift(self, user: User) -> bool:
        """True when the user's role lifts without a second person."""
        role = self.site.roles.get(user.role)
        return role is not None and LIFT_PERMISSION in role.permissions

    def locked_for(self, operator: str) -> float:
        return self.limiter.locked_for(operator)

    def lift_self(self, operator: User, reason: str) -> AuthorizationResult:
        """Lift for an operator whose own role holds the permission."""
        reason = reason.strip()
        if self.site.require_lift_reason and not reason:
            return _reason_required()
        if not self.may_lift(operator):
            return self._deny(
                Outcome.NOT_PERMITTED,
                f"Your role {operator.role!r} may not lift privacy masks.",
                operator.name,
                "",
                reason,
            )
        return self._start(operator, operator.name, reason)

    def authorize(
        self, operator: User, supervisor: str, password: Secret | str, reason: str
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
        except UsersUnavailable as error:
            return AuthorizationResult(Outcome.USERS_UNAVAILABLE, f"Cannot check users: {error}")
        locked = self.limiter.locked_for(operator.name)
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
            self.controller.audit.append(
                Event.LIFT_REQUESTED, operator=operator.name, authorizer=recorded, reason=reason
            )
        except AuditUnavailable as error:
            return _audit_unavailable(error)
        if supervisor == operator.name:
            return self._deny(
                Outcome.SELF_AUTHORIZATION,
                "You cannot authorise your own lift; ask a supervisor.",
                operator.name,
                recorded,
                reason,
            )
        try:
            authorizer = self.users.authenticate(supervisor, password)
        except UsersUnavailable as error:
            return AuthorizationResult(Outcome.USERS_UNAVAILABLE, f"Cannot check users: {error}")
        if authorizer is None:
            return self._wrong_credentials(operator.name, recorded, reason)
        if not self.may_lift(authorizer):
            return self._deny(
                Outcome.NOT_PERMITTED,
                f"{authorizer.name} may not authorise lifting privacy masks.",
                operator.name,
                recorded,
                reason,
            )
        self.limiter.succeeded(operator.name)
        try:
            self.controller.audit.append(
                Event.LIFT_AUTHORIZED,
                operator=operator.name,
                authorizer=authorizer.name,
                reason=reason,
            )
        except AuditUnavailable as error:
            return _audit_unavailable(error)
        return self._start(operator, authorizer.name, reason)

    def _start(self, operator: User, authorizer: str, reason: str) -> AuthorizationResult:
        duration = self.site.lift_timeout_for(operator.role)
        try:
            lift = self.controller.lift(operator.name, authorizer, reason, duration)
        except AuditUnavailable as error:
            return _audit_unavailable(error)
        return AuthorizationResult(
            Outcome.LIFTED,
            f"Privacy masks lifted for {format_seconds(duration)}.",
            lift=lift,
        )

    def _wrong_credentials(
        self, operator: str, supervisor: str, reason: str
    ) -> AuthorizationResult:
        message = "Wrong user name or password."
        denied = self._deny(Outcome.WRONG_CREDENTIALS, message, operator, supervisor, reason)
        if not self.limiter.failed(operator):
            return denied
        lockout = self.site.auth_lockout
        return self._deny(
            Outcome.LOCKED,
            f"{message} Too many failed attempts: authorization is locked for "
            f"{format_seconds(lockout)}.",
            operator,
            supervisor,
            reason,
            locked_for=lockout,
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
    ) -> AuthorizationResult:
        """Record a refusal; a refusal stands even when the audit cannot take the record."""
        details: dict[str, object] = {}
        if locked_for:
            details["locked_for_s"] = round(locked_for)
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

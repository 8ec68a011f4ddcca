"""Logging in and out of the console, and the audit records that go with it.

A session always starts masked: every login, whatever its outcome, begins by ending the
session epoch (`LiftController.end_session`), so no lift of an earlier session, nor one
still being recorded for it, can carry over to whoever logs in next. Logging out ends
any lift before anything else, and never waits on the audit: its records are queued
(`AuditLog.post`). A login the audit cannot record is refused: who watched which
cameras is itself personal-data access a site must be able to account for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from console.core.access.lift import LiftController
from console.core.access.lockout import AccountLocked
from console.core.access.passwords import Secret
from console.core.access.users import User, UserStore, UsersUnavailable
from console.core.audit.trail import AuditUnavailable, Event
from console.core.site.model import Site


class LoginOutcome(StrEnum):
    OK = "ok"
    WRONG_CREDENTIALS = "wrong credentials"
    LOCKED = "locked"
    """Too many failed attempts for this name: no password was checked."""
    AUDIT_UNAVAILABLE = "audit unavailable"
    USERS_UNAVAILABLE = "users unavailable"


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The answer to one login attempt."""

    outcome: LoginOutcome
    message: str
    """One sentence for the login screen; never contains the password."""
    user: User | None = None
    """The logged-in user when the outcome is OK."""


class Sessions:
    """Login and logout for one console process."""

    def __init__(
        self,
        site: Site,
        users: UserStore,
        controller: LiftController,
        origin: Mapping[str, str] | None = None,
    ) -> None:
        self.site = site
        self.users = users
        self.controller = controller
        self.origin = dict(origin or {})
        """Where the person at this console connected from (the SSH key that opened it,
        see `console.core.access.ssh`): added to the site, login and logout records."""

    def record_site(self) -> None:
        """Record which site file is in force (raises `AuditUnavailable`)."""
        self.controller.audit.append(
            Event.SITE_LOADED,
            details={"path": str(self.site.path), "sha256": self.site.sha256, **self.origin},
        )

    def login(self, name: str, password: Secret | str) -> LoginResult:
        """Check credentials (slow: call from a worker thread) and record the attempt,
        under the name typed only when it is a user's (`UserStore.recorded_name`)."""
        self.controller.end_session("login")
        name = name.strip()
        try:
            user = self.users.authenticate(name, password)
            operator = user.name if user else self.users.recorded_name(name)
        except AccountLocked as held:
            return LoginResult(LoginOutcome.LOCKED, held.hold.message)
        except UsersUnavailable as error:
            return LoginResult(LoginOutcome.USERS_UNAVAILABLE, f"Cannot check users: {error}")
        event = Event.LOGIN_OK if user else Event.LOGIN_FAILED
        try:
            self.controller.audit.append(
                event,
                operator=operator,
                outcome="ok" if user else "wrong credentials",
                details=self.origin,
            )
        except AuditUnavailable as error:
            return LoginResult(
                LoginOutcome.AUDIT_UNAVAILABLE, f"Login refused: it cannot be recorded ({error})."
            )
        if user is None:
            return LoginResult(LoginOutcome.WRONG_CREDENTIALS, "Wrong user name or password.")
        return LoginResult(LoginOutcome.OK, f"Logged in as {user.name} ({user.role}).", user)

    def logout(self, user: User, cause: str = "logout") -> None:
        """End any lift, then record the logout; returns at once (the records are
        queued: a process about to exit calls `AuditLog.flush`)."""
        self.controller.end_session(cause)
        self.controller.audit.post(
            Event.LOGOUT, operator=user.name, details={"cause": cause, **self.origin}
        )

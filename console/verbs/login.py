"""A console user logged in for one command: `veil export`, `veil still`, `veil render`.

Commands that hand out camera pictures act for a console user, checked exactly as the
console checks one: the password through `Sessions.login` (audited, and throttled with
every other password check), the role's permission read at that moment, and the audit
open so the command can record what it handed out. The session is closed (audited as a
logout, cause "command finished") when the command ends, however it ends.

Like every verb helper, this module imports the core only inside its functions (see
`console.verbs`).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.verbs.common import fail

if TYPE_CHECKING:
    from console.core.access.session import Sessions
    from console.core.access.users import User
    from console.core.audit.trail import AuditLog, Event
    from console.core.site.model import Site
    from console.core.site.paths import Paths


def add_user_options(
    parser: argparse.ArgumentParser, *, required: bool, acting: str, shared: bool = False
) -> None:
    """--user NAME and --password-stdin; `acting` says what the user does, for --help.

    `shared`: also given to a verb's sub-actions, and accepted before or after the
    action's name (like `add_location_options`); unset ones are then absent from the
    namespace, and the verb checks for --user itself.
    """
    unset: dict[str, Any] = {"default": argparse.SUPPRESS} if shared else {}
    parser.add_argument(
        "--user", required=required and not shared, help=f"console user who {acting}", **unset
    )
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password as one line from stdin instead of prompting",
        **unset,
    )


@dataclass(frozen=True, slots=True)
class CommandLogin:
    """A logged-in user of one command, with the audit that records what it does."""

    user: User
    site: Site
    audit: AuditLog
    sessions: Sessions

    def may(self, *permissions: str) -> bool:
        """Whether the role holds any one of `permissions`."""
        role = self.site.roles.get(self.user.role)
        return role is not None and any(p in role.permissions for p in permissions)

    def refused(
        self,
        permission: str | tuple[str, ...],
        event: Event,
        doing: str,
        details: dict[str, object],
        reason: str = "",
    ) -> int | None:
        """None when the role holds `permission` (or one of several); else the refusal
        recorded as a denied `event` and an exit code after saying so (raises
        `AuditUnavailable`)."""
        wanted = (permission,) if isinstance(permission, str) else permission
        if self.may(*wanted):
            return None
        self.audit.append(
            event,
            operator=self.user.name,
            reason=reason,
            outcome="denied",
            details={**details, "why": f"role {self.user.role} lacks {' or '.join(wanted)}"},
        )
        return fail(f"user {self.user.name} (role {self.user.role}) may not {doing}", 1)

    def record(self, event: Event, details: dict[str, object]) -> None:
        """What the command did, in the user's name (raises `AuditUnavailable`)."""
        self.audit.append(event, operator=self.user.name, details=details)

    def close(self) -> None:
        """Record the end of the command's session, waiting for the record (a logout is
        queued, and the process is about to end); raises `AuditUnavailable`."""
        self.sessions.logout(self.user, "command finished")
        self.audit.flush()


def log_in(paths: Paths, site: Site, name: str, from_stdin: bool) -> CommandLogin | int:
    """The logged-in user, or an exit code after saying why not.

    Exit codes: 1 wrong or missing credentials or a locked account, 3 the data dir,
    users or audit cannot be used (nothing is handed out then).
    """
    from console.core.access.lift import LiftController
    from console.core.access.lockout import Limits
    from console.core.access.session import Sessions
    from console.core.access.site_audit import site_audit
    from console.core.access.users import UserStore
    from console.core.site.paths import DataDirError, ensure_data_dir
    from console.core.storage.site_storage import site_storage
    from console.core.video import credentials

    try:
        ensure_data_dir(paths)
    except DataDirError as error:
        return fail(str(error))
    storage = site_storage(paths, site, credentials.database_password)
    audit = site_audit(paths, site, storage)
    users = UserStore(storage.users, site.roles, audit, limits=Limits.of(site))
    sessions = Sessions(site, users, LiftController(audit))
    user = check_password(sessions, name, from_stdin)
    if isinstance(user, int):
        return user
    return CommandLogin(user, site, audit, sessions)


def as_user(
    paths: Paths, site: Site, name: str, from_stdin: bool, act: Callable[[CommandLogin], int]
) -> int:
    """Log `name` in, run `act(login)` and close the session however it ends: the exit
    code `act` gives, or the login's. An audit that cannot record is exit 3 with its words,
    whenever it happens (nothing is handed out unrecorded)."""
    from console.core.audit.trail import AuditUnavailable

    try:
        login = log_in(paths, site, name, from_stdin)
        if isinstance(login, int):
            return login
        try:
            return act(login)
        finally:
            login.close()
    except AuditUnavailable as error:
        return fail(f"the audit cannot record this: {error}")


def check_password(sessions: Sessions, name: str, from_stdin: bool) -> User | int:
    """Ask for `name`'s password (or read it from stdin) and log in: the user, or an exit
    code after saying why not."""
    from console.core.access.session import LoginOutcome

    try:
        if from_stdin:
            password = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
        else:
            password = getpass.getpass(f"Password for {name}: ")
    except EOFError:
        password = ""
    if not password:
        return fail("no password given", 1)
    result = sessions.login(name, password)
    if result.user is None:
        refused = (LoginOutcome.WRONG_CREDENTIALS, LoginOutcome.LOCKED)
        code = 1 if result.outcome in refused else 3
        return fail(result.message, code)
    return result.user

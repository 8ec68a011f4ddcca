"""Console users: who may log in, with which role, and who may authorise a lift.

Users live in ``data_dir / "veil.db"``; roles and what they permit live in the site
file, so the store only checks that a role name exists there. Every change to a user is
written to the audit inside the same users-database transaction: if the audit cannot
take the record, the change is rolled back, so no user admin happens unrecorded.

Every password check in Veil is `UserStore.authenticate`, and it is throttled by the
failure records kept in the same database (see `console.core.access.lockout`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from console.core.access.lockout import SCHEMA as FAILURES_SCHEMA
from console.core.access.lockout import (
    AccountLocked,
    FailureBook,
    Hold,
    Limits,
    Locked,
    failure_key,
)
from console.core.access.passwords import (
    DEFAULT_PARAMS,
    ScryptParams,
    Secret,
    as_secret,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.site.model import Role
from console.core.storage.database import Connection, Database, StorageUnavailable
from console.core.storage.sqlite import DEFAULT_BUSY_TIMEOUT, SqliteDatabase
from console.core.timebase.clock import Clock
from console.core.timebase.utc import WallClock, format_utc, system_now

NAME_PATTERN = re.compile(r"[a-z][a-z0-9._-]{1,31}")
"""User names: short, lower-case and shell-safe, so they read the same in every log."""

NOT_A_USER = "(not a user)"
"""What the audit records for a typed name that names no user (see `recorded_name`)."""


class UserError(Exception):
    """A request about users that cannot be done as asked; the message says why."""


class UsersUnavailable(Exception):
    """The users database cannot be opened or written."""


class AccountChanged(Exception):
    """A logged-in user was removed, disabled or given another role since logging in.

    The message says which, for the operator; the session that holds the old account
    must end, with `cause` in the audit.
    """

    def __init__(self, message: str, cause: str) -> None:
        super().__init__(message)
        self.cause = cause
        """"account removed", "account disabled" or "role changed"."""


@dataclass(frozen=True, slots=True)
class User:
    """A console user as the rest of the console sees one: never with the password hash."""

    name: str
    role: str
    enabled: bool
    created: str
    """UTC, ISO 8601."""
    updated: str
    """UTC, ISO 8601; changes with role, password or enabled state."""


_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
"""
    + FAILURES_SCHEMA
)


def check_name(name: str) -> None:
    """Refuse a user name that could be confused or break a listing."""
    if not NAME_PATTERN.fullmatch(name):
        raise UserError(
            f"invalid user name {name!r}: expected 2-32 characters, a lower-case letter "
            "first, then lower-case letters, digits, '.', '_' or '-'"
        )


def users_database(path: Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> SqliteDatabase:
    """The users and failure records of a single-host site: ``data_dir / "veil.db"``."""
    return SqliteDatabase(path, _SCHEMA, "users database", busy_timeout=busy_timeout)


def has_users(database: Path | Database) -> bool:
    """True when the users database exists and holds at least one user.

    Asked before a new audit chain is started: users mean an audit existed.
    Unreadable counts as True, so a broken users database never lets the audit restart.
    A SQLite file is only looked at, never created.
    """
    if isinstance(database, Path):
        if not database.exists():
            return False
        database = SqliteDatabase(database, _SCHEMA, "users database", create_on_read=False)
    try:
        with database.read() as connection:
            return connection.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
    except StorageUnavailable as error:
        return "no such table" not in str(error)


def _key(connection: Connection, name: str) -> str:
    """The failure record of `name`: under the name for a user's, else under a digest,
    so a password typed into the name field is never stored (nor an unknown name)."""
    known = NAME_PATTERN.fullmatch(name) is not None and (
        connection.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None
    )
    return failure_key(name, known)


class UserStore:
    """The users of one data dir, checked against one site's roles."""

    def __init__(
        self,
        path: Path | Database,
        roles: Mapping[str, Role],
        audit: AuditLog,
        params: ScryptParams = DEFAULT_PARAMS,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        now: WallClock = system_now,
        limits: Limits | None = None,
        wall: Clock = time.time,
    ) -> None:
        self.database: Database = (
            users_database(path, busy_timeout) if isinstance(path, Path) else path
        )
        """Normally ``data_dir / "veil.db"``; the site's PostgreSQL database when shared."""
        self.path: Path | None = path if isinstance(path, Path) else None
        """The SQLite file, None on PostgreSQL."""
        self.roles = roles
        """The site's roles; new users must be given one of these."""
        self.audit = audit
        """Where every change is recorded."""
        self.params = params
        """scrypt cost for new hashes; older hashes are upgraded on login."""
        self.busy_timeout = busy_timeout
        self._now = now
        self.failures = FailureBook(limits or Limits())
        """The site's ``[auth]`` limits on password guessing, kept in this database."""
        self._wall = wall
        """Seconds since the epoch, for failure records that outlive the process."""
        self._dummy_hash: str | None = None

    def check_new(self, name: str, role: str) -> None:
        """Refuse a new user's name or role before anyone is asked for a password."""
        check_name(name)
        if role not in self.roles:
            known = ", ".join(sorted(self.roles)) or "(the site defines none)"
            raise UserError(f"unknown role {role!r}; the site's roles are: {known}")
        with self._connection() as connection:
            if connection.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise UserError(f"user {name!r} already exists")

    def add(self, actor: str, name: str, role: str, password: Secret | str) -> User:
        """Create an enabled user; `actor` is who did it, for the audit."""
        self.check_new(name, role)
        secret = as_secret(password)
        check_policy(secret)
        password_hash = hash_password(secret, self.params)
        stamp = self._stamp()
        with self._transaction() as connection:
            inserted = connection.execute(
                "INSERT INTO users VALUES (?, ?, ?, 1, ?, ?) ON CONFLICT (name) DO NOTHING",
                (name, role, password_hash, stamp, stamp),
            )
            if inserted.rowcount == 0:
                raise UserError(f"user {name!r} already exists")
            self._record(actor, "add", name, role=role)
        return User(name, role, True, stamp, stamp)

    def set_password(self, actor: str, name: str, password: Secret | str) -> None:
        secret = as_secret(password)
        check_policy(secret)
        password_hash = hash_password(secret, self.params)
        with self._transaction() as connection:
            self._update(connection, name, "password_hash = ?", (password_hash,))
            self._record(actor, "passwd", name)

    def set_enabled(self, actor: str, name: str, enabled: bool) -> None:
        """Disabled users can neither log in nor authorise, but keep their history."""
        with self._transaction() as connection:
            self._update(connection, name, "enabled = ?", (int(enabled),))
            self._record(actor, "enable" if enabled else "disable", name)

    def set_role(self, actor: str, name: str, role: str) -> None:
        """Give a user another of the site's roles; a console they are logged in to
        notices within seconds and logs them out (see `recheck`)."""
        if role not in self.roles:
            known = ", ".join(sorted(self.roles)) or "(the site defines none)"
            raise UserError(f"unknown role {role!r}; the site's roles are: {known}")
        with self._transaction() as connection:
            self._update(connection, name, "role = ?", (role,))
            self._record(actor, "role", name, role=role)

    def remove(self, actor: str, name: str) -> None:
        with self._transaction() as connection:
            if connection.execute("DELETE FROM users WHERE name = ?", (name,)).rowcount == 0:
                raise UserError(f"no user {name!r}")
            self._record(actor, "remove", name)

    def list(self) -> list[User]:
        with self._connection() as connection:
            rows = connection.execute(
                "SELECT name, role, enabled, created, updated FROM users ORDER BY name"
            ).fetchall()
        return [
            User(name, role, bool(enabled), created, updated)
            for name, role, enabled, created, updated in rows
        ]

    def recheck(self, user: User) -> User:
        """`user` as the store has it now, for a privileged act by a running session.

        A session keeps the account it logged in with; an administrator may have
        removed or disabled it, or changed its role, since. Raises `AccountChanged` then
        (a changed role too: what the session was allowed is no longer what the site
        decided), and `UsersUnavailable` when the store cannot be read, so the act is
        refused either way.
        """
        with self._connection() as connection:
            row = connection.execute(
                "SELECT role, enabled, created, updated FROM users WHERE name = ?", (user.name,)
            ).fetchone()
        if row is None:
            raise AccountChanged(f"user {user.name!r} was removed", "account removed")
        role, enabled, created, updated = row
        if not enabled:
            raise AccountChanged(f"user {user.name!r} was disabled", "account disabled")
        if role != user.role:
            raise AccountChanged(
                f"user {user.name!r} was given the role {str(role)!r} (was {user.role!r})",
                "role changed",
            )
        return User(user.name, str(role), True, str(created), str(updated))

    def authenticate(self, name: str, password: Secret | str, requester: str = "") -> User | None:
        """The user when the name and password match an enabled user, else None.

        Throttled (see `console.core.access.lockout`): raises `AccountLocked`, without
        looking at the password, while `name` (or the `requester` whose session asks for
        a supervisor's password) is locked or must wait. An unknown name costs the same
        scrypt work and meets the same throttle as a known one, so neither response time
        nor a lock reveals which names exist. A hash made with older parameters is
        replaced.
        """
        with self._transaction() as connection:
            keys = [_key(connection, name)]
            if requester and requester != name:
                keys.append(_key(connection, requester))
            held, locked = self.failures.admit(connection, keys, self._wall())
            row = connection.execute(
                "SELECT role, password_hash, enabled, created, updated FROM users WHERE name = ?",
                (name,),
            ).fetchone()
        self._announce(locked)
        if held is not None:
            raise AccountLocked(held)
        secret = as_secret(password)
        stored = str(row[1]) if row else self._dummy()
        matches = verify_password(secret, stored)
        if row is None or not matches or not row[2]:
            with self._transaction() as connection:
                locked = self.failures.failed(connection, keys, self._wall())
            self._announce(locked)
            return None
        role, _, _, created, updated = row
        with self._transaction() as connection:
            self.failures.clear(connection, keys)
            if needs_rehash(stored, self.params):
                self._update(
                    connection, name, "password_hash = ?", (hash_password(secret, self.params),)
                )
        return User(name, str(role), True, str(created), str(updated))

    def hold(self, *names: str) -> Hold | None:
        """The longest hold a password check involving `names` would meet now."""
        now = self._wall()
        with self._connection() as connection:
            holds = [self.failures.hold(connection, _key(connection, name), now) for name in names]
        found = [hold for hold in holds if hold is not None]
        return max(found, key=lambda hold: (hold.locked, hold.seconds)) if found else None

    def unlock(self, actor: str, name: str) -> None:
        """Forget `name`'s failures and lift its lock early; `actor` is who, for the audit.

        Works for names that are not users too, since they are throttled alike.
        """
        with self._transaction() as connection:
            if not self.failures.clear(connection, [_key(connection, name)]):
                raise UserError(f"{name!r} is not locked and has no failed attempts")
            self.audit.append(Event.ACCOUNT_UNLOCKED, operator=actor, details={"user": name})

    def _announce(self, locked: Iterable[Locked]) -> None:
        """Record locks just set. A lock stands even when the audit cannot take its record:
        the caller's own record (a failed login, a denied lift) then fails and says so."""
        for lock in locked:
            with suppress(AuditUnavailable):
                self.audit.append(
                    Event.ACCOUNT_LOCKED,
                    outcome="locked",
                    details={
                        "user": lock.key,
                        "failures": lock.failures,
                        "locked_for_s": round(lock.seconds),
                    },
                )

    def recorded_name(self, name: str) -> str:
        """`name` as the audit may keep it: as typed when it is a user's name, else
        `NOT_A_USER`.

        Whatever is typed into a name field can be a password typed one field too
        early (the demo's own passwords look like user names), and the audit keeps every
        record for good: only names of existing users go in. Whether the name exists is
        no secret from whoever reads the audit, and the login still costs one scrypt.
        """
        if not NAME_PATTERN.fullmatch(name):
            return NOT_A_USER
        with self._connection() as connection:
            row = connection.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone()
        return name if row else NOT_A_USER

    def _update(
        self, connection: Connection, name: str, assignment: str, values: tuple[object, ...]
    ) -> None:
        cursor = connection.execute(
            f"UPDATE users SET {assignment}, updated = ? WHERE name = ?",
            (*values, self._stamp(), name),
        )
        if cursor.rowcount == 0:
            raise UserError(f"no user {name!r}")

    def _record(self, actor: str, action: str, name: str, **details: str) -> None:
        self.audit.append(
            Event.USER_ADMIN, operator=actor, details={"action": action, "user": name, **details}
        )

    def _dummy(self) -> str:
        if self._dummy_hash is None:
            self._dummy_hash = hash_password(Secret("not a password of anyone"), self.params)
        return self._dummy_hash

    def _stamp(self) -> str:
        return format_utc(self._now())

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        """A snapshot to read in; any thread (the UI's scrypt worker) may call in."""
        try:
            with self.database.read() as connection:
                yield connection
        except StorageUnavailable as error:
            raise UsersUnavailable(str(error)) from None

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """One write; users and failure records of every console serialise on "users"."""
        try:
            with self.database.write("users") as connection:
                yield connection
        except StorageUnavailable as error:
            raise UsersUnavailable(str(error)) from None

"""Console users: who may log in, with which role, and who may authorise a lift.

Users live in ``data_dir / "veil.db"``; roles and what they permit live in the site
file, so the store only checks that a role name exists there. Every change to a user is
written to the audit inside the same users-database transaction: if the audit cannot
take the record, the change is rolled back, so no user admin happens unrecorded.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

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
from console.core.audit.trail import AuditLog, Event
from console.core.site.model import Role
from console.core.storage.sqlite import DEFAULT_BUSY_TIMEOUT, connect
from console.core.timebase.utc import WallClock, format_utc, system_now

NAME_PATTERN = re.compile(r"[a-z][a-z0-9._-]{1,31}")
"""User names: short, lower-case and shell-safe, so they read the same in every log."""

NOT_A_USER = "(not a user)"
"""What the audit records for a typed name that names no user (see `recorded_name`)."""


class UserError(Exception):
    """A request about users that cannot be done as asked; the message says why."""


class UsersUnavailable(Exception):
    """The users database cannot be opened or written."""


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


_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
"""


def check_name(name: str) -> None:
    """Refuse a user name that could be confused or break a listing."""
    if not NAME_PATTERN.fullmatch(name):
        raise UserError(
            f"invalid user name {name!r}: expected 2-32 characters, a lower-case letter "
            "first, then lower-case letters, digits, '.', '_' or '-'"
        )


class UserStore:
    """The users of one data dir, checked against one site's roles."""

    def __init__(
        self,
        path: Path,
        roles: Mapping[str, Role],
        audit: AuditLog,
        params: ScryptParams = DEFAULT_PARAMS,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        now: WallClock = system_now,
    ) -> None:
        self.path = path
        """The SQLite file, normally ``data_dir / "veil.db"``."""
        self.roles = roles
        """The site's roles; new users must be given one of these."""
        self.audit = audit
        """Where every change is recorded."""
        self.params = params
        """scrypt cost for new hashes; older hashes are upgraded on login."""
        self.busy_timeout = busy_timeout
        self._now = now
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
            try:
                connection.execute(
                    "INSERT INTO users VALUES (?, ?, ?, 1, ?, ?)",
                    (name, role, password_hash, stamp, stamp),
                )
            except sqlite3.IntegrityError:
                raise UserError(f"user {name!r} already exists") from None
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

    def authenticate(self, name: str, password: Secret | str) -> User | None:
        """The user when the name and password match an enabled user, else None.

        An unknown name costs the same scrypt work as a known one, so response time does
        not reveal which names exist. A hash made with older parameters is replaced.
        """
        with self._connection() as connection:
            row = connection.execute(
                "SELECT role, password_hash, enabled, created, updated FROM users WHERE name = ?",
                (name,),
            ).fetchone()
        secret = as_secret(password)
        stored = str(row[1]) if row else self._dummy()
        matches = verify_password(secret, stored)
        if row is None or not matches or not row[2]:
            return None
        role, _, _, created, updated = row
        if needs_rehash(stored, self.params):
            with self._transaction() as connection:
                self._update(
                    connection, name, "password_hash = ?", (hash_password(secret, self.params),)
                )
        return User(name, str(role), True, str(created), str(updated))

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
        self, connection: sqlite3.Connection, name: str, assignment: str, values: tuple[object, ...]
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
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection, so any thread (the UI's scrypt worker) may call in."""
        try:
            connection = connect(self.path, self.busy_timeout)
        except (sqlite3.Error, OSError) as error:
            raise UsersUnavailable(f"users database {self.path} is unavailable: {error}") from error
        try:
            connection.executescript(_SCHEMA)
            yield connection
        except sqlite3.Error as error:
            raise UsersUnavailable(f"users database {self.path} is unavailable: {error}") from error
        finally:
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connection() as connection:
            connection.execute("BEGIN IMMEDIATE")
            try:
                yield connection
                connection.execute("COMMIT")
            except BaseException:
                with suppress(sqlite3.Error):
                    connection.execute("ROLLBACK")
                raise

"""Throttling password guesses: one failure record per account, shared by every process.

Every password check (console login, supervisor authorization, `veil export` and any
other command that asks for a password) goes through `UserStore.authenticate`, which
keeps the record in the users database (``veil.db``), so a lock set by one console
process, or by a command run a hundred times in a loop, holds in every other one, and a
new process starts exactly as locked as the last one left it. In memory, a lockout
would protect one console session: a guesser restarts the console, or guesses the same
supervisor's password at the login screen instead of in the authorization modal.

The rules, with the site's ``[auth]`` settings:

- An attempt is charged before its password is checked, and refunded (the record
  cleared) only when it succeeds. Processes guessing in parallel therefore cannot slip
  past the count, and killing a process while scrypt runs (to hide a wrong answer)
  still leaves the failure counted.
- After the second failure within ``failure_window`` the next check is admitted only
  after a growing delay (1, 2, 4 ... s, at most `DELAY_CAP`); an attempt that comes too
  soon is refused without looking at the password, so it reveals nothing.
- The attempt that makes ``max_failures`` failures within the window and fails locks
  the account for ``lockout`` at every entry point; the lock is audited, and
  ``veil user unlock NAME`` lifts it early (audited too). A lock that runs out is not
  recorded again: its record already says how long it lasts.
- A supervisor password typed in the authorization modal is charged to the supervisor
  named *and* to the operator whose session asked, so an operator cannot spread
  guesses over many supervisor names either.
- Names that are not accounts get a record of their own exactly like accounts do (the
  decision the issue left open): locking, delays and messages are the same whether the
  name exists or not, so the throttle is no oracle for which names exist, and a per-
  source throttle would not work for the login screen, whose "source" is whoever
  starts a new process. A name that is not even a valid user name (perhaps a password
  typed into the name field) is stored only as a digest, never as typed.

Refused attempts are not written to the audit one by one: they check no password, and
recording each would let anyone flood the append-only trail at thousands of records a
second. Times are wall-clock seconds, because the record outlives processes and
reboots; a clock stepped backwards cannot stretch a lock beyond ``lockout`` (it is
clamped), and only root or NTP can step it forwards.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from console.core.site.model import Site
from console.core.storage.database import Connection

DELAY_CAP = 30.0
"""Longest delay between two attempts before the lock, in seconds."""

DIGEST_PREFIX = "#"
"""Prefix of the key of a name that cannot be a user name: a digest follows."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start REAL NOT NULL,
    not_before REAL NOT NULL,
    locked_until REAL NOT NULL
);
"""
"""One row per account (or name) with failures that still count; gone once they lapse."""


@dataclass(frozen=True, slots=True)
class Limits:
    """The site's ``[auth]`` settings."""

    max_failures: int = 5
    window: float = 300.0
    """Seconds within which failures add up."""
    lockout: float = 300.0
    """Seconds a lock lasts."""

    @classmethod
    def of(cls, site: Site) -> Limits:
        return cls(site.auth_max_failures, site.auth_failure_window, site.auth_lockout)


@dataclass(frozen=True, slots=True)
class Hold:
    """Why a password check is not admitted now, and for how long."""

    seconds: float
    locked: bool
    """True for the lockout, False for the delay between attempts before it."""

    @property
    def message(self) -> str:
        """One sentence, the same for every name, existing or not."""
        if self.locked:
            return (
                "Too many failed attempts: this account is locked for "
                f"{format_seconds(self.seconds)}."
            )
        return f"Too many failed attempts: wait {format_seconds(self.seconds)} before trying again."


class AccountLocked(Exception):
    """A password check was refused before the password was looked at."""

    def __init__(self, hold: Hold) -> None:
        super().__init__(hold.message)
        self.hold = hold


@dataclass(frozen=True, slots=True)
class Locked:
    """A lock that has just been set, for the audit."""

    key: str
    failures: int
    seconds: float


def format_seconds(seconds: float) -> str:
    """mm:ss, rounded up so "0:00" never shows while time is left."""
    whole = int(-(-seconds // 1))
    return f"{whole // 60}:{whole % 60:02d}"


def failure_key(name: str, valid: bool) -> str:
    """The record's key: the name itself for a user's name (`valid`), else a digest."""
    if valid:
        return name
    return DIGEST_PREFIX + hashlib.sha256(name.encode("utf-8")).hexdigest()[:16]


def delay_after(failures: int) -> float:
    """Seconds the next attempt waits after `failures` charged attempts."""
    return 0.0 if failures < 2 else min(2.0 ** (failures - 2), DELAY_CAP)


class FailureBook:
    """The failure records in a users database, read and written on the caller's connection.

    Every method runs inside the caller's ``BEGIN IMMEDIATE`` transaction, so two
    processes admitting attempts for one account serialise on the database's write lock.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits

    def admit(
        self, connection: Connection, keys: list[str], now: float
    ) -> tuple[Hold | None, list[Locked]]:
        """Charge one attempt to every key, or none when any of them is held.

        Returns the longest hold (None when admitted) and the locks set meanwhile: an
        account whose attempts were all charged but never settled (the checking process
        was killed) is locked here.
        """
        self._tidy(connection, now)
        rows = {key: self._row(connection, key) for key in keys}
        holds: list[Hold] = []
        locked: list[Locked] = []
        for key, row in rows.items():
            if row is None:
                continue
            failures, _, not_before, locked_until = row
            if locked_until > now:
                holds.append(Hold(locked_until - now, True))
            elif not_before > now:
                holds.append(Hold(not_before - now, False))
            elif failures >= self.limits.max_failures:
                locked.append(self._lock(connection, key, failures, now))
                holds.append(Hold(self.limits.lockout, True))
        if holds:
            return max(holds, key=lambda hold: (hold.locked, hold.seconds)), locked
        for key, row in rows.items():
            failures = (row[0] if row else 0) + 1
            connection.execute(
                "INSERT INTO failures VALUES (?, ?, ?, ?, 0) ON CONFLICT (key) DO UPDATE SET "
                "failures = excluded.failures, not_before = excluded.not_before",
                (key, failures, now, now + delay_after(failures)),
            )
        return None, locked

    def failed(self, connection: Connection, keys: list[str], now: float) -> list[Locked]:
        """The charged attempt failed: lock every key whose failures reached the limit."""
        locked = []
        for key in keys:
            row = self._row(connection, key)
            if row is not None and row[3] <= now and row[0] >= self.limits.max_failures:
                locked.append(self._lock(connection, key, row[0], now))
        return locked

    def clear(self, connection: Connection, keys: list[str]) -> bool:
        """Forget every failure of `keys` (a success, or an administrator); True if any."""
        removed = 0
        for key in keys:
            removed += connection.execute("DELETE FROM failures WHERE key = ?", (key,)).rowcount
        return removed > 0

    def hold(self, connection: Connection, key: str, now: float) -> Hold | None:
        """What an attempt for `key` would meet now, without charging one."""
        row = self._row(connection, key)
        if row is None:
            return None
        _, _, not_before, locked_until = row
        if locked_until > now:
            return Hold(locked_until - now, True)
        if not_before > now:
            return Hold(not_before - now, False)
        return None

    def _lock(self, connection: Connection, key: str, failures: int, now: float) -> Locked:
        connection.execute(
            "UPDATE failures SET locked_until = ? WHERE key = ?", (now + self.limits.lockout, key)
        )
        return Locked(key, failures, self.limits.lockout)

    def _tidy(self, connection: Connection, now: float) -> None:
        """Drop lapsed records and clamp times a clock stepped backwards left in the future."""
        limits = self.limits
        connection.execute(
            "DELETE FROM failures WHERE (locked_until > 0 AND locked_until <= ?) OR "
            "(locked_until = 0 AND window_start <= ? AND not_before <= ?)",
            (now, now - limits.window, now),
        )
        connection.execute(
            "UPDATE failures SET locked_until = ? WHERE locked_until > ?",
            (now + limits.lockout, now + limits.lockout),
        )
        connection.execute(
            "UPDATE failures SET not_before = ? WHERE not_before > ?",
            (now + DELAY_CAP, now + DELAY_CAP),
        )
        connection.execute(
            "UPDATE failures SET window_start = ? WHERE window_start > ?", (now, now)
        )

    @staticmethod
    def _row(connection: Connection, key: str) -> tuple[int, float, float, float] | None:
        row = connection.execute(
            "SELECT failures, window_start, not_before, locked_until FROM failures WHERE key = ?",
            (key,),
        ).fetchone()
        if row is None:
            return None
        return int(row[0]), float(row[1]), float(row[2]), float(row[3])

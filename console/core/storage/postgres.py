"""The site's shared PostgreSQL database: the `Database` of a site with many consoles.

Every console of the site connects as the console role named in the site's
``[database] url``; its password comes from libpq (``PGPASSFILE`` or ``~/.pgpass``) or,
when `password` is given, from the OS keyring, never from the site file. Tables live in
the schema `SCHEMA`, made and upgraded by `veil db init` / `veil db upgrade` as the
owner role (`console.core.storage.migrations`); a console only checks that the schema is
the version it knows, and refuses any other with a message saying which command fixes it.

Connections are kept (a few per process, one per thread using one at a time) because a
round trip costs far less than a connection. A kept one idle for a while is pinged before
use; one that fails is thrown away, and the next transaction opens a new one: a server
that was restarted or unreachable is used again as soon as it answers, without anyone
restarting the console. Until then every
transaction raises `StorageUnavailable`, and the stores refuse what they would record.

A write transaction names a lock, taken with ``pg_advisory_xact_lock`` as its first
statement: writers of one store serialise across every host, exactly as SQLite's
``BEGIN IMMEDIATE`` serialises the processes of one host, and the lock ends with the
transaction whatever happens to the client. Waiting for it (or any lock) gives up after
`lock_timeout` seconds, as SQLite's busy timeout does.

The same statement queues a ``NOTIFY veil_<lock>``, which the server sends only if the
transaction commits; `wait_for_write` LISTENs on a connection of its own. A
notification is only a wake-up: whoever waits reads the table again, and any console
role can send one (it proves nothing, and a forged one costs one read). A listener that
fails is dropped and the wait falls back to sleeping out its timeout, so a console
without notifications polls as one on SQLite does.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from functools import lru_cache
from typing import Any

import psycopg
import psycopg.sql

from console.core.storage.advisory import lock_key
from console.core.storage.database import Rows, StorageUnavailable
from console.core.storage.migrations import LATEST, SCHEMA, schema_problem

IDLE_KEPT = 4
"""Connections kept open for reuse per process; more are opened when threads need them."""
PING_AFTER = 1.0
"""Seconds a kept connection may sit idle and still be used without a ping first. A
burst of transactions (many appends, the lift watch's polls) then costs no extra round
trip each; a server restarted since then costs one refused transaction at most within
that second, and none after a longer pause."""

PasswordLookup = Callable[[str], "str | None"]
"""The console role's name -> its password, or None to let libpq find one."""


def _channel(lock: str) -> str:
    """The NOTIFY channel of writes under `lock`."""
    return f"veil_{lock}"


class SchemaMismatch(StorageUnavailable):
    """The database's schema is not the one this console knows."""


@lru_cache(maxsize=256)
def _placeholders(sql: str) -> str:
    """The stores' SQL (``?`` placeholders, as sqlite3 takes) as psycopg takes it."""
    return sql.replace("%", "%%").replace("?", "%s")


class _Statements:
    """A psycopg connection that takes the stores' SQL."""

    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self._connection = connection

    def execute(self, sql: str, parameters: Sequence[object] = (), /) -> Rows:
        return self._connection.execute(_placeholders(sql), tuple(parameters))


class PostgresDatabase:
    """The site database at `url`, shared by every store of a console process."""

    def __init__(
        self,
        url: str,
        password: PasswordLookup | None = None,
        *,
        lock_timeout: float = 5.0,
        connect_timeout: float = 5.0,
    ) -> None:
        self.url = url
        """libpq's connection URL, never holding a password (the site schema refuses one)."""
        self.password = password
        self.lock_timeout = lock_timeout
        self.connect_timeout = connect_timeout
        self._idle: list[tuple[psycopg.Connection[Any], float]] = []
        """Kept connections, each with when it was last given back."""
        self._idle_lock = threading.Lock()
        self._listeners: dict[str, psycopg.Connection[Any]] = {}
        """Per lock, the connection LISTENing for its commits (`wait_for_write`)."""
        self._listeners_lock = threading.Lock()

    @property
    def where(self) -> str:
        return f"PostgreSQL database {self.url}"

    def present(self) -> bool:
        """The schema exists from `veil db init` on; `_connect` says when it does not."""
        return True

    @contextmanager
    def write(self, lock: str) -> Iterator[_Statements]:
        with self._transaction() as connection:
            connection.execute(
                "SELECT pg_advisory_xact_lock(%s), pg_notify(%s, '')",
                (lock_key(lock), _channel(lock)),
            )
            yield _Statements(connection)

    @contextmanager
    def read(self) -> Iterator[_Statements]:
        with self._transaction() as connection:
            connection.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield _Statements(connection)

    def wait_for_write(self, lock: str, timeout: float) -> None:
        """Meant for one thread per lock (a console's lift watch)."""
        try:
            listener = self._listener(lock)
            for _ in listener.notifies(timeout=timeout, stop_after=1):
                pass
        except (psycopg.Error, StorageUnavailable):
            with self._listeners_lock:
                dropped = self._listeners.pop(lock, None)
            if dropped is not None:
                with suppress(psycopg.Error):
                    dropped.close()
            time.sleep(timeout)

    def _listener(self, lock: str) -> psycopg.Connection[Any]:
        with self._listeners_lock:
            listener = self._listeners.get(lock)
        if listener is None or listener.closed or listener.broken:
            listener = self._connect()
            listen = psycopg.sql.SQL("LISTEN {}").format(psycopg.sql.Identifier(_channel(lock)))
            listener.execute(listen)
            with self._listeners_lock:
                self._listeners[lock] = listener
        return listener

    def high_water(self, connection: Any, table: str) -> int:
        """Kept in ``<table>_high_water`` by the insert trigger the owner installed."""
        row = connection.execute(f"SELECT seq FROM {table}_high_water").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        """Close the kept connections (a command that is done with the database)."""
        with self._idle_lock:
            idle, self._idle = self._idle, []
        with self._listeners_lock:
            listeners, self._listeners = self._listeners, {}
        for connection in [kept for kept, _ in idle] + list(listeners.values()):
            connection.close()

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Connection[Any]]:
        connection = self._checkout()
        try:
            with connection.transaction():
                yield connection
        except psycopg.Error as error:
            self._checkin(connection)
            raise StorageUnavailable(self._explain(error)) from None
        except BaseException:
            self._checkin(connection)
            raise
        self._checkin(connection)

    def _checkout(self) -> psycopg.Connection[Any]:
        """A kept connection that still answers (asked only after `PING_AFTER`), else a
        new one."""
        while True:
            with self._idle_lock:
                if not self._idle:
                    break
                connection, since = self._idle.pop()
            if time.monotonic() - since < PING_AFTER:
                return connection
            try:
                connection.execute("SELECT 1")
                return connection
            except psycopg.Error:
                with suppress(psycopg.Error):
                    connection.close()
        return self._connect()

    def _checkin(self, connection: psycopg.Connection[Any]) -> None:
        healthy = not connection.closed and not connection.broken
        healthy = (
            healthy and connection.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        )
        with self._idle_lock:
            if healthy and len(self._idle) < IDLE_KEPT:
                self._idle.append((connection, time.monotonic()))
                return
        with suppress(psycopg.Error):
            connection.close()

    def _connect(self) -> psycopg.Connection[Any]:
        extra: dict[str, Any] = {}
        if self.password is not None:
            user = psycopg.conninfo.conninfo_to_dict(self.url).get("user")
            secret = self.password(str(user or ""))
            if secret is not None:
                extra["password"] = secret
        try:
            connection = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=max(1, round(self.connect_timeout)),
                application_name="veil",
                options=f"-c search_path={SCHEMA} -c lock_timeout={int(self.lock_timeout * 1000)}",
                **extra,
            )
        except psycopg.Error as error:
            raise StorageUnavailable(self._explain(error)) from None
        try:
            problem = schema_problem(connection)
        except psycopg.Error as error:
            connection.close()
            raise StorageUnavailable(self._explain(error)) from None
        if problem:
            connection.close()
            raise SchemaMismatch(f"{self.where}: {problem}")
        return connection

    def _explain(self, error: psycopg.Error) -> str:
        """The server's first line; a wait that ran out says so plainly."""
        text = (str(error).strip().splitlines() or [type(error).__name__])[0]
        if isinstance(error, psycopg.errors.LockNotAvailable):
            return f"{self.where} is locked by another console (waited {self.lock_timeout:g} s)"
        if isinstance(error, psycopg.OperationalError):
            return f"{self.where} is unreachable: {text}"
        return f"{self.where} failed: {text}"


__all__ = ["LATEST", "PasswordLookup", "PostgresDatabase", "SchemaMismatch"]

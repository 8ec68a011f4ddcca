"""Opening the console's SQLite files the same way everywhere.

Several console processes (one per SSH session) share the users and audit databases.
WAL lets readers proceed while one process writes, and a busy timeout makes a writer
wait for the lock instead of failing at once. Connections run in autocommit mode so
each caller states its transactions explicitly (``BEGIN IMMEDIATE`` where it reads
then writes), rather than relying on the sqlite3 module's implicit transactions.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from console.core.site.private import private_database

DEFAULT_BUSY_TIMEOUT = 5.0
"""Seconds a writer waits for another process's lock before giving up."""


def connect(path: Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> sqlite3.Connection:
    """Open (creating if needed) a database for reading and writing.

    The folder is made 0700 and the file 0600 before SQLite opens it, so SQLite's own
    `-wal` and `-shm` files are 0600 too (see `console.core.site.private`).

    Raises `OSError` when the directory cannot be created and `sqlite3.Error` when the
    file cannot be opened; callers translate both into their own domain error.
    """
    private_database(path)
    connection = sqlite3.connect(
        path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
    )
    try:
        connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        _use_wal(connection, busy_timeout)
        # FULL: a record acknowledged to the caller survives a power cut, which matters
        # more for an audit trail than the few milliseconds per commit it costs.
        connection.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error:
        connection.close()
        raise
    return connection


def _use_wal(connection: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch the database to WAL (nothing to do when it already is).

    Two processes creating the database at once both ask to switch it, and SQLite turns
    one of them away at once rather than let the two deadlock (its busy handler is not
    asked). The one turned away asks again until the other has switched it, for as long
    as it would have waited for a lock.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() >= deadline:
                raise
            time.sleep(0.01)


def connect_existing(path: Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> sqlite3.Connection:
    """Open a database that must already exist, read-only, for inspection commands.

    Inspecting must not create an empty file where the real one is missing, or a deleted
    audit log would look like a fresh one.
    """
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such database")
    connection = sqlite3.connect(
        f"{path.resolve().as_uri()}?mode=ro",
        uri=True,
        timeout=busy_timeout,
        isolation_level=None,
        check_same_thread=False,
    )
    connection.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
    return connection


@contextmanager
def immediate(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: `BEGIN IMMEDIATE` takes the write lock up front (waiting
    out the busy timeout), so two consoles' read-then-write steps never interleave; any
    error rolls it back and is raised as it was."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        with suppress(sqlite3.Error):  # the original error is the one to report
            connection.execute("ROLLBACK")
        raise


@contextmanager
def schema_connection(
    path: Path,
    schema: str,
    what: str,
    unavailable: Callable[[str], Exception],
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
) -> Iterator[sqlite3.Connection]:
    """A short-lived connection with `schema` in place, closed after use, so any thread
    may call in. Every SQLite or OS failure is raised as the store's own `unavailable`
    error, saying `what` the file is and naming it."""
    try:
        connection = connect(path, busy_timeout)
    except (sqlite3.Error, OSError) as error:
        raise unavailable(f"{what} {path} is unavailable: {error}") from error
    try:
        connection.executescript(schema)
        yield connection
    except sqlite3.Error as error:
        raise unavailable(f"{what} {path} is unavailable: {error}") from error
    finally:
        connection.close()

"""Opening the console's SQLite files the same way everywhere.

Several console processes (one per SSH session) share the users and audit databases.
WAL lets readers proceed while one process writes, and a busy timeout makes a writer
wait for the lock instead of failing at once. Connections run in autocommit mode so
each caller states its transactions explicitly (``BEGIN IMMEDIATE`` where it reads
then writes), rather than relying on the sqlite3 module's implicit transactions.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from console.core.site.private import private_database
from console.core.storage.database import Connection, StorageUnavailable

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


class SqliteDatabase:
    """One store's SQLite file in the data dir: the `Database` of a single-host site.

    Each transaction opens the file at its path and closes it again rather than holding
    it open for a whole shift: a record must reach the file that is there now, not one
    moved or replaced since the console started, and a disk that has become read-only
    (or a data dir that lost its permissions) must refuse the next write instead of
    being bypassed by a handle opened while it was writable. Opening costs a
    millisecond; users, lifts and logins are rare. Any thread may call in.

    `create_on_read` False keeps reads from creating the file (the audit: a deleted one
    must not come back empty); `schema` is put in place by every writing connection.
    """

    def __init__(
        self,
        path: Path,
        schema: str,
        what: str,
        *,
        create_on_read: bool = True,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
    ) -> None:
        self.path = path
        self.schema = schema
        self.what = what
        """What the file is, for messages ("audit log", "users database")."""
        self.create_on_read = create_on_read
        self.busy_timeout = busy_timeout

    @property
    def where(self) -> str:
        return f"{self.what} {self.path}"

    def present(self) -> bool:
        return self.path.exists()

    @contextmanager
    def write(self, lock: str) -> Iterator[sqlite3.Connection]:
        """`BEGIN IMMEDIATE` takes the file's write lock up front (waiting out the busy
        timeout), which serialises every writer of the file whatever its `lock`."""
        with self._opened(create=True) as connection, immediate(connection):
            yield connection

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        with self._opened(create=self.create_on_read) as connection:
            connection.execute("BEGIN")
            try:
                yield connection
            finally:
                with suppress(sqlite3.Error):
                    connection.execute("COMMIT")

    def wait_for_write(self, lock: str, timeout: float) -> None:
        """A file has no notifications: the caller reads again after `timeout`."""
        time.sleep(timeout)

    def high_water(self, connection: Connection, table: str) -> int:
        """SQLite keeps AUTOINCREMENT's mark in ``sqlite_sequence``."""
        row = connection.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)
        ).fetchone()
        return int(row[0]) if row else 0

    @contextmanager
    def _opened(self, create: bool) -> Iterator[sqlite3.Connection]:
        try:
            if create:
                connection = connect(self.path, self.busy_timeout)
            else:
                connection = connect_existing(self.path, self.busy_timeout)
        except FileNotFoundError:
            raise StorageUnavailable(f"no {self.what} at {self.path}") from None
        except (sqlite3.Error, OSError) as error:
            raise StorageUnavailable(self._explain(error)) from error
        try:
            if create:
                connection.executescript(self.schema)
            yield connection
        except sqlite3.Error as error:
            raise StorageUnavailable(self._explain(error)) from error
        finally:
            connection.close()

    def _explain(self, error: BaseException) -> str:
        text = str(error)
        if "locked" in text or "busy" in text:
            return f"{self.where} is locked by another process (waited {self.busy_timeout:g} s)"
        if why := _unwritable(self.path):
            return f"{self.where} cannot be written: {why}"
        return f"{self.where} is unavailable: {text}"


def _unwritable(path: Path) -> str:
    """Says "its file system is read-only" when it is, else nothing ("").

    SQLite then says only "unable to open database file" or "attempt to write a readonly
    database", and whoever must fix it needs to know it is the disk, not the file.
    """
    try:
        read_only = os.statvfs(path.parent).f_flag & os.ST_RDONLY
    except OSError:
        return ""
    return "its file system is read-only" if read_only else ""


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

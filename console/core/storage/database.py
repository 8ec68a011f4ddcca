"""The one interface every store (users, lockouts, audit, mask history) talks to.

A store writes its SQL once, with ``?`` placeholders, and runs it on whichever backend
the site chose: SQLite files in the data dir (`console.core.storage.sqlite`) or one
PostgreSQL database shared by every console of the site
(`console.core.storage.postgres`). What differs between the two is only how a write
transaction is serialised and where a table's high-water mark is kept, and both are
asked of the `Database`.

Every failure of either backend reaches the store as `StorageUnavailable`, with a
message that names the file or the server and says what was wrong, so each store can
refuse its act (fail closed) in its own words.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any, Protocol


class StorageUnavailable(Exception):
    """The database cannot be opened, read or written; the message says which and why."""


class Rows(Protocol):
    """What a statement returns, as both `sqlite3.Cursor` and psycopg's cursor have it."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """One statement at a time, inside the transaction `Database` opened for it."""

    def execute(self, sql: str, parameters: Sequence[object] = ..., /) -> Rows: ...


class Database(Protocol):
    """Where one store's tables live."""

    @property
    def where(self) -> str:
        """The file or server, for messages ("users database /x/veil.db")."""
        ...

    def present(self) -> bool:
        """False only when the store has never been written (its SQLite file is missing)."""
        ...

    def write(self, lock: str) -> AbstractContextManager[Connection]:
        """One write transaction, committed when the block ends, rolled back on any error.

        Write transactions that name the same `lock` run one at a time across every
        process using the database, so a read-then-write step never interleaves with
        another's.
        """
        ...

    def read(self) -> AbstractContextManager[Connection]:
        """One read-only snapshot: every statement in the block sees the same state."""
        ...

    def wait_for_write(self, lock: str, timeout: float) -> None:
        """Return once another process may have committed a write under `lock`, or
        after `timeout` seconds: a hint to read again sooner, never what was written."""
        ...

    def high_water(self, connection: Connection, table: str) -> int:
        """The largest id `table` has ever issued, kept apart from its rows, so a deleted
        newest row still shows as missing."""
        ...

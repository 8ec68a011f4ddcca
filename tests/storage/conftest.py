"""Every store on both backends: a `backend` fixture over SQLite files and a real PostgreSQL.

The server is started once per test session (initdb + pg_ctl, see
`tests.support.postgres_server`); each test gets a database of its own in it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from console.core.storage.database import Database
from console.core.storage.postgres import PostgresDatabase
from tests.support.postgres_server import PostgresServer, running_server


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_server() as server:
        yield server


@pytest.fixture
def pg_url(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database with the schema and roles; the console role's URL."""
    monkeypatch.setenv("PGPASSFILE", str(postgres.passfile))
    return postgres.database()


Stores = Callable[[str], "Path | Database"]
"""A store's name ("users", "audit", "masks") -> what its class takes."""


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Stores:
    """Where each store lives: its SQLite file, or one shared PostgreSQL database (two
    stores asked for by name get two connection pools, as two consoles would)."""
    if request.param == "sqlite":
        files = {"users": "veil.db", "audit": "audit.db", "masks": "masks.db"}
        return lambda store: tmp_path / "data" / files[store]
    url = request.getfixturevalue("pg_url")
    return lambda store: PostgresDatabase(url)

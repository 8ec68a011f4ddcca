"""The two places a site's stores live, for the tests that must pass on both (issue 14).

A test asks for the `backend` fixture (tests/conftest.py) and runs twice: once with
SQLite files in its data dir, once with a database of its own on the session's real
PostgreSQL (`tests.support.postgres_server`). It reaches the stores the way the code
under test does: by store name (`Backend.__call__`, for the core classes), or through a
site that names the database (`Backend.site`, `Backend.site_table`), which the
composition root and every verb turn into the same stores.
"""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from console.core.audit.trail import AuditLog
from console.core.site.model import Site
from console.core.storage.database import Database
from console.core.storage.postgres import PostgresDatabase
from tests.support.postgres_server import PostgresServer

FILES = {"users": "veil.db", "audit": "audit.db", "masks": "masks.db"}
"""Each store's SQLite file in the data dir (the names `Paths` gives them)."""


@dataclass(frozen=True)
class Backend:
    name: str
    """"sqlite" or "postgresql": the test's parameter."""
    folder: Path
    """The test's own folder; SQLite's files are in its ``data``."""
    server: PostgresServer | None = None
    url: str | None = None
    """The console role's URL of the test's database; None for SQLite."""

    def __call__(self, store: str) -> Path | Database:
        """What the class of `store` ("users", "audit", "masks") takes, as a new console
        process opens it (for PostgreSQL: a connection pool of its own)."""
        if self.url is None:
            return self.folder / "data" / FILES[store]
        return PostgresDatabase(self.url)

    @property
    def environment(self) -> dict[str, str]:
        """What a process of its own needs to reach the stores (libpq's password file)."""
        return {} if self.server is None else {"PGPASSFILE": str(self.server.passfile)}

    def site_table(self) -> str:
        """What a site file says to use this backend ("" for SQLite, the default)."""
        return "" if self.url is None else f'\n[database]\nurl = "{self.url}"\n'

    def site(self, site: Site) -> Site:
        """`site` on this backend. For PostgreSQL its file is copied beside its folder's
        other entries (linked: clips, recordings, plans) with the ``[database]`` table
        added, so a verb given ``--site`` reads the same database as the console."""
        if self.url is None:
            return site
        folder = self.folder / "site"
        folder.mkdir(exist_ok=True)
        for entry in site.path.parent.iterdir():
            if entry.name != site.path.name and not (folder / entry.name).exists():
                (folder / entry.name).symlink_to(entry)
        path = folder / site.path.name
        path.write_text(site.path.read_text() + self.site_table())
        return dataclasses.replace(site, path=path, database_url=self.url)

    @contextmanager
    def unreadable(self, audit: AuditLog) -> Iterator[str]:
        """Inside the block `audit` can be neither read nor written: SQLite's file is
        moved away (an unmounted share; root reads any file mode), PostgreSQL's server
        is stopped (started again on leaving). Yields what the errors then say."""
        if self.server is None:
            assert audit.path is not None
            moved = audit.path.with_suffix(".away")
            shutil.move(audit.path, moved)
            try:
                yield "no audit log"
            finally:
                shutil.move(moved, audit.path)
            return
        self.server.stop()
        try:
            yield "is unreachable"
        finally:
            self.server.start()

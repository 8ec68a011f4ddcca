"""Which backend a site's stores use: chosen once, from the site file, for every command.

Without ``[database]`` each store is its SQLite file in the data dir, as on a single
host; with it every store is the one PostgreSQL database all the site's consoles share.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console.core.site.model import Site
from console.core.site.paths import Paths
from console.core.storage.database import Database
from console.core.storage.postgres import PasswordLookup, PostgresDatabase


@dataclass(frozen=True, slots=True)
class Storage:
    """Where the users (with their failure records), the audit and mask history live.
    A `Path` is the store's SQLite file (each store knows its own schema)."""

    users: Path | Database
    audit: Path | Database
    masks: Path | Database


def site_storage(
    paths: Paths, site: Site | None, password: PasswordLookup | None = None
) -> Storage:
    """The site's stores; `password` finds the console role's password in the keyring
    (libpq's PGPASSFILE is used when it finds none)."""
    if site is None or site.database_url is None:
        return Storage(paths.users_db, paths.audit_db, paths.mask_history_db)
    shared = PostgresDatabase(site.database_url, password)
    return Storage(shared, shared, shared)

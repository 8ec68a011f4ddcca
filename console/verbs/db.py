"""`veil db`: the site's shared PostgreSQL database (``[database] url`` in the site file).

`init` and `upgrade` connect as an administrator (``--admin-user``, by default the
``postgres`` superuser, with libpq's usual password sources or peer authentication) to
the database the site names, and make or migrate the schema as the owner role; the
console role, the URL's user, only ever gets the rights a console needs (see
`console.core.storage.migrations`). `import` moves a single-host site: it copies the
users and the audit chain of a data dir, checking the chain before and after.
"""

from __future__ import annotations

import argparse
from typing import Any

from console.verbs.common import add_location_options, fail, paths_from, site_for_audit
from console.verbs.output import say

OWNER = "veil_owner"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("db", help="create, upgrade or fill the shared PostgreSQL")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION", required=True)
    for name, func, text in (
        ("init", init_db, "create the schema, the owner role and the console role"),
        ("upgrade", upgrade_db, "apply the schema migrations this Veil brings"),
    ):
        action = actions.add_parser(name, help=text, description=text)
        add_location_options(action)
        action.add_argument(
            "--admin-user", default="postgres", help="the administrator to connect as"
        )
        action.add_argument("--owner", default=OWNER, help=f"the owner role (default {OWNER})")
        action.set_defaults(func=func)
    copy = actions.add_parser(
        "import",
        help="copy the users and the audit chain of a data dir into the database",
        description="Copy users (with their password hashes) and the audit chain of a "
        "single-host data dir into the site's empty PostgreSQL database; the chain is "
        "verified before and after.",
    )
    add_location_options(copy)
    copy.add_argument("--from", dest="source", required=True, metavar="DATA_DIR")
    copy.set_defaults(func=import_db)


def _url(args: argparse.Namespace) -> tuple[Any, str] | int:
    paths = paths_from(args)
    site = site_for_audit(paths, strict=True)
    if isinstance(site, int):
        return site
    if site is None or site.database_url is None:
        return fail("the site file has no [database] url: its stores are SQLite in the data dir")
    return paths, site.database_url


def init_db(args: argparse.Namespace) -> int:
    return _migrate(args, create=True)


def upgrade_db(args: argparse.Namespace) -> int:
    return _migrate(args, create=False)


def _migrate(args: argparse.Namespace, create: bool) -> int:
    import psycopg

    from console.core.storage import migrations

    found = _url(args)
    if isinstance(found, int):
        return found
    _, url = found
    console = str(psycopg.conninfo.conninfo_to_dict(url).get("user") or "")
    if not console:
        return fail("the [database] url names no user: it must name the console role")
    try:
        with (
            psycopg.connect(url, user=args.admin_user, autocommit=True) as admin,
            migrations.one_migrator(admin, _waiting),
        ):
            if not create and migrations.installed_version(admin) is None:
                return fail("the database has no Veil schema yet: run `veil db init`")
            made = migrations.create_roles(admin, args.owner, console) if create else []
            before, after = migrations.upgrade(admin, args.owner, console)
    except (psycopg.Error, ValueError) as error:
        return fail(f"database {url}: {str(error).strip().splitlines()[0]}")
    for role in made:
        say(f"created role {role}")
    if before == after:
        say(f"schema at version {after}, nothing to do")
    else:
        say(f"schema version {before} -> {after}")
    return 0


def _waiting() -> None:
    say("another `veil db init` or `upgrade` is running; waiting for it", err=True)


def import_db(args: argparse.Namespace) -> int:
    from pathlib import Path

    from console.core.access.site_audit import site_audit
    from console.core.audit.trail import AuditLog, AuditUnavailable
    from console.core.site.paths import Paths
    from console.core.storage.database import StorageUnavailable
    from console.core.storage.site_storage import site_storage
    from console.core.video import credentials

    found = _url(args)
    if isinstance(found, int):
        return found
    paths, _ = found
    site = site_for_audit(paths, strict=True)
    if isinstance(site, int) or site is None:
        return 2
    source = Paths(None, paths.config_dir, Path(args.source))
    storage = site_storage(paths, site, credentials.database_password)
    target = site_audit(paths, site, storage)
    try:
        old = AuditLog(source.audit_db)
        checked = old.verify()
        if not checked.ok:
            return fail(f"{source.audit_db}: {checked.problem}; nothing imported", 1)
        records = old.records()
        users = _users(source.users_db)
        database = target.database
        with database.write("audit") as connection:
            if connection.execute("SELECT 1 FROM audit LIMIT 1").fetchone():
                return fail(f"{database.where} already holds audit records; nothing imported")
            for r in records:
                connection.execute(
                    "INSERT INTO audit (seq, time, event, operator, authorizer, reason, outcome, "
                    "details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (r.seq, r.time, r.event, r.operator, r.authorizer, r.reason, r.outcome,
                     r.details, r.prev_hash, r.hash),
                )  # fmt: skip
        with database.write("users") as people:
            for row in users:
                people.execute("INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)", row)
        after = target.verify()
    except (AuditUnavailable, StorageUnavailable) as error:
        return fail(str(error), 3)
    if not after.ok or after.records != len(records):
        return fail(f"{target.where}: after the import: {after.problem}", 1)
    say(f"imported {len(users)} users and {len(records)} audit records; chain intact")
    return 0


def _users(path: Any) -> list[tuple[object, ...]]:
    from console.core.storage.sqlite import connect_existing

    if not path.exists():
        return []
    connection = connect_existing(path)
    try:
        return list(
            connection.execute(
                "SELECT name, role, password_hash, enabled, created, updated FROM users"
            )
        )
    finally:
        connection.close()

"""The PostgreSQL schema, as numbered migrations, and the two roles that use it.

`veil db init` makes the owner role (no login: it only owns the tables) and the
console role (the one in the site's ``[database] url``), then applies every migration
as the owner; `veil db upgrade` applies the ones a database lacks. Each migration runs
in one transaction with its row in ``schema_version``, so a failed upgrade leaves the
database at the version before it. A console never migrates: it checks that the newest
version is `LATEST` (`schema_problem`) and refuses anything else, because a console
writing an audit whose rules it does not know could break them.

Privileges are the point of the second role. The console role may read and write users,
failure records and mask history, but may only INSERT and SELECT audit records: UPDATE,
DELETE and TRUNCATE are revoked, and triggers refuse them for every role, the owner
included, so a console taken over by an attacker cannot rewrite history. Mask history
is append-only the same way (rewriting it would change what old footage hides). An
insert trigger (the owner's, SECURITY DEFINER) also refuses an audit record that does
not follow the last one (its ``seq`` and ``prev_hash``) and keeps the high-water mark,
which the console role can read but not lower, so records deleted from the end by
someone with the owner's rights still show as missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import sql

from console.core.storage.advisory import lock_key

SCHEMA = "veil"
"""The schema holding every table; on every console connection's search path."""
MIGRATING = "schema migrations"
"""The advisory lock `veil db init` and `veil db upgrade` hold while they work."""

_V1 = """
CREATE TABLE schema_version (
    version integer PRIMARY KEY,
    applied timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE users (
    name text PRIMARY KEY,
    role text NOT NULL,
    password_hash text NOT NULL,
    enabled integer NOT NULL,
    created text NOT NULL,
    updated text NOT NULL
);
CREATE TABLE failures (
    key text PRIMARY KEY,
    failures integer NOT NULL,
    window_start double precision NOT NULL,
    not_before double precision NOT NULL,
    locked_until double precision NOT NULL
);
CREATE TABLE audit (
    seq bigint NOT NULL,
    time text NOT NULL,
    event text NOT NULL,
    operator text NOT NULL,
    authorizer text NOT NULL,
    reason text NOT NULL,
    outcome text NOT NULL,
    details text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL,
    CONSTRAINT audit_one_record_per_seq UNIQUE (seq)
);
CREATE TABLE audit_high_water (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    seq bigint NOT NULL
);
INSERT INTO audit_high_water VALUES (true, 0);
CREATE TABLE mask_history (
    version bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    camera_id text NOT NULL,
    effective_at double precision NOT NULL,
    changed_by text NOT NULL,
    masks text NOT NULL
);
CREATE INDEX mask_history_camera ON mask_history (camera_id, effective_at);

CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER mask_history_no_change BEFORE UPDATE OR DELETE ON mask_history
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER mask_history_no_truncate BEFORE TRUNCATE ON mask_history
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_high_water_no_delete BEFORE DELETE ON audit_high_water
    FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_high_water_no_truncate BEFORE TRUNCATE ON audit_high_water
    FOR EACH STATEMENT EXECUTE FUNCTION append_only();

CREATE FUNCTION audit_high_water_only_rises() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'the audit high-water mark never goes down'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_high_water_rises BEFORE UPDATE ON audit_high_water
    FOR EACH ROW EXECUTE FUNCTION audit_high_water_only_rises();

CREATE FUNCTION audit_follows_chain() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path = veil, pg_temp AS $$
DECLARE
    mark bigint;
    last_hash text;
BEGIN
    SELECT seq INTO mark FROM audit_high_water FOR UPDATE;
    IF NEW.seq <> mark + 1 THEN
        RAISE EXCEPTION 'audit record % out of order: the next is %', NEW.seq, mark + 1
            USING ERRCODE = 'unique_violation';
    END IF;
    SELECT hash INTO last_hash FROM audit WHERE seq = mark;
    IF NEW.prev_hash <> coalesce(last_hash, repeat('0', 64)) THEN
        RAISE EXCEPTION 'audit record % does not link to record %', NEW.seq, mark
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    UPDATE audit_high_water SET seq = NEW.seq;
    RETURN NEW;
END $$;
CREATE TRIGGER audit_follows_chain BEFORE INSERT ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_follows_chain();
"""

MIGRATIONS: tuple[str, ...] = (_V1,)
"""Migration N is ``MIGRATIONS[N - 1]``; only ever append to this."""

LATEST = len(MIGRATIONS)
"""The schema version this console reads and writes."""

_GRANTS = """
GRANT USAGE ON SCHEMA veil TO {console};
REVOKE ALL ON ALL TABLES IN SCHEMA veil FROM {console};
GRANT SELECT ON schema_version, audit_high_water TO {console};
GRANT SELECT, INSERT, UPDATE, DELETE ON users, failures TO {console};
GRANT SELECT, INSERT ON audit, mask_history TO {console};
REVOKE UPDATE, DELETE, TRUNCATE ON audit, mask_history, audit_high_water FROM {console};
"""
"""The console role's rights, given again after every upgrade (new tables need theirs)."""


def schema_problem(connection: psycopg.Connection[Any]) -> str:
    """Why a console must not use this database ("" when it may)."""
    version = installed_version(connection)
    if version is None:
        return (
            f"it holds no Veil schema (no {SCHEMA}.schema_version table); create it with "
            "`veil db init`"
        )
    if version > LATEST:
        return (
            f"its schema is version {version}, newer than this Veil knows ({LATEST}); "
            "upgrade Veil on this host to the version the site's other consoles run"
        )
    if version < LATEST:
        return (
            f"its schema is version {version} and this Veil needs {LATEST}; apply the "
            "migrations with `veil db upgrade`"
        )
    return ""


def installed_version(connection: psycopg.Connection[Any]) -> int | None:
    """The newest migration applied, None when the schema was never created."""
    found = connection.execute(
        "SELECT to_regclass(%s) IS NOT NULL", (f"{SCHEMA}.schema_version",)
    ).fetchone()
    if not found or not found[0]:
        return None
    row = connection.execute(f"SELECT max(version) FROM {SCHEMA}.schema_version").fetchone()
    return int(row[0]) if row and row[0] is not None else 0


@contextmanager
def one_migrator(
    connection: psycopg.Connection[Any], waiting: Callable[[], None] = lambda: None
) -> Iterator[None]:
    """Hold the migrators' lock for the block: two administrators running `veil db init`
    or `upgrade` at once (on two hosts, or a deployment tool retrying) take turns, and
    the second finds the work done, instead of both creating the same tables and one
    failing half-way. `waiting` is called once when another holds the lock. A session
    lock, on the administrator's connection: a client that dies releases it."""
    key = lock_key(MIGRATING)
    held = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
    if not held or not held[0]:
        waiting()
        connection.execute("SELECT pg_advisory_lock(%s)", (key,))
    try:
        yield
    finally:
        connection.execute("SELECT pg_advisory_unlock(%s)", (key,))


def create_roles(connection: psycopg.Connection[Any], owner: str, console: str) -> list[str]:
    """Make the owner (no login) and console (login) roles that do not exist yet; the
    names of those made. The console role gets no password here: the administrator sets
    one (or uses peer or certificate authentication) as the site's policy says."""
    made = []
    for role, login in ((owner, False), (console, True)):
        exists = connection.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if exists.fetchone() is None:
            connection.execute(
                sql.SQL("CREATE ROLE {} " + ("LOGIN" if login else "NOLOGIN")).format(
                    sql.Identifier(role)
                )
            )
            made.append(role)
    return made


def upgrade(connection: psycopg.Connection[Any], owner: str, console: str) -> tuple[int, int]:
    """Apply every missing migration as `owner` and give `console` its rights; returns
    the versions before and after. `connection` is an administrator's, in autocommit."""
    with connection.transaction():
        connection.execute(
            sql.SQL("CREATE SCHEMA IF NOT EXISTS {} AUTHORIZATION {}").format(
                sql.Identifier(SCHEMA), sql.Identifier(owner)
            )
        )
    before = installed_version(connection) or 0
    if before > LATEST:
        raise ValueError(
            f"the schema is version {before}, newer than this Veil knows ({LATEST}); "
            "upgrade Veil first"
        )
    for version in range(before + 1, LATEST + 1):
        with connection.transaction():
            connection.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
            connection.execute(f"SET LOCAL search_path = {SCHEMA}")
            connection.execute(MIGRATIONS[version - 1].encode())
            connection.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
    with connection.transaction():
        connection.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(owner)))
        connection.execute(f"SET LOCAL search_path = {SCHEMA}")
        connection.execute(
            sql.SQL(_GRANTS).format(console=sql.Identifier(console)).as_string(connection).encode()
        )
    return before, LATEST

"""The PostgreSQL audit: a console role that cannot rewrite history, many writers forming
one chain, and a schema the console does not know refused (issue 14, sections 1 and 2)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.storage import migrations
from console.core.storage.postgres import PostgresDatabase
from tests.support.postgres_server import PostgresServer


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit SET operator = 'nobody' WHERE seq = 1",
        "DELETE FROM audit WHERE seq = 2",
        "TRUNCATE audit",
        "UPDATE audit_high_water SET seq = 0",
        "DELETE FROM mask_history",
    ],
)
def test_the_console_role_cannot_rewrite_history(pg_url: str, statement: str) -> None:
    log = AuditLog(PostgresDatabase(pg_url))
    for name in ("olga", "sam"):
        log.append(Event.LOGIN_OK, operator=name)
    with psycopg.connect(pg_url, autocommit=True, options="-c search_path=veil") as console:
        assert console.execute("SELECT current_user").fetchone() == ("veil-console",)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            console.execute(statement)
    result = log.verify()
    assert result.ok and result.records == 2, result.problem


def test_even_the_owner_cannot_update_delete_or_truncate(
    pg_url: str, postgres: PostgresServer
) -> None:
    AuditLog(PostgresDatabase(pg_url)).append(Event.LOGIN_OK, operator="olga")
    database = pg_url.split("/")[-1].split("?")[0]
    with postgres.admin(database) as admin:
        admin.execute("SET ROLE veil_owner; SET search_path = veil")
        for statement in ("UPDATE audit SET reason = 'x'", "DELETE FROM audit", "TRUNCATE audit"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                admin.execute(statement)


def test_a_record_that_does_not_follow_the_chain_is_refused(pg_url: str) -> None:
    log = AuditLog(PostgresDatabase(pg_url))
    first = log.append(Event.LOGIN_OK, operator="olga")
    columns = "seq, time, event, operator, authorizer, reason, outcome, details, prev_hash, hash"
    with psycopg.connect(pg_url, autocommit=True, options="-c search_path=veil") as console:
        for seq, prev in ((5, first.hash), (2, "f" * 64), (1, "0" * 64)):
            with pytest.raises(psycopg.errors.IntegrityError):
                console.execute(
                    f"INSERT INTO audit ({columns}) VALUES (%s, 't', 'e', '', '', '', '', '{{}}', "
                    "%s, 'h')",
                    (seq, prev),
                )
    assert log.verify().ok


WRITER = """
import sys
from console.core.audit.trail import AuditLog, Event
from console.core.storage.postgres import PostgresDatabase
log = AuditLog(PostgresDatabase(sys.argv[1]))
for index in range(int(sys.argv[3])):
    log.append(Event.LOGIN_OK, operator=sys.argv[2], details={"n": index})
"""


def test_four_processes_append_one_chain_of_4000_records(pg_url: str) -> None:
    started = time.monotonic()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, pg_url, f"writer{n}", "1000"])
        for n in range(4)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0, 0, 0]
    elapsed = time.monotonic() - started
    log = AuditLog(PostgresDatabase(pg_url))
    records = log.records()
    assert [record.seq for record in records] == list(range(1, 4001))
    for n in range(4):
        assert sum(record.operator == f"writer{n}" for record in records) == 1000
    result = log.verify()
    assert result.ok and result.records == 4000, result.problem
    veil = str(Path(sys.executable).parent / "veil")
    verified = subprocess.run(
        [veil, "audit", "verify", "--site", str(pg_site(pg_url))],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    assert "4000 records, hash chain intact" in verified.stdout
    assert elapsed < 60


def pg_site(url: str) -> Path:
    """A site file naming the database (written next to the test's data dir)."""
    path = Path(os.environ["VEIL_CONFIG_DIR"]).parent / "pg-site.toml"
    path.write_text(
        f'[site]\nname = "PG"\n[database]\nurl = "{url}"\n'
        '[[cameras]]\nid = "a"\nname = "A"\nsource = "pattern:bars"\n'
    )
    return path


def test_a_console_refuses_a_schema_newer_than_it_knows(
    pg_url: str, postgres: PostgresServer
) -> None:
    database = pg_url.split("/")[-1].split("?")[0]
    with postgres.admin(database) as admin:
        admin.execute(
            "INSERT INTO veil.schema_version (version) VALUES (%s)", (migrations.LATEST + 1,)
        )
    log = AuditLog(PostgresDatabase(pg_url))
    with pytest.raises(AuditUnavailable, match="newer than this Veil knows"):
        log.append(Event.LOGIN_OK, operator="olga")


def test_a_database_without_the_schema_says_to_run_db_init(postgres: PostgresServer) -> None:
    with postgres.admin() as admin:
        admin.execute("CREATE DATABASE veil_bare")
    log = AuditLog(PostgresDatabase(postgres.url(database="veil_bare")))
    with pytest.raises(AuditUnavailable, match="veil db init"):
        log.append(Event.LOGIN_OK, operator="olga")

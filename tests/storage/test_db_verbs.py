"""`veil db init`, `upgrade` and `import --from DATA_DIR` against a real PostgreSQL."""

from __future__ import annotations

import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.core.access.lockout import Limits
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, Event
from console.core.site.model import Role
from console.core.storage.advisory import lock_key
from console.core.storage.migrations import MIGRATING
from console.core.storage.postgres import PostgresDatabase
from tests.lift.conftest import FAST, PASSWORD
from tests.support.postgres_server import PostgresServer

VEIL = str(Path(sys.executable).parent / "veil")


def veil(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([VEIL, *argv], capture_output=True, text=True, timeout=120)


def site_file(folder: Path, url: str) -> Path:
    path = folder / "site.toml"
    path.write_text(
        f'[site]\nname = "PG"\n[database]\nurl = "{url}"\n'
        '[roles.operator]\npermissions = ["live"]\n'
        '[[cameras]]\nid = "a"\nname = "A"\nsource = "pattern:bars"\n'
    )
    return path


def test_init_upgrade_and_import_move_a_single_host_site(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PGPASSFILE", str(postgres.passfile))
    with postgres.admin() as admin:
        admin.execute("CREATE DATABASE veil_moved")
    site = site_file(tmp_path, postgres.url(database="veil_moved"))
    made = veil("db", "init", "--site", str(site))
    assert made.returncode == 0, made.stderr
    assert "schema version 0 -> 1" in made.stdout
    again = veil("db", "upgrade", "--site", str(site))
    assert again.returncode == 0 and "nothing to do" in again.stdout, again.stderr

    old = tmp_path / "old-data"
    audit = AuditLog(old / "audit.db")
    roles = {"operator": Role("operator", frozenset({"live"}))}
    UserStore(old / "veil.db", roles, audit, params=FAST, limits=Limits()).add(
        "admin", "olga", "operator", PASSWORD
    )
    audit.append(Event.LOGIN_OK, operator="olga")
    copied = veil("db", "import", "--site", str(site), "--from", str(old))
    assert copied.returncode == 0, copied.stderr
    assert "imported 1 users and 2 audit records; chain intact" in copied.stdout
    verified = veil("audit", "verify", "--site", str(site))
    assert verified.returncode == 0 and "2 records, hash chain intact" in verified.stdout
    twice = veil("db", "import", "--site", str(site), "--from", str(old))
    assert twice.returncode != 0 and "already holds audit records" in twice.stderr

    login = subprocess.run(
        [VEIL, "user", "list", "--site", str(site)], capture_output=True, text=True, timeout=60
    )
    assert "olga" in login.stdout, login.stderr


def test_import_refuses_a_broken_chain(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    monkeypatch.setenv("PGPASSFILE", str(postgres.passfile))
    url = postgres.database()
    site = site_file(tmp_path, url)
    old = tmp_path / "old-data"
    audit = AuditLog(old / "audit.db")
    for name in ("olga", "sam"):
        audit.append(Event.LOGIN_OK, operator=name)
    with sqlite3.connect(old / "audit.db") as connection:
        connection.execute("DROP TRIGGER audit_no_update")
        connection.execute("UPDATE audit SET operator = 'eve' WHERE seq = 1")
    refused = veil("db", "import", "--site", str(site), "--from", str(old))
    assert refused.returncode == 1 and "nothing imported" in refused.stderr
    assert "record 1" in refused.stderr


def waiting_for_the_lock(postgres: PostgresServer, database: str) -> int:
    with postgres.admin() as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = %s)",
            (database,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_two_inits_at_once_take_turns_and_a_third_changes_nothing(
    postgres: PostgresServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both start while a third migrator holds the lock, so both are sure to meet it
    (without the lock they would both create the tables, and one would fail)."""
    monkeypatch.setenv("PGPASSFILE", str(postgres.passfile))
    name = f"veil_race_{secrets.token_hex(4)}"
    with postgres.admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    site = str(site_file(tmp_path, postgres.url(database=name)))
    with postgres.admin(name) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", (lock_key(MIGRATING),))
        runs = [
            subprocess.Popen(
                [VEIL, "db", "init", "--site", site],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        deadline = time.monotonic() + 60
        while waiting_for_the_lock(postgres, name) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert waiting_for_the_lock(postgres, name) == 2, "both wait for the migrators' lock"
        holder.execute("SELECT pg_advisory_unlock(%s)", (lock_key(MIGRATING),))
    answers = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], answers
    assert all("another `veil db init` or `upgrade` is running" in err for _, err in answers)
    said = sorted(out.strip().splitlines()[-1] for out, _ in answers)
    assert said == ["schema at version 1, nothing to do", "schema version 0 -> 1"]

    again = veil("db", "init", "--site", site)
    assert again.returncode == 0 and "nothing to do" in again.stdout, again.stderr
    with postgres.admin(name) as admin:
        assert admin.execute("SELECT version FROM veil.schema_version").fetchall() == [(1,)]
    log = AuditLog(PostgresDatabase(postgres.url(database=name)))
    log.append(Event.LOGIN_OK, operator="olga")
    assert log.verify().ok

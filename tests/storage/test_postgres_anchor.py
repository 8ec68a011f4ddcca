"""The audit anchor on the PostgreSQL backend (issue 14 §2 "Anchors"): the records of the
site's shared database are signed as they are written, and `veil audit verify` holds the
database against the signer's log.

The console role cannot rewrite history (test_postgres_audit), but whoever holds the
server (its superuser, a stolen backup restored over it) can: triggers disabled, the
newest records deleted and the high-water mark lowered, or every hash recomputed. The
bare chain then checks out; the anchor is what catches it, exactly as on SQLite.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core.access.site_audit import site_audit
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, AuditUnavailable, Event, record_hash
from console.core.site.config import load_site
from console.core.site.paths import Paths, resolve_paths
from console.core.storage.postgres import PostgresDatabase
from console.core.storage.site_storage import site_storage
from tests.lift.conftest import FAST, PASSWORD
from tests.support.anchor_signer import ANCHORED_SITE, AnchorSigner, anchored_history, verify
from tests.support.postgres_server import PostgresServer

SITE = ANCHORED_SITE


@pytest.fixture
def paths(tmp_path: Path, signer: AnchorSigner, pg_url: str) -> Paths:
    """A site file naming the test's database and the signer."""
    site = tmp_path / "site.toml"
    site.write_text(f'{SITE}\n[database]\nurl = "{pg_url}"\n\n{signer.site_lines}')
    return resolve_paths(site)


@pytest.fixture
def audit(paths: Paths) -> AuditLog:
    """Six anchored records in the database: a user added, logins, a lift and its end."""
    assert paths.site is not None
    site = load_site(paths.site)
    log = site_audit(paths, site, site_storage(paths, site))
    assert "PostgreSQL" in log.where and log.anchor is not None
    users = UserStore(site_storage(paths, site).users, site.roles, log, params=FAST)
    return anchored_history(log, users, PASSWORD)


def as_server_owner(postgres: PostgresServer, url: str, *statements: str) -> None:
    """What the server's superuser can do: with triggers off (replica mode), anything."""
    with postgres.admin(url.split("/")[-1].split("?")[0]) as admin:
        admin.execute("SET session_replication_role = replica")
        admin.execute("SET search_path = veil")
        for statement in statements:
            admin.execute(statement)


def test_records_in_the_shared_database_are_anchored(
    audit: AuditLog, paths: Paths, signer: AnchorSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = verify(capsys, paths)
    assert code == 0, said
    assert "6 records, hash chain intact; matches the anchor's checkpoint of record 6" in said
    heads = [line for line in signer.read_journal() if "audit head" in line]
    assert heads[-1].endswith(f"hash={audit.records()[-1].hash} signed")


def test_truncation_by_the_server_owner_is_caught(
    audit: AuditLog,
    paths: Paths,
    postgres: PostgresServer,
    pg_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    as_server_owner(
        postgres, pg_url, "DELETE FROM audit WHERE seq > 4", "UPDATE audit_high_water SET seq = 4"
    )
    assert AuditLog(PostgresDatabase(pg_url)).verify().ok, "the bare chain cannot tell"
    code, said = verify(capsys, paths)
    assert code == 1
    assert "records 5..6 are missing from the end: the anchor signed record 6 at 20" in said
    with pytest.raises(AuditUnavailable, match="the anchor has signed record 6, which this"):
        audit.append(Event.LOGIN_OK, operator="sam")


def test_a_chain_rewritten_by_the_server_owner_is_caught(
    audit: AuditLog,
    paths: Paths,
    postgres: PostgresServer,
    pg_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every record from the fourth on, with its hashes recomputed consistently."""
    records = audit.records()
    prev = records[2].hash
    statements = []
    for r in records[3:]:
        fields = (r.seq, r.time, r.event, "someone-else", r.authorizer, r.reason, r.outcome,
                  r.details, prev)  # fmt: skip
        new = record_hash(*fields)
        statements.append(
            f"UPDATE audit SET operator = 'someone-else', prev_hash = '{prev}', "
            f"hash = '{new}' WHERE seq = {r.seq}"
        )
        prev = new
    as_server_owner(postgres, pg_url, *statements)
    assert AuditLog(PostgresDatabase(pg_url)).verify().ok, "the bare chain cannot tell"
    code, said = verify(capsys, paths)
    assert code == 1
    assert "record 4 differs from the one the anchor signed at 20" in said
    assert "the chain was rewritten after record 3, the last that matches" in said
    with pytest.raises(AuditUnavailable, match="does not link to record 6 as anchored"):
        audit.append(Event.LOGIN_OK, operator="sam")

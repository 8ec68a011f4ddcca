"""`veil audit show` and `veil audit verify` as an auditor uses them."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from console.core.access.lift import LiftController
from console.core.audit.trail import AuditLog, Event
from console.core.site.paths import resolve_paths
from console.core.timebase.clock import FakeClock
from tests.support.admin_cli import run_veil


class MinuteClock:
    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        moment = self.now
        self.now += timedelta(minutes=1)
        return moment


@pytest.fixture
def audit_path() -> Path:
    """The default data dir's audit, holding a lift that ended with the session."""
    path = resolve_paths().audit_db
    log = AuditLog(path, now=MinuteClock())
    log.append(Event.LOGIN_OK, operator="olga")
    controller = LiftController(log, FakeClock())
    controller.lift("olga", "sam", "case 17", 600, controller.epoch)
    controller.end_session("SIGHUP")
    log.flush()  # as `veil` does before it exits
    return path


def test_show_lists_records_with_labels(
    audit_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_veil("audit", "show") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == [
        "SEQ", "TIME", "(UTC)", "EVENT", "OPERATOR", "AUTHORIZER", "OUTCOME", "REASON", "DETAILS",
    ]  # fmt: skip
    assert lines[1].startswith("1    2024-05-01 12:00:00  login ")
    assert "lift started" in lines[2]
    assert "session ended while lifted" in lines[3]
    assert lines[3].endswith('case 17  {"cause":"SIGHUP","lift":2}')


def test_show_json_and_csv_carry_every_field(
    audit_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_veil("audit", "show", "--json") == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["event"] for r in records] == [
        "login_ok",
        "lift_started",
        "session_ended_while_lifted",
    ]
    assert records[2]["label"] == "session ended while lifted"
    assert records[2]["details"] == {"cause": "SIGHUP", "lift": 2}
    assert records[2]["prev_hash"] == records[1]["hash"]
    assert records[0]["time"] == "2024-05-01T12:00:00.000000Z"

    assert run_veil("audit", "show", "--csv") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [row["seq"] for row in rows] == ["1", "2", "3"]
    assert rows[1]["authorizer"] == "sam"
    assert rows[1]["reason"] == "case 17"


def test_show_since(audit_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_veil("audit", "show", "--since", "2024-05-01T12:01", "--json") == 0
    assert [r["seq"] for r in json.loads(capsys.readouterr().out)] == [2, 3]
    assert run_veil("audit", "show", "--since", "2024-05-01T14:02+02:00", "--json") == 0
    assert [r["seq"] for r in json.loads(capsys.readouterr().out)] == [3]
    assert run_veil("audit", "show", "--since", "yesterday") == 2
    assert "--since: 'yesterday' is not an ISO 8601 date" in capsys.readouterr().err


def test_verify_passes_then_names_the_first_bad_record(
    audit_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_veil("audit", "verify") == 0
    assert capsys.readouterr().out == (
        f"{audit_path}: 3 records, hash chain intact; NOT anchored (no [audit] anchor in the "
        "site file): cut-off newest records, a consistent rewrite or a replaced database "
        "would go unnoticed\n"
    )
    with sqlite3.connect(audit_path) as connection:
        connection.execute("DROP TRIGGER audit_no_update")
        connection.execute("UPDATE audit SET reason = 'nothing to see' WHERE seq = 2")
    assert run_veil("audit", "verify") == 1
    assert capsys.readouterr().err == (
        f"veil: {audit_path}: record 2: contents do not match its hash (edited?)\n"
    )


def test_missing_log_is_reported_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for verb in ("show", "verify"):
        assert run_veil("audit", verb, "--data-dir", str(tmp_path)) == 3
        assert capsys.readouterr().err == f"veil: no audit log at {tmp_path / 'audit.db'}\n"
    assert not (tmp_path / "audit.db").exists()

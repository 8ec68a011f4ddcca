"""`veil lifts`: the site's active lifts for a user with `audit`, and ending one, on both
backends (the site file's ``[database]`` table names the PostgreSQL)."""

from __future__ import annotations

import io
import json
from functools import partial
from pathlib import Path

import pytest

from console.cli import build_parser
from console.core.access.lift import LiftController
from console.core.access.site_audit import site_audit
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog
from console.core.site.config import load_site
from console.core.site.paths import resolve_paths
from console.core.storage.site_storage import site_storage
from console.core.timebase.clock import FakeClock
from tests.lift.conftest import FAST
from tests.support.storage_backends import Backend

PASSWORD = "correct horse battery"
SITE = """
[site]
name = "Lifts verb test"

[roles.supervisor]
permissions = ["live", "lift_privacy_masks", "audit"]

[roles.auditor]
permissions = ["audit"]

[roles.operator]
permissions = ["live"]

[[cameras]]
id = "door"
name = "Front door"
source = "pattern:bars"
"""
HOSTILE_HOST = "desk\x1b]52;c;aGVsbG8=\x07-1"
HOSTILE_REASON = "case 7\x1b[2J\nforged row"


@pytest.fixture
def site_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: Backend) -> Path:
    """A site on the test's backend with users sue (supervisor), ada (auditor) and olly
    (operator)."""
    monkeypatch.setattr("console.core.access.users.UserStore", partial(UserStore, params=FAST))
    path = tmp_path / "site.toml"
    path.write_text(SITE + backend.site_table())
    paths, site = resolve_paths(path), load_site(path)
    users = UserStore(site_storage(paths, site).users, site.roles, audit_of(path), params=FAST)
    for name, role in (("sue", "supervisor"), ("ada", "auditor"), ("olly", "operator")):
        users.add("os:test", name, role, PASSWORD)
    return path


def audit_of(site_file: Path) -> AuditLog:
    """The site's audit as another process opens it."""
    return site_audit(resolve_paths(site_file), load_site(site_file))


def lifted_console(site_file: Path) -> LiftController:
    """Another console of the site, lifted for olly with a hostile host and reason."""
    controller = LiftController(audit_of(site_file), FakeClock(), host=HOSTILE_HOST)
    controller.lift("olly", "sue", HOSTILE_REASON, 600, controller.epoch)
    return controller


def veil(
    monkeypatch: pytest.MonkeyPatch, site_file: Path, *argv: str, password: str = PASSWORD
) -> int:
    args = build_parser().parse_args(["lifts", "--site", str(site_file), *argv])
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return int(args.func(args))


def test_the_list_shows_each_lift_escaped(
    site_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lift = lifted_console(site_file).current()
    assert lift is not None
    assert veil(monkeypatch, site_file, "--user", "ada", "--password-stdin") == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()
    assert header.split() == ["ID", "HOST", "OPERATOR", "AUTHORIZER", "TIME", "LEFT", "REASON"]
    assert "\x1b" not in out and "\x07" not in out
    assert row.split("  ")[0] == str(lift.started_seq)
    assert "desk\\x1b]52;c;aGVsbG8=\\x07-1" in row
    assert "olly" in row and "sue" in row
    assert "case 7\\x1b[2J\\nforged row" in row
    assert any(cell in row for cell in ("10:00", "9:59"))


def test_the_json_list_keeps_every_character(
    site_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lift = lifted_console(site_file).current()
    assert lift is not None
    assert veil(monkeypatch, site_file, "--json", "--user", "ada", "--password-stdin") == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    (shown,) = json.loads(out)
    assert shown["id"] == lift.started_seq
    assert (shown["host"], shown["reason"]) == (HOSTILE_HOST, HOSTILE_REASON)
    assert (shown["operator"], shown["authorizer"], shown["duration_s"]) == ("olly", "sue", 600)
    assert 590 < shown["remaining_s"] <= 600


def test_listing_needs_audit_and_the_right_password(
    site_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lifted_console(site_file)
    assert veil(monkeypatch, site_file, "--user", "olly", "--password-stdin") == 1
    assert "may not list lifts (needs audit)" in capsys.readouterr().err
    code = veil(monkeypatch, site_file, "--user", "ada", "--password-stdin", password="guess")
    assert code == 1
    err = capsys.readouterr().err
    assert "Wrong user name or password." in err and "guess" not in err
    assert [r.event for r in audit_of(site_file).records()][-1] == "login_failed"


def test_a_supervisor_ends_a_lift_and_the_audit_says_who_and_why(
    site_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    controller = lifted_console(site_file)
    lift = controller.current()
    assert lift is not None
    argv = ("end", str(lift.started_seq), "--reason", "wrong camera", "--user", "sue")
    assert veil(monkeypatch, site_file, *argv, "--password-stdin") == 0
    assert f"lift {lift.started_seq} ended" in capsys.readouterr().out
    ended = next(r for r in audit_of(site_file).records() if r.event == "lift_ended")
    assert (ended.operator, ended.reason, ended.outcome) == ("sue", "wrong camera", "ok")
    assert json.loads(ended.details)["lift"] == lift.started_seq
    assert veil(monkeypatch, site_file, "--user", "ada", "--password-stdin") == 0
    assert capsys.readouterr().out == "no active lifts\n"
    # Again: that lift is no longer active.
    assert veil(monkeypatch, site_file, *argv, "--password-stdin") == 1
    assert "no active lift" in capsys.readouterr().err


def test_ending_is_refused_and_recorded_without_ending_anything(
    site_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An auditor may list, not end: the denial names the lift under another key, so the
    lift stays active in the audit (and on its console)."""
    lift = lifted_console(site_file).current()
    assert lift is not None
    argv = ("end", str(lift.started_seq), "--reason", "curious", "--user", "ada")
    assert veil(monkeypatch, site_file, *argv, "--password-stdin") == 1
    assert "user ada (role auditor) may not end lifts" in capsys.readouterr().err
    records = audit_of(site_file).records()
    denied = next(r for r in records if r.event == "lift_ended")
    assert denied.outcome == "denied"
    assert json.loads(denied.details) == {
        "requested_lift": lift.started_seq,
        "why": "role auditor lacks lift_privacy_masks or admin",
    }
    assert veil(monkeypatch, site_file, "--json", "--user", "ada", "--password-stdin") == 0
    assert [shown["id"] for shown in json.loads(capsys.readouterr().out)] == [lift.started_seq]


def test_user_options_work_before_or_after_the_action(
    site_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    lift = lifted_console(site_file).current()
    assert lift is not None
    argv = ("--user", "sue", "--password-stdin", "end", str(lift.started_seq), "--reason", "x")
    assert veil(monkeypatch, site_file, *argv) == 0
    assert veil(monkeypatch, site_file) == 2
    assert "--user NAME is required" in capsys.readouterr().err


def test_an_empty_reason_is_refused_before_any_password(
    site_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(audit_of(site_file).records())
    assert veil(monkeypatch, site_file, "end", "1", "--reason", " ", "--user", "sue") == 2
    assert "needs a reason" in capsys.readouterr().err
    assert len(audit_of(site_file).records()) == before

"""`veil user ...`: scripted and prompted passwords, clear refusals, audited changes."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core.audit.trail import AuditLog
from console.core.site.paths import resolve_paths
from tests.conftest import DEMO_SITE
from tests.support.admin_cli import run_veil

SITE = ("--site", str(DEMO_SITE))


@pytest.fixture
def data_dir() -> Path:
    return resolve_paths().data_dir


def add(name: str, role: str, password: str, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return run_veil("user", "add", name, "--role", role, "--password-stdin", *SITE)


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Answers for getpass, in order; the prompts shown are recorded instead."""
    answers: list[str] = []
    shown: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        shown.append(prompt)
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    yield answers
    assert not answers, "not every prepared answer was asked for"


def test_add_from_stdin_then_list(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert add("sam", "supervisor", "  spaces count  ", monkeypatch) == 0
    assert capsys.readouterr().out == "added user sam with role supervisor\n"
    assert run_veil("user", "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["NAME", "ROLE", "STATE", "CREATED", "UPDATED"]
    assert lines[1].split()[:3] == ["sam", "supervisor", "enabled"]
    assert (data_dir / "veil.db").is_file()
    [record] = AuditLog(data_dir / "audit.db").records()
    assert record.event == "user_admin"
    assert record.operator.startswith("os:")
    assert json.loads(record.details) == {"action": "add", "role": "supervisor", "user": "sam"}


def test_prompted_password_is_asked_twice(
    prompts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    prompts.extend(["a good password", "a good password"])
    assert run_veil("user", "add", "olga", "--role", "operator", *SITE) == 0
    assert "a good password" not in capsys.readouterr().out


def test_mismatched_prompts_change_nothing(
    prompts: list[str], capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    prompts.extend(["a good password", "a good passw0rd"])
    assert run_veil("user", "add", "olga", "--role", "operator", *SITE) == 1
    error = capsys.readouterr().err
    assert error == "veil: the two entries differ; nothing was changed\n"
    assert run_veil("user", "list") == 0
    assert "no users" in capsys.readouterr().out


def test_unknown_role_is_refused_before_any_prompt(
    prompts: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_veil("user", "add", "olga", "--role", "admin", *SITE) == 1
    assert capsys.readouterr().err == (
        "veil: unknown role 'admin'; the site's roles are: operator, supervisor\n"
    )


def test_bad_name_and_short_password_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert add("Olga", "operator", "long enough", monkeypatch) == 1
    assert "invalid user name 'Olga'" in capsys.readouterr().err
    assert add("olga", "operator", "short", monkeypatch) == 1
    assert capsys.readouterr().err == "veil: a password needs at least 8 characters\n"


def test_add_needs_a_site(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough\n"))
    assert run_veil("user", "add", "olga", "--role", "operator", "--password-stdin") == 1
    assert "no site configured" in capsys.readouterr().err


def test_disable_enable_passwd_remove(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert add("sam", "supervisor", "first password", monkeypatch) == 0
    assert run_veil("user", "disable", "sam") == 0
    assert run_veil("user", "list") == 0
    assert capsys.readouterr().out.splitlines()[-1].split()[:3] == ["sam", "supervisor", "disabled"]
    assert run_veil("user", "enable", "sam") == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("second password\n"))
    assert run_veil("user", "passwd", "sam", "--password-stdin") == 0
    assert run_veil("user", "remove", "sam") == 0
    assert capsys.readouterr().out.splitlines() == [
        "user sam enabled",
        "password of sam changed",
        "removed user sam",
    ]
    assert run_veil("user", "remove", "sam") == 1
    assert capsys.readouterr().err == "veil: no user 'sam'\n"
    actions = [json.loads(r.details)["action"] for r in AuditLog(data_dir / "audit.db").records()]
    assert actions == ["add", "disable", "enable", "passwd", "remove"]


def test_user_admin_is_refused_when_the_audit_is_unwritable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "audit.db").mkdir()  # a directory where the audit file should be
    monkeypatch.setattr("sys.stdin", io.StringIO("long enough\n"))
    code = run_veil(
        "user", "add", "olga", "--role", "operator", "--password-stdin", "--data-dir", str(data),
        *SITE,
    )  # fmt: skip
    assert code == 3
    assert "audit log" in capsys.readouterr().err
    assert run_veil("user", "list", "--data-dir", str(data)) == 0
    assert "no users" in capsys.readouterr().out


def test_role_gives_a_user_another_of_the_sites_roles(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data_dir: Path
) -> None:
    assert add("olga", "operator", "long enough", monkeypatch) == 0
    assert run_veil("user", "role", "olga", "--role", "supervisor", *SITE) == 0
    assert run_veil("user", "role", "olga", "--role", "janitor", *SITE) == 1
    assert "unknown role 'janitor'" in capsys.readouterr().err
    assert run_veil("user", "list") == 0
    assert capsys.readouterr().out.splitlines()[-1].split()[:3] == ["olga", "supervisor", "enabled"]
    last = AuditLog(data_dir / "audit.db").records()[-1]
    assert json.loads(last.details) == {"action": "role", "role": "supervisor", "user": "olga"}

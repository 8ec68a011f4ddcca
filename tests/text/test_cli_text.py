"""Every verb prints text from people and site files with its control characters visible.

`veil audit show` (table, CSV, JSON) and `veil check-site` over arbitrary unicode: no
crash, the text appears literally (as `visible` shows it), no character a terminal would
act on reaches it, CSV cells cannot start a formula, and JSON keeps every character.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.audit.trail import AuditLog, Event
from console.text import visible
from console.verbs.output import csv_cell
from console.verbs.site import check_site
from tests.support.admin_cli import run_veil
from tests.support.hostile_text import hostile_text

CLI = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
"""Each example runs a verb on a fresh data dir; capsys is read (and so reset) per example."""


def audit_with(texts: list[str]) -> Path:
    """A fresh data dir whose audit holds one record per text, in every text field."""
    data = Path(tempfile.mkdtemp(prefix="veil-text-"))
    log = AuditLog(data / "audit.db")
    for text in texts:
        log.append(
            Event.LIFT_DENIED,
            operator=text,
            authorizer=text,
            reason=text,
            outcome=text,
            details={"camera": text},
        )
    return data


def shown_lines(out: str) -> list[str]:
    lines = out.split("\n")
    assert lines[-1] == "", "output ends with a line break"
    for line in lines[:-1]:
        assert visible(line) == line, f"a control character reached the terminal: {line!r}"
    return lines[:-1]


text_lists = st.lists(hostile_text, min_size=1, max_size=4)


@CLI
@given(texts=text_lists)
def test_audit_show_table(texts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_veil("audit", "show", "--data-dir", str(audit_with(texts))) == 0
    lines = shown_lines(capsys.readouterr().out)
    assert len(lines) == 1 + len(texts), "one line per record: no row can be forged"
    for line, text in zip(lines[1:], texts, strict=True):
        assert visible(text) in line


@CLI
@given(texts=text_lists)
def test_audit_show_csv(texts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_veil("audit", "show", "--csv", "--data-dir", str(audit_with(texts))) == 0
    lines = shown_lines(capsys.readouterr().out)
    rows = list(csv.reader(io.StringIO("\n".join(lines))))
    assert len(rows) == 1 + len(texts)
    header = rows[0]
    for row, text in zip(rows[1:], texts, strict=True):
        record = dict(zip(header, row, strict=True))
        for field in ("operator", "authorizer", "reason", "outcome"):
            assert record[field] == csv_cell(text)
            assert not record[field].startswith(("=", "+", "-", "@", "\t", "\r"))


@CLI
@given(texts=text_lists)
def test_audit_show_json(texts: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run_veil("audit", "show", "--json", "--data-dir", str(audit_with(texts))) == 0
    records = json.loads("\n".join(shown_lines(capsys.readouterr().out)))
    assert [r["operator"] for r in records] == texts, "JSON keeps every character exactly"
    assert [r["details"]["camera"] for r in records] == texts


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        (
            '=HYPERLINK("https://evil.example/","help")',
            '\'=HYPERLINK("https://evil.example/","help")',
        ),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\\tx"),
        ("\rx", "'\\rx"),
        ("case 17", "case 17"),
    ],
)
def test_csv_cells_never_start_a_formula(text: str, cell: str) -> None:
    assert csv_cell(text) == cell


def toml_key(text: str) -> str:
    """`text` as a TOML quoted key, every character escaped (TOML allows any scalar)."""
    return '"' + "".join(f"\\U{ord(c):08X}" for c in text) + '"'


@CLI
@given(text=hostile_text)
def test_check_site_shows_quoted_keys_literally(
    text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    site = Path(tempfile.mkdtemp(prefix="veil-text-")) / "site.toml"
    site.write_text(f'{toml_key(text)} = 1\n[site]\nname = "Site"\n')
    assert check_site(argparse.Namespace(path=site)) == 1
    problems = shown_lines(capsys.readouterr().err)
    assert any(f": {visible(text) or '(top level)'}: unknown key" in line for line in problems)

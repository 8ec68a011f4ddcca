"""The `veil` administration verbs, run as a separate process the way an administrator would.

Tests prepare users with `veil user add` and read what happened with `veil audit`, so
they check the console against the same commands an operator's site relies on, not
against Veil's internals.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from .env import VEIL


def veil(env: Mapping[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`veil ARGS` under exactly `env`; its output as text."""
    return subprocess.run(
        [str(VEIL), *args], env=dict(env), input=stdin, capture_output=True, text=True, timeout=60
    )


def add_users(env: Mapping[str, str], site: Path, users: Iterable[tuple[str, str, str]]) -> None:
    """Create (name, password, role) users in the data dir `env` points at."""
    for name, password, role in users:
        added = veil(env, "--site", str(site), "user", "add", name, "--role", role,
                     "--password-stdin", stdin=password + "\n")  # fmt: skip
        assert added.returncode == 0, f"veil user add {name}: {added.stderr}"


def audit_table(env: Mapping[str, str], data_dir: Path) -> str:
    """`veil audit show`: the table an auditor reads."""
    shown = veil(env, "audit", "show", "--data-dir", str(data_dir))
    assert shown.returncode == 0, f"veil audit show: {shown.stderr}"
    return shown.stdout


def audit_records(
    env: Mapping[str, str], data_dir: Path, site: Path | None = None
) -> list[dict[str, Any]]:
    """Every record of the data dir's audit trail (or the audit `site` names), oldest
    first, as `veil audit show --json`."""
    shown = veil(env, "audit", "show", "--json", "--data-dir", str(data_dir), *_site(site))
    assert shown.returncode == 0, f"veil audit show: {shown.stderr}"
    records: list[dict[str, Any]] = json.loads(shown.stdout)
    return records


def audit_verify(env: Mapping[str, str], data_dir: Path, site: Path | None = None) -> str:
    """`veil audit verify`'s report; fails the test unless the hash chain is intact."""
    verified = veil(env, "audit", "verify", "--data-dir", str(data_dir), *_site(site))
    assert verified.returncode == 0, f"veil audit verify: {verified.stdout}{verified.stderr}"
    return verified.stdout


def _site(site: Path | None) -> tuple[str, ...]:
    return () if site is None else ("--site", str(site))


def demo_data_dir(scratch: Path) -> Path:
    """The data dir a running `veil --demo` made for itself under `scratch`, its TMPDIR.

    The demo keeps its users and audit in a fresh temporary folder per start, removed
    when it ends; giving the console a TMPDIR of the test's own is how the test finds
    that one folder again while it runs.
    """
    found = sorted(scratch.glob("veil-demo-*/data"))
    assert len(found) == 1, f"expected one demo data dir in {scratch}, found {found}"
    return found[0]

"""The deployment the anchor is for, with two real accounts: the signer runs as one uid,
the console's commands as another, and everything the console account can do to the
audit is either refused or caught (issue 10 §6).

The uids need no passwd entry (setpriv takes numbers), so the test creates no accounts.
It needs root to switch uids, which CI has (see `.ci/run`).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.anchor_signer import ANCHORED_SITE, VEIL, AnchorSigner, new_signer

SIGNER_UID = 61_000
CONSOLE_UID = 61_001


def as_uid(uid: int) -> list[str]:
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]


@pytest.fixture
def signer() -> Iterator[AnchorSigner]:
    if os.geteuid() != 0:
        pytest.fail("this test switches uids with setpriv and must run as root (CI does)")
    running = new_signer(as_uid(SIGNER_UID), writer=str(CONSOLE_UID))
    running.init(prepare=lambda folder: os.chown(folder, SIGNER_UID, SIGNER_UID)).start()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def console_home() -> Iterator[Path]:
    """The console account's own folder: its data dir and site file live here."""
    home = Path(tempfile.mkdtemp(prefix="veil-console-"))
    home.chmod(0o755)
    os.chown(home, CONSOLE_UID, CONSOLE_UID)
    try:
        yield home
    finally:
        shutil.rmtree(home, ignore_errors=True)


def console(home: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """A command as the console account, with its data dir and XDG dirs in `home`."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "VEIL_DATA_DIR": str(home / "data"),
        "VEIL_CONFIG_DIR": str(home / "config"),
        "XDG_DATA_HOME": str(home / "xdg"),
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [*as_uid(CONSOLE_UID), *argv], env=env, input=stdin, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip


ATTACK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("DROP TRIGGER audit_no_delete")
connection.execute("DELETE FROM audit WHERE seq > 2")
connection.execute("UPDATE sqlite_sequence SET seq = 2 WHERE name = 'audit'")
connection.commit()
"""


def test_the_console_account_can_neither_read_the_key_nor_hide_what_it_did(
    signer: AnchorSigner, console_home: Path
) -> None:
    site = console_home / "site.toml"
    site.write_text(ANCHORED_SITE + "\n" + signer.site_lines)
    veil = [str(VEIL), "--site", str(site)]
    added = console(console_home, *veil, "user", "add", "sam", "--role", "supervisor",
                    "--password-stdin", stdin="correct horse\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    for name in ("ann", "bob"):
        assert console(console_home, *veil, "user", "add", name, "--role", "supervisor",
                       "--password-stdin", stdin="correct horse\n").returncode == 0  # fmt: skip
    verified = console(console_home, *veil, "audit", "verify")
    assert "matches the anchor's checkpoint of record 3" in verified.stdout, verified

    key = signer.directory / "anchor.key"
    for attempt in (["cat", str(key)], ["cp", "/dev/null", str(signer.directory / "x")]):
        refused = console(console_home, *attempt)
        assert refused.returncode != 0 and "Permission denied" in refused.stderr, attempt
    again = console(console_home, str(VEIL), "anchor", "init", "--dir", str(signer.directory))
    assert again.returncode == 3, "the console account cannot make the anchor a new key"
    assert key.stat().st_uid == SIGNER_UID and key.stat().st_mode & 0o777 == 0o600

    audit_db = console_home / "data" / "audit.db"
    attacked = console(console_home, sys.executable, "-c", ATTACK, str(audit_db))
    assert attacked.returncode == 0, attacked.stderr
    caught = console(console_home, *veil, "audit", "verify")
    assert caught.returncode == 1
    assert "record 3 is missing from the end: the anchor signed record 3" in caught.stderr

    for file in (console_home / "data").glob("audit.db*"):
        assert console(console_home, "rm", str(file)).returncode == 0
    caught = console(console_home, *veil, "audit", "verify")
    assert caught.returncode == 1
    assert "is missing: the anchor signed records 1..3" in caught.stderr
    restarted = console(console_home, *veil, "user", "disable", "sam")
    assert restarted.returncode == 3
    assert "refusing to start a new audit chain" in restarted.stderr
    assert not audit_db.exists()

    assert signer.read_journal(), "every checkpoint also went to syslog"

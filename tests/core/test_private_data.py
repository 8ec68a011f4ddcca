"""Issue 10, §7: the data dir is 0700 and its databases 0600, whatever the umask.

The verbs run as real processes with umask 000, the loosest an account can have, so a
test passes only if Veil sets the modes itself rather than inheriting a tidy umask.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core.site.paths import resolve_paths
from console.core.site.private import private_database
from console.core.storage.sqlite import connect
from tests.conftest import DEMO_SITE

VEIL = Path(sys.executable).parent / "veil"


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def veil_loose(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """`veil ARGS` with umask 000; the environment is this test's isolated one."""
    return subprocess.run(
        [str(VEIL), "--site", str(DEMO_SITE), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lambda: os.umask(0),  # the child only sets its umask, then execs
    )


@pytest.fixture
def loose_umask() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_data_dir_and_its_databases_are_private() -> None:
    data = resolve_paths().data_dir
    added = veil_loose("user", "add", "sam", "--role", "operator", "--password-stdin",
                       stdin="a long password\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert mode(data) == 0o700
    assert mode(data / "veil.db") == 0o600
    assert mode(data / "audit.db") == 0o600


def test_sqlite_side_files_are_private_while_a_database_is_open(
    tmp_path: Path, loose_umask: None
) -> None:
    path = tmp_path / "data" / "audit.db"
    connection = connect(path)
    try:
        connection.execute("CREATE TABLE t (x)")
        connection.execute("INSERT INTO t VALUES (1)")
        side_files = [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm")]
        assert all(side.exists() for side in side_files), "WAL mode keeps both open"
        assert [mode(p) for p in (path.parent, path, *side_files)] == [0o700] + [0o600] * 3
    finally:
        connection.close()


def test_loose_data_left_by_an_older_veil_is_tightened() -> None:
    data = resolve_paths().data_dir
    data.mkdir(parents=True, mode=0o755)
    data.chmod(0o755)
    sqlite3.connect(data / "veil.db").close()
    (data / "veil.db").chmod(0o644)
    added = veil_loose("user", "add", "sam", "--role", "operator", "--password-stdin",
                       stdin="a long password\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert mode(data) == 0o700
    assert mode(data / "veil.db") == 0o600
    assert mode(data / "audit.db") == 0o600


def test_side_files_left_loose_are_tightened_before_sqlite_opens_them(tmp_path: Path) -> None:
    path = tmp_path / "veil.db"
    sqlite3.connect(path).close()
    files = [path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))]
    for file in files:
        file.touch()
        file.chmod(0o664)
    private_database(path)
    assert [mode(file) for file in files] == [0o600] * 4


def test_the_console_start_makes_the_data_dir_private(tmp_path: Path) -> None:
    """`veil` itself (ensure_data_dir) as well as the verbs; a missing site stops it
    after the data dir is made, before anything else."""
    data = tmp_path / "fresh" / "data"
    started = subprocess.run(
        [str(VEIL), "--site", str(tmp_path / "missing.toml"), "--data-dir", str(data)],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.umask(0),
    )  # fmt: skip
    assert started.returncode == 1, started.stderr
    assert mode(data) == 0o700

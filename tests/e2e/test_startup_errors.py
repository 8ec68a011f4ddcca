"""A data dir the console cannot use stops it at once with one clear line and exit code 3.

Tests run as root in CI, where permission bits stop nothing, so the unusable places are
ones no user can write: a regular file where a folder is expected, a path below a file,
and /proc, which refuses new files even to root.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .harness.env import VEIL

pytestmark = pytest.mark.e2e

DATA_DIR_UNUSABLE = 3
"""The CLI's exit code for "the environment prevented the work"."""


def run_veil(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VEIL), *args],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )


def assert_clean_refusal(done: subprocess.CompletedProcess[str], data_dir: str) -> None:
    assert done.returncode == DATA_DIR_UNUSABLE, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == "", "nothing but the error may be printed"
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"veil: data directory {data_dir} is not writable (")
    assert "--data-dir" in lines[0], "the message must say how to fix it"


@pytest.mark.parametrize(
    "unusable",
    [
        pytest.param(lambda tmp: tmp / "a-file", id="regular-file"),
        pytest.param(lambda tmp: tmp / "a-file" / "data", id="below-a-file"),
        pytest.param(lambda tmp: Path("/proc"), id="proc-read-only-even-for-root"),
    ],
)
def test_unusable_data_dir_flag_is_refused_cleanly(
    unusable: Callable[[Path], Path], tmp_path: Path, wall_site: Path, veil_env: dict[str, str]
) -> None:
    (tmp_path / "a-file").write_text("not a folder\n")
    data_dir = str(unusable(tmp_path))
    done = run_veil(["--site", str(wall_site), "--data-dir", data_dir], veil_env)
    assert_clean_refusal(done, data_dir)


def test_unusable_data_dir_from_the_environment_is_refused_cleanly(
    tmp_path: Path, wall_site: Path, veil_env: dict[str, str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    done = run_veil(["--site", str(wall_site)], {**veil_env, "VEIL_DATA_DIR": str(blocker)})
    assert_clean_refusal(done, str(blocker))

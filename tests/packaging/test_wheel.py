"""The wheel works outside the checkout: `pip install` of it, then `veil --demo` anywhere.

Before, the demo existed only in a source checkout, so an installed Veil could not show
it. The test builds the wheel from a copy of exactly what packaging reads (the package,
pyproject.toml, README.md), installs it into a fresh venv outside the repo with its
dependencies resolved from its own metadata (pinned to the lock's versions, so a run is
reproducible and fast from uv's cache), and starts the installed `veil --demo` in a pty
from an unrelated folder until the login screen; `veil check-site` checks the site the
wheel carries. A dependency missing from pyproject, a data file missing from the package
data, or a path into the source tree fails here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from uv import find_uv_bin

from tests.conftest import DEMO, REPO
from tests.support.pty_terminal import PtyTerminal

WHEEL_BUDGET = 3_000_000
"""Bytes: the demo's clips and recordings are most of it (2.0 MB when this was written)."""


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path
    env: Mapping[str, str]

    @property
    def veil(self) -> Path:
        return self.venv / "bin" / "veil"


def run(argv: list[str | Path], env: Mapping[str, str], cwd: Path) -> str:
    done = subprocess.run(
        [str(part) for part in argv], env=env, cwd=cwd, capture_output=True, text=True
    )
    assert done.returncode == 0, f"{argv}: {done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    root = tmp_path_factory.mktemp("wheel")
    source = root / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPO / "console", source / "console", ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    # The tests' isolated XDG cache would make every run download the dependencies anew;
    # uv's cache lives with the environment running the tests instead.
    env |= {"UV_CACHE_DIR": str(Path(sys.prefix) / "uv-cache"), "UV_LINK_MODE": "copy"}
    env.pop("VIRTUAL_ENV", None)
    uv = find_uv_bin()
    python = Path(sys.executable)
    run([uv, "build", "-q", "--wheel", "--no-build-isolation", "--python", python,
         "-o", root / "dist", source], env, root)  # fmt: skip
    (wheel,) = (root / "dist").glob("veil_console-*.whl")
    venv = root / "venv"
    run([uv, "venv", "-q", "--no-python-downloads", "--python", python.resolve(), venv], env, root)
    run([uv, "pip", "install", "-q", "--python", venv / "bin" / "python",
         "-c", REPO / "requirements.lock", wheel], env, root)  # fmt: skip
    return Installed(wheel, venv, env)


def test_the_wheel_carries_the_whole_demo_and_stays_small(installed: Installed) -> None:
    with zipfile.ZipFile(installed.wheel) as wheel:
        names = set(wheel.namelist())
    demo = {
        f"console/demo/{path.relative_to(DEMO).as_posix()}"
        for path in DEMO.rglob("*")
        if path.is_file()
    }
    assert len(demo) >= 20 and demo <= names, sorted(demo - names)
    size = installed.wheel.stat().st_size
    assert size < WHEEL_BUDGET, f"the wheel grew to {size:,} bytes"


def test_the_installed_veil_checks_the_site_it_carries(
    installed: Installed, tmp_path: Path
) -> None:
    where = run([installed.venv / "bin" / "python", "-c",
                 "from console.core.site.paths import DEMO_SITE; print(DEMO_SITE)"],
                installed.env, tmp_path)  # fmt: skip
    bundled = Path(where.strip())
    assert installed.venv in bundled.parents, f"{bundled} is not the installed package's"
    checked = run([installed.veil, "check-site", bundled], installed.env, tmp_path)
    assert "OK: 'Demo site', 4 cameras, 9 masks" in checked


def test_the_installed_demo_starts_from_any_folder(installed: Installed, tmp_path: Path) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    demo = PtyTerminal([str(installed.veil), "--demo"], {**installed.env, "TMPDIR": str(scratch)},
                       elsewhere)  # fmt: skip
    try:
        demo.wait_for_text("Log in to view cameras", timeout=60)
        demo.wait_for_text("supervisor-demo")
        demo.type("\x11")  # ctrl+q
        demo.wait_exit(10)
    finally:
        demo.kill()
    assert demo.status == 0

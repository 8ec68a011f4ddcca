"""A clean, isolated environment for every process an e2e test starts.

The console must never see the developer's real config, data, keyring or terminal
settings, and a test must not depend on them either: every variable a child sees is
listed here, pointing into the test's own temporary folder.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.keyrings import BACKEND

BIN = Path(sys.executable).parent
"""The virtualenv's bin folder: `veil` and `python` are taken from here, never from PATH."""
VEIL = BIN / "veil"
PYTHON = Path(sys.executable)
TERM = "xterm-256color"


def isolated_env(root: Path, **extra: str) -> dict[str, str]:
    """Variables for a child process whose every writable location lies under `root`."""
    folders = {
        name: root / sub
        for name, sub in (
            ("HOME", "home"),
            ("VEIL_DATA_DIR", "data"),
            ("VEIL_CONFIG_DIR", "config"),
            ("XDG_CONFIG_HOME", "xdg/config"),
            ("XDG_DATA_HOME", "xdg/data"),
            ("XDG_CACHE_HOME", "xdg/cache"),
            ("XDG_STATE_HOME", "xdg/state"),
            ("XDG_RUNTIME_DIR", "xdg/runtime"),
        )
    }
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    folders["XDG_RUNTIME_DIR"].chmod(0o700)
    env = {name: str(folder) for name, folder in folders.items()}
    env.update(
        PATH=f"{BIN}:/usr/local/bin:/usr/bin:/bin",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TERM=TERM,
        COLORTERM="truecolor",
        # The tests' keyring inside XDG_DATA_HOME: the real OS keyring is never touched.
        PYTHON_KEYRING_BACKEND=BACKEND,
    )
    if "PYTHONPATH" in os.environ:  # the tests' keyring module, and any checkout a run names
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    env.update(extra)
    return env


def require(*programs: str) -> None:
    """Fail (never skip) when a tool is missing: CI must install it, see `.ci/run`."""
    missing = [program for program in programs if shutil.which(program) is None]
    if missing:
        pytest.fail(
            f"missing {', '.join(missing)}: install the e2e Debian packages (see .ci/run)",
            pytrace=False,
        )

"""`veil --demo` leaves no throw-away folder behind, however it ends.

Each start makes a fresh data dir for the demo users and their audit trail; before, every
run left one in the temp dir. The ways out differ in what still runs on the way: a quit
runs everything, SIGTERM and SIGHUP run the session guard's orderly exit, a hang-up ends
the console with `os._exit` (no cleanup code at all), and SIGKILL runs nothing.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.support.pty_terminal import PtyTerminal

LOGIN = "Log in to view cameras"


def mentioning(folder: Path) -> list[int]:
    """Processes whose command line names `folder` (the folder's watcher, while it waits)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and str(folder).encode() in (proc / "cmdline").read_bytes():
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[PtyTerminal, Path]]:
    """The demo on a pty, logged out at its login screen; and its one throw-away folder."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**os.environ, "TMPDIR": str(scratch)}
    console = PtyTerminal([sys.executable, "-m", "console", "--demo"], env, REPO)
    try:
        console.wait_for_text(LOGIN, timeout=60)
        (folder,) = scratch.glob("veil-demo-*")
        assert (folder / "data" / "audit.db").is_file(), "the demo keeps its audit there"
        yield console, folder
    finally:
        console.kill()


ENDINGS: dict[str, Callable[[PtyTerminal], None]] = {
    "quit": lambda console: console.type("\x11"),  # ctrl+q
    "SIGTERM": lambda console: os.kill(console.pid, signal.SIGTERM),
    "SIGHUP": lambda console: os.kill(console.pid, signal.SIGHUP),
    "hang-up": lambda console: console.hang_up(),
    "SIGKILL": lambda console: os.kill(console.pid, signal.SIGKILL),
}


@pytest.mark.parametrize("ending", ENDINGS)
def test_the_demo_removes_its_folder_when_it_ends(
    demo: tuple[PtyTerminal, Path], ending: str
) -> None:
    console, folder = demo
    time.sleep(0.5)  # the demo is up, as a person would see it, before it is ended
    assert folder.is_dir()
    ENDINGS[ending](console)
    console.wait_exit(10)
    deadline = time.monotonic() + 10
    while (folder.exists() or mentioning(folder)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not folder.exists(), f"{folder} left behind after {ending}"
    assert not mentioning(folder), "the folder's watcher outlived its work"

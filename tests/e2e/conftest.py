"""Fixtures that start real terminals and servers and always tear them down again."""

from __future__ import annotations

import shutil
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness.env import isolated_env
from .harness.reaper import reap
from .harness.sites import write_site
from .harness.sshd import Sshd
from .harness.tmux import TmuxSession
from .harness.xterm import Kitty, XDisplay, XTerm


@pytest.fixture(autouse=True)
def no_leftovers(tmp_path: Path) -> Iterator[None]:
    """After every other fixture has closed its terminal or server, nothing the test
    started may stay behind; a survivor is killed and named in a warning."""
    yield
    for pid, command in reap(tmp_path).items():
        warnings.warn(f"killed {pid} ({command}): still running after the test", stacklevel=1)


@pytest.fixture
def veil_env(tmp_path: Path) -> dict[str, str]:
    """The environment every child process gets: all of its folders under tmp_path."""
    return isolated_env(tmp_path / "env")


@pytest.fixture
def wall_site(tmp_path: Path) -> Path:
    return write_site(tmp_path / "site")


@pytest.fixture
def tmux() -> Iterator[TmuxSession]:
    """An unstarted session; its folder is short because socket paths max out at 108 bytes."""
    folder = Path(tempfile.mkdtemp(prefix="veil-tmux-"))
    session = TmuxSession(folder)
    try:
        yield session
    finally:
        session.kill()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[XDisplay]:
    display = XDisplay(tmp_path / "xvfb.log").start()
    try:
        yield display
    finally:
        display.stop()


@pytest.fixture
def xterm(x_display: XDisplay, tmp_path: Path) -> Iterator[XTerm]:
    """An unstarted 200x60 xterm on its own display."""
    terminal = XTerm(x_display, tmp_path / "xterm.log")
    try:
        yield terminal
    finally:
        terminal.stop()


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Sshd]:
    server = Sshd(tmp_path / "sshd").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kitty(x_display: XDisplay, tmp_path: Path) -> Iterator[Kitty]:
    """An unstarted kitty window on its own display."""
    terminal = Kitty(x_display, tmp_path / "kitty.log")
    try:
        yield terminal
    finally:
        terminal.stop()

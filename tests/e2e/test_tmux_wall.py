"""The console in a real 200x60 terminal (tmux): the wall comes up, dead cameras say so,
and Ctrl+Q leaves cleanly with exit status 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness.cli import add_users
from .harness.env import VEIL
from .harness.operator import LOGIN_SCREEN, STEP, fill_in
from .harness.screen import find_tile
from .harness.sites import WALL_TILES, WALL_USER
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e

HALF_BLOCK = "▀"
"""What a half-block video tile is drawn with."""


def log_in(tmux: TmuxSession, site: Path, env: dict[str, str]) -> None:
    """Start `veil --site` as the wall's user, created first, and log in."""
    add_users(env, site, [WALL_USER])
    tmux.start([str(VEIL), "--site", str(site)], env)
    tmux.wait_for(LOGIN_SCREEN, timeout=20)
    fill_in(tmux, WALL_USER[:2])


def start_wall(tmux: TmuxSession, site: Path, env: dict[str, str]) -> str:
    """Log in and return the first screen on which every tile has its title."""
    log_in(tmux, site, env)
    return tmux.wait_until(
        lambda screen: all(f"╭─ {title} " in screen for title in WALL_TILES),
        "every camera's tile",
        timeout=STEP,
    )


def test_wall_shows_live_tiles_and_the_dead_camera_then_ctrl_q_exits_0(
    tmux: TmuxSession, wall_site: Path, veil_env: dict[str, str]
) -> None:
    start_wall(tmux, wall_site, veil_env)
    screen = tmux.wait_until(
        lambda s: (
            "video file not found" in find_tile(s, "Gone Camera").text
            and all(HALF_BLOCK in find_tile(s, title).text for title in WALL_TILES[:2])
        ),
        "video on the live tiles and the missing file on the dead one",
    )
    assert "E2E Wall" in screen.splitlines()[0]
    for title in WALL_TILES[:2]:
        tile = find_tile(screen, title)
        assert "error" not in tile.bottom and "lost" not in tile.bottom, tile
    gone = find_tile(screen, "Gone Camera")
    assert "error" in gone.bottom
    assert HALF_BLOCK not in gone.text, "a camera without frames must not show a picture"

    tmux.send_keys("C-q")
    assert tmux.wait_exit(timeout=10) == 0
    assert "Traceback" not in tmux.capture()


def test_ctrl_q_quits_even_while_the_camera_is_retrying(
    tmux: TmuxSession, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    """A site whose only camera is dead: quitting must not wait on its reconnect loop."""
    site = tmp_path / "dead.toml"
    site.write_text(
        '[site]\nname = "All Dead"\n\n[roles.operator]\npermissions = ["live"]\n\n'
        '[[cameras]]\nid = "gone"\nname = "Gone Camera"\nsource = "nowhere.mp4"\n'
    )
    log_in(tmux, site, veil_env)
    tmux.wait_until(
        lambda s: "error" in find_tile(s, "Gone Camera").bottom, "the dead camera's status"
    )
    tmux.send_keys("C-q")
    assert tmux.wait_exit(timeout=5) == 0

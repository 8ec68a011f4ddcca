"""The console over a real SSH connection on 127.0.0.1, driven from a tmux terminal.

The operator's terminal is the tmux pane; in it runs `ssh -tt`, and on the server side
sshd runs `veil` on its own pty. Killing the ssh client is the network dropping: sshd
hangs up that pty, and the console must not linger on the server.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .harness.cli import add_users
from .harness.env import VEIL, isolated_env
from .harness.operator import LOGIN_SCREEN, fill_in
from .harness.process import ends_within
from .harness.sites import WALL_TILES, WALL_USER
from .harness.sshd import Sshd, remote_pid
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e


def test_wall_over_ssh_and_the_console_ends_when_the_connection_drops(
    tmux: TmuxSession, sshd: Sshd, wall_site: Path, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    pid_file = tmp_path / "veil.pid"
    remote_env = isolated_env(tmp_path / "remote")
    add_users(remote_env, wall_site, [WALL_USER])
    sshd.open_console(tmux, [str(VEIL), "--site", str(wall_site)], remote_env, veil_env, pid_file)
    tmux.wait_for(LOGIN_SCREEN, timeout=20)
    fill_in(tmux, WALL_USER[:2])
    tmux.wait_until(
        lambda screen: (
            all(f"╭─ {title} " in screen for title in WALL_TILES)
            and "video file not found" in screen
        ),
        "the wall, over SSH",
        timeout=20,
    )
    pid = remote_pid(pid_file)

    client = tmux.pid
    assert Path(f"/proc/{client}/comm").read_text().strip() == "ssh"
    os.kill(client, signal.SIGKILL)
    assert ends_within(pid, 5.0), "the console kept running on the server after the connection died"

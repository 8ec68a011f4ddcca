"""The console over a real SSH connection on 127.0.0.1, driven from a tmux terminal.

The operator's terminal is the tmux pane; in it runs `ssh -tt`, and on the server side
sshd runs `veil` on its own pty. Killing the ssh client is the network dropping: sshd
hangs up that pty, and the console must not linger on the server.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from .harness.env import VEIL, isolated_env
from .harness.sites import WALL_TILES
from .harness.sshd import Sshd, remote_command
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e


def ssh_console(
    tmux: TmuxSession, sshd: Sshd, site: Path, folder: Path, env: dict[str, str]
) -> int:
    """Start `veil --site` over SSH in the tmux pane; the server-side console's pid once up."""
    pid_file = folder / "veil.pid"
    remote = remote_command(isolated_env(folder / "remote"), [str(VEIL), "--site", str(site)],
                            pid_file)  # fmt: skip
    tmux.start(sshd.client_argv(remote), env)
    tmux.wait_until(
        lambda screen: all(f"╭─ {title} " in screen for title in WALL_TILES),
        "the wall, over SSH",
        timeout=20,
    )
    pid = int(pid_file.read_text())
    assert "veil" in Path(f"/proc/{pid}/cmdline").read_text(), "the pid must be the console's"
    return pid


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie has ended and only awaits its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


def test_wall_over_ssh_and_the_console_ends_when_the_connection_drops(
    tmux: TmuxSession, sshd: Sshd, wall_site: Path, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    pid = ssh_console(tmux, sshd, wall_site, tmp_path, veil_env)
    assert "video file not found" in tmux.wait_for("video file not found")

    client = tmux.pid
    assert Path(f"/proc/{client}/comm").read_text().strip() == "ssh"
    os.kill(client, signal.SIGKILL)
    deadline = time.monotonic() + 5.0
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(pid), "the console kept running on the server after the SSH connection died"

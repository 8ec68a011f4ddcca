"""Dropping SSH while lifted (issue 6, item 3): the server-side console exits within 5 s,
the audit says "session ended while lifted" and verifies, and the next session is masked.

The console runs on the demo site with a data dir of the test's own, whose users the
test creates with `veil user add` first, as an administrator of a real site would.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .harness import demo
from .harness.cli import add_users, audit_records, audit_table, audit_verify
from .harness.env import VEIL, isolated_env
from .harness.operator import (
    AUTHORIZATION,
    LIFT_KEY,
    LIFTED,
    LOGIN_SCREEN,
    STEP,
    fill_in,
    footer,
    run_command,
)
from .harness.process import ends_within
from .harness.sshd import Sshd, remote_pid
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e


def console_over_ssh(
    tmux: TmuxSession, sshd: Sshd, remote_env: dict[str, str], local_env: dict[str, str],
    pid_file: Path,
) -> str:  # fmt: skip
    """A new SSH connection running the console, logged in as the operator: the wall."""
    argv = [str(VEIL), "--site", str(demo.SITE)]
    sshd.open_console(tmux, argv, remote_env, local_env, pid_file)
    login = tmux.wait_for(LOGIN_SCREEN, timeout=30)
    assert demo.OPERATOR[1] not in login, "only demo mode lists passwords"
    fill_in(tmux, demo.OPERATOR)
    return tmux.wait_until(
        lambda s: demo.LOBBY_TILE in s and LIFT_KEY in footer(s), "the masked wall", STEP
    )


def test_dropped_ssh_while_lifted_ends_the_console_audited_and_next_start_is_masked(
    tmux: TmuxSession, sshd: Sshd, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    remote_env = isolated_env(tmp_path / "remote")
    data_dir = Path(remote_env["VEIL_DATA_DIR"])
    users = [(*demo.OPERATOR, "operator"), (*demo.SUPERVISOR, "supervisor")]
    add_users(remote_env, demo.SITE, users)
    pid_file = tmp_path / "veil.pid"

    console_over_ssh(tmux, sshd, remote_env, veil_env, pid_file)
    pid = remote_pid(pid_file)
    run_command(tmux, "Lift privacy masks")
    tmux.wait_for(AUTHORIZATION, STEP)
    fill_in(tmux, demo.SUPERVISOR)
    tmux.wait_for(LIFTED, STEP)

    client = tmux.pid
    assert Path(f"/proc/{client}/comm").read_text().strip() == "ssh"
    os.kill(client, signal.SIGKILL)
    assert ends_within(pid, 5.0), "the console kept running on the server after the drop"

    assert "session ended while lifted" in audit_table(remote_env, data_dir)
    (ended,) = [
        record
        for record in audit_records(remote_env, data_dir)
        if record["event"] == "session_ended_while_lifted"
    ]
    assert (ended["operator"], ended["authorizer"]) == (demo.OPERATOR[0], demo.SUPERVISOR[0])
    assert ended["details"]["cause"] == "SIGHUP", ended
    assert "hash chain intact" in audit_verify(remote_env, data_dir)

    tmux.kill()
    pid_file.unlink()
    wall = console_over_ssh(tmux, sshd, remote_env, veil_env, pid_file)
    assert not LIFTED.search(wall), "a new session starts masked"
    hits = run_command(tmux, "Lift privacy masks", query="privacy masks")
    assert "Apply privacy masks" not in hits, "a new session starts masked"
    modal = tmux.wait_for(AUTHORIZATION, STEP)
    assert not LIFTED.search(modal), "masks stay on until a supervisor authorizes again"

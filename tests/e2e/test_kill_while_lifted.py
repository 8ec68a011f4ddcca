"""SIGKILL while lifted (issue 10 §6): a killed console writes nothing on its way out, so
`veil audit verify` and `veil audit show` report its lift as open, and the next console
to start records that the session ended uncleanly, which closes it.

SIGKILL stands for power loss too: either way the process gets no chance to write.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .harness import demo
from .harness.cli import add_users, audit_records, audit_table, veil
from .harness.env import VEIL
from .harness.operator import AUTHORIZATION, LIFTED, LOGIN_SCREEN, STEP, fill_in, run_command
from .harness.process import ends_within
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e


def test_a_console_killed_while_lifted_is_reported_open_then_closed_by_the_next_start(
    tmux: TmuxSession, veil_env: dict[str, str]
) -> None:
    data_dir = Path(veil_env["VEIL_DATA_DIR"])
    add_users(veil_env, demo.SITE, [(*demo.OPERATOR, "operator"), (*demo.SUPERVISOR, "supervisor")])
    console = [str(VEIL), "--site", str(demo.SITE)]
    tmux.start(console, veil_env)
    tmux.wait_for(LOGIN_SCREEN, timeout=30)
    fill_in(tmux, demo.OPERATOR)
    tmux.wait_for(demo.LOBBY_TILE, STEP)
    run_command(tmux, "Lift privacy masks")
    tmux.wait_for(AUTHORIZATION, STEP)
    fill_in(tmux, demo.SUPERVISOR)
    tmux.wait_for(LIFTED, STEP)

    pid = tmux.pid
    os.kill(pid, signal.SIGKILL)
    assert ends_within(pid, 5.0)
    (started,) = [r for r in audit_records(veil_env, data_dir) if r["event"] == "lift_started"]
    seq = started["seq"]
    assert not any(r["details"].get("lift") == seq for r in audit_records(veil_env, data_dir))

    opened = f"veil: open lift: record {seq}, operator (authorized by supervisor), started "
    assert opened in audit_table(veil_env, data_dir)
    verified = veil(veil_env, "audit", "verify", "--data-dir", str(data_dir))
    assert verified.returncode == 0, "the chain is intact; the open lift is a finding"
    assert opened in verified.stdout
    assert "still in force, or its console was killed or lost power" in verified.stdout

    tmux.kill()
    tmux.start(console, veil_env)
    tmux.wait_for(LOGIN_SCREEN, timeout=30)
    tmux.send_keys("C-q")
    assert tmux.wait_exit(timeout=10) == 0

    (unclean,) = [
        r for r in audit_records(veil_env, data_dir) if r["event"] == "session_ended_uncleanly"
    ]
    assert (unclean["operator"], unclean["authorizer"]) == ("operator", "supervisor")
    assert unclean["details"]["lift"] == seq
    assert unclean["details"]["pid"] == pid
    assert "killed" in unclean["details"]["cause"]
    assert "session ended uncleanly" in audit_table(veil_env, data_dir)
    verified = veil(veil_env, "audit", "verify", "--data-dir", str(data_dir))
    assert verified.returncode == 0 and "open lift" not in verified.stdout, verified.stdout
    assert not list((data_dir / "runs").iterdir()), "both run files are gone"

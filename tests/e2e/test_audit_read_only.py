"""The audit's disk turns read-only under a running console (issue 6, faults): a lift it
cannot record is refused with a clear message, masks stay on, and nothing else is lost.

The console runs on the demo site with a data dir of the test's own, in a private mount
namespace where the test can make that dir read-only for the console alone (see
`harness.readonly`): the kernel then refuses every write, to root as well. The operator
logs in while the disk is fine, the disk turns read-only, the supervisor authorizes a
lift: refused, in the modal, naming the read-only disk. Once the disk is writable again
the same console lifts as usual, and the audit holds every record it acknowledged, with
its hash chain intact.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .harness import demo
from .harness.cli import add_users, audit_records, audit_verify
from .harness.env import VEIL
from .harness.operator import (
    APPLY_KEY,
    AUTHORIZATION,
    LIFT_KEY,
    LIFTED,
    LOGIN_SCREEN,
    STEP,
    fill_in,
    footer,
    remaining,
    run_command,
)
from .harness.readonly import PrivateMount, require_private_mounts
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e

REFUSED = "Masks stay on"
"""How the authorization modal starts a refusal the audit caused."""


def events(env: dict[str, str], data_dir: Path) -> list[str]:
    return [record["event"] for record in audit_records(env, data_dir)]


def test_a_lift_the_read_only_audit_cannot_record_is_refused_and_masks_stay_on(
    tmux: TmuxSession, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    require_private_mounts(tmp_path / "probe")
    data_dir = Path(veil_env["VEIL_DATA_DIR"])
    users = [(*demo.OPERATOR, "operator"), (*demo.SUPERVISOR, "supervisor")]
    add_users(veil_env, demo.SITE, users)
    disk = PrivateMount(data_dir)
    tmux.start(disk.argv([str(VEIL), "--site", str(demo.SITE)]), veil_env)
    tmux.wait_for(LOGIN_SCREEN, timeout=30)
    fill_in(tmux, demo.OPERATOR)
    tmux.wait_until(
        lambda s: demo.LOBBY_TILE in s and LIFT_KEY in footer(s), "the masked wall", STEP
    )
    console = tmux.pid
    logged_in = events(veil_env, data_dir)
    assert logged_in[-1] == "login_ok"

    disk.set_read_only(console, True)
    run_command(tmux, "Lift privacy masks")
    tmux.wait_for(AUTHORIZATION, STEP)
    fill_in(tmux, demo.SUPERVISOR)
    refused = tmux.wait_for(REFUSED, STEP)
    assert f"{REFUSED}: the lift cannot be recorded" in refused, refused
    assert "Traceback" not in refused
    shown = " ".join(" ".join(line.strip(" █│") for line in refused.splitlines()).split())
    assert "its file system is read-only" in shown, refused
    assert remaining(refused) is None, "masks stay on"
    tmux.send_keys("Escape")
    wall = tmux.wait_until(
        lambda s: (
            AUTHORIZATION not in s
            and demo.LOBBY_TILE in s
            and LIFT_KEY in footer(s)
            and APPLY_KEY not in footer(s)
        ),
        "the masked wall again: the lift key offered, nothing to apply",
        STEP,
    )
    assert remaining(wall) is None
    assert tmux.running()
    assert events(veil_env, data_dir) == logged_in, "a read-only disk takes no record"

    disk.set_read_only(console, False)
    run_command(tmux, "Lift privacy masks")
    tmux.wait_for(AUTHORIZATION, STEP)
    fill_in(tmux, demo.SUPERVISOR)
    tmux.wait_until(lambda s: LIFTED.search(s) is not None, "the lift, now recorded", STEP)
    run_command(tmux, "Apply privacy masks", query="privacy masks")
    tmux.wait_until(lambda s: remaining(s) is None and LIFT_KEY in footer(s), "masked", STEP)
    tmux.send_keys("C-q")
    assert tmux.wait_exit(STEP) == 0

    assert events(veil_env, data_dir) == [
        *logged_in,
        "lift_requested",
        "lift_authorized",
        "lift_started",
        "lift_applied",
        "logout",
    ]
    assert "hash chain intact" in audit_verify(veil_env, data_dir)

"""The operator's whole lift flow in a real terminal (issue 6, item 1): log in, lift from
the palette, authorize as the supervisor, see the countdown, apply, log out; then the
audit trail holds exactly that story and its hash chain verifies."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .harness import demo
from .harness.cli import audit_records, audit_verify, demo_data_dir
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
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e


def test_operator_lifts_with_supervisor_sees_countdown_applies_and_logs_out(
    tmux: TmuxSession, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**veil_env, "TMPDIR": str(scratch)}
    tmux.start([str(VEIL), "--demo"], env)
    login = tmux.wait_until(
        lambda s: LOGIN_SCREEN in s and demo.SUPERVISOR[1] in s, "the demo login screen", 30
    )
    for name, password in (demo.OPERATOR, demo.SUPERVISOR):
        assert f"{name} / {password}" in login, "demo mode lists its users on the login screen"
    assert demo.LOBBY_TILE not in login, "no camera before login"

    fill_in(tmux, demo.OPERATOR)
    wall = tmux.wait_until(
        lambda s: (
            demo.LOBBY_TILE in s
            and f"{demo.OPERATOR[0]} (operator)" in s.splitlines()[0]
            and LIFT_KEY in footer(s)
        ),
        "the wall, the operator named in the header, the lift key in the footer",
        STEP,
    )
    assert remaining(wall) is None, "a session starts masked"
    assert APPLY_KEY not in footer(wall)

    hits = run_command(tmux, "Lift privacy masks", query="privacy masks")
    assert "Apply privacy masks" not in hits, "nothing to apply while masks are on"
    modal = tmux.wait_for(AUTHORIZATION, STEP)
    assert remaining(modal) is None, "masks stay on until the supervisor authorizes"
    fill_in(tmux, demo.SUPERVISOR)
    lifted = tmux.wait_until(
        lambda s: LIFTED.search(s.splitlines()[0]) is not None and AUTHORIZATION not in s,
        "the countdown in the header, the modal gone",
        STEP,
    )
    first = remaining(lifted)
    assert first is not None and (demo.LIFT_MINUTES - 1) * 60 < first <= demo.LIFT_MINUTES * 60
    ticking = tmux.wait_until(
        lambda s: (left := remaining(s)) is not None and left < first and APPLY_KEY in footer(s),
        "the countdown ticking, the apply key in the footer",
        STEP,
    )
    assert LIFT_KEY not in footer(ticking)

    hits = run_command(tmux, "Apply privacy masks", query="privacy masks")
    assert "Lift privacy masks" not in hits, "no second lift while lifted"
    applied = tmux.wait_until(
        lambda s: remaining(s) is None and demo.LOBBY_TILE in s and LIFT_KEY in footer(s),
        "the wall, the countdown gone, the lift key back in the footer",
        STEP,
    )
    assert APPLY_KEY not in footer(applied)

    run_command(tmux, "Log out")
    logged_out = tmux.wait_until(
        lambda s: LOGIN_SCREEN in s and demo.LOBBY_TILE not in s,
        "the login screen instead of the wall",
        STEP,
    )
    assert "Logged out; privacy masks are applied." in logged_out
    assert remaining(logged_out) is None

    data_dir = demo_data_dir(scratch)  # read while the demo runs: it is removed on exit
    events = [
        (record["event"], record["operator"], record["authorizer"])
        for record in audit_records(env, data_dir)
        if record["event"] not in ("user_admin", "site_loaded")
    ]
    operator, supervisor = demo.OPERATOR[0], demo.SUPERVISOR[0]
    assert events == [
        ("login_ok", operator, ""),
        ("lift_requested", operator, supervisor),
        ("lift_authorized", operator, supervisor),
        ("lift_started", operator, supervisor),
        ("lift_applied", operator, supervisor),
        ("logout", operator, ""),
    ], events
    assert "hash chain intact" in audit_verify(env, data_dir)

    tmux.send_keys("C-q")
    assert tmux.wait_exit(timeout=10) == 0
    deadline = time.monotonic() + 10
    while data_dir.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not list(scratch.iterdir()), "the demo left its throw-away folder behind"

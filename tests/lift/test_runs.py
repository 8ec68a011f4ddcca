"""Run files: the next console start records how a killed console's session ended."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from console.core.access.lift import LiftController
from console.core.access.runs import RunRegistry
from console.core.audit.open_lifts import open_lifts
from console.core.audit.trail import AuditLog, Event
from console.core.timebase.clock import FakeClock

REPO = Path(__file__).resolve().parents[2]

KILLED = """
import os, sys
from pathlib import Path
from console.core.access.lift import LiftController
from console.core.access.runs import RunRegistry
from console.core.audit.trail import AuditLog, Event

data = Path(sys.argv[1])
audit = AuditLog(data / "audit.db")
RunRegistry(data / "runs", audit).start()
audit.append(Event.LOGIN_OK, operator=sys.argv[2])
if sys.argv[3] == "lift":
    controller = LiftController(audit)
    controller.lift(sys.argv[2], "sam", "case 9", 600, controller.epoch)
os._exit(0)  # no cleanup at all, as SIGKILL or a power cut
"""


def die(data: Path, user: str, lift: bool) -> None:
    """A console process that logs in (and lifts) and ends without closing anything."""
    argv = [sys.executable, "-c", KILLED, str(data), user, "lift" if lift else "-"]
    subprocess.run(argv, cwd=REPO, check=True, timeout=60)


def unclean(audit: AuditLog) -> list[tuple[str, str, dict[str, object]]]:
    return [
        (r.operator, r.authorizer, json.loads(r.details))
        for r in audit.records()
        if r.event == Event.SESSION_ENDED_UNCLEANLY
    ]


def test_a_dead_consoles_lift_is_closed_by_the_next_start(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    die(tmp_path, "olga", lift=True)
    (lift,) = open_lifts(audit.records())
    RunRegistry(tmp_path / "runs", audit).start()
    ((operator, authorizer, details),) = unclean(audit)
    assert (operator, authorizer, details["lift"]) == ("olga", "sam", lift.started.seq)
    assert open_lifts(audit.records()) == []
    assert len(list((tmp_path / "runs").iterdir())) == 1, "only the new console's file"


def test_a_dead_consoles_session_without_a_lift_is_recorded_too(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    die(tmp_path, "gary", lift=False)
    RunRegistry(tmp_path / "runs", audit).start()
    ((operator, _, details),) = unclean(audit)
    assert operator == "gary" and "lift" not in details
    assert "killed, crashed or lost power" in str(details["cause"])


def test_a_live_console_is_left_alone_and_a_clean_end_leaves_nothing(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    first = RunRegistry(tmp_path / "runs", audit)
    first.start()
    controller = LiftController(audit, FakeClock())
    controller.lift("olga", "sam", "", 600, controller.epoch)
    RunRegistry(tmp_path / "runs", AuditLog(audit.path)).start()
    assert unclean(audit) == [], "a running console (its file locked) is not reported"
    first.stop()
    assert len(list((tmp_path / "runs").iterdir())) == 1
    RunRegistry(tmp_path / "runs", audit).start()
    assert unclean(audit) == [], "a console that stopped cleanly left no file to report"


def test_a_run_file_torn_by_a_power_cut_still_counts_as_an_unclean_end(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    runs = tmp_path / "runs"
    runs.mkdir()
    (runs / "0123456789ab.run").write_bytes(b'{"run": "0123456789ab", "pi')
    RunRegistry(runs, audit).start()
    ((operator, _, details),) = unclean(audit)
    assert operator == "" and "unreadable" in str(details["cause"])
    assert not (runs / "0123456789ab.run").exists()


def test_the_run_file_is_private_to_the_console_account(tmp_path: Path) -> None:
    registry = RunRegistry(tmp_path / "runs", AuditLog(tmp_path / "audit.db"))
    registry.start()
    assert os.stat(tmp_path / "runs").st_mode & 0o777 == 0o700
    (own,) = (tmp_path / "runs").iterdir()
    assert own.stat().st_mode & 0o777 == 0o600
    registry.stop()

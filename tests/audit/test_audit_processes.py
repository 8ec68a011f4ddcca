"""Several console processes share one audit: nothing lost, the chain intact, locks fail closed."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.core.access.lift import LiftController
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.timebase.clock import FakeClock
from tests.support.audit_lock import audit_locked_elsewhere

REPO = Path(__file__).resolve().parents[2]

WRITER = """
import sys, time
from pathlib import Path
from console.core.audit.trail import AuditLog, Event

path, tag, count, go = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
log = AuditLog(path)
(go.parent / f"{tag}.ready").touch()
while not go.exists():
    time.sleep(0.001)
for index in range(count):
    log.append(Event.EXPORT, operator=tag, details={"index": index})
    # A console appends between other work, never back to back; without a pause the
    # process holding the lock starves the other one's busy handler.
    time.sleep(0.0005)
"""


def test_two_processes_appending_1000_events_each_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    go = tmp_path / "go"
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), tag, "1000", str(go)], cwd=REPO)
        for tag in ("console-a", "console-b")
    ]
    deadline = time.monotonic() + 60
    while not all((tmp_path / f"{tag}.ready").exists() for tag in ("console-a", "console-b")):
        assert time.monotonic() < deadline, "writers did not start"
        time.sleep(0.005)
    go.touch()
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]

    log = AuditLog(path)
    records = log.records()
    assert len(records) == 2000
    assert [r.seq for r in records] == list(range(1, 2001))
    for tag in ("console-a", "console-b"):
        mine = [r.details for r in records if r.operator == tag]
        assert mine == [f'{{"index":{index}}}' for index in range(1000)]
    switches = sum(a.operator != b.operator for a, b in zip(records, records[1:], strict=False))
    assert switches > 1, "the two writers never interleaved, so the test proved nothing"
    assert log.verify().ok


def test_a_lift_is_refused_while_another_process_locks_the_audit(tmp_path: Path) -> None:
    path = tmp_path / "audit.db"
    AuditLog(path).append(Event.SITE_LOADED, details={"sha256": "0" * 64})
    controller = LiftController(AuditLog(path, busy_timeout=0.2), FakeClock())
    with audit_locked_elsewhere(path):
        with pytest.raises(AuditUnavailable, match="is locked by another process"):
            controller.lift("olga", "sam", "", 600, controller.epoch)
        assert not controller.lifted()
    assert len(AuditLog(path).records()) == 1
    # Once the other process lets go, the same controller lifts normally.
    controller.lift("olga", "sam", "", 600, controller.epoch)
    assert controller.lifted()
    assert AuditLog(path).verify().ok

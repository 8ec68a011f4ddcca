"""Several cameras over one range: one bar, skips explained, nothing partial after a cancel."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core.audit.trail import AuditLog
from console.core.evidence.batch import BatchProgress, export_batch, output_path
from console.core.evidence.errors import ExportCancelled
from console.core.evidence.keys import create_export_key
from console.core.evidence.request import ExportRequest
from console.core.site.config import load_site
from console.core.site.model import Site
from console.core.timebase.clock import FakeClock
from tests.conftest import DEMO_SITE


def at(minute: int, second: int) -> float:
    return datetime(2026, 11, 27, 10, minute, second, tzinfo=UTC).timestamp()


@pytest.fixture
def site() -> Site:
    return load_site(DEMO_SITE)


def requests(
    site: Site, out: Path, cameras: tuple[str, ...], start: float, end: float
) -> list[ExportRequest]:
    return [
        ExportRequest(
            site, camera, start, end, output_path(out, camera, start, end, "png"), "png", "alice"
        )
        for camera in cameras
    ]


def test_output_names_carry_camera_and_range(tmp_path: Path) -> None:
    assert output_path(tmp_path, "lobby", at(0, 0), at(0, 10), "mp4").name == (
        "lobby_20261127T100000Z-20261127T100010Z.mp4"
    )
    assert output_path(tmp_path, "gate", at(0, 0), at(1, 5), "png").name == (
        "gate_20261127T100000Z-20261127T100105Z"
    )


def test_batch_counts_all_cameras_and_skips_those_without_footage(
    site: Site, tmp_path: Path
) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    seen: list[BatchProgress] = []
    clock = FakeClock(0.0)

    def progress(step: BatchProgress) -> None:
        clock.advance(0.1)
        seen.append(step)

    batch = requests(site, tmp_path, ("lobby", "garden", "gate"), at(0, 0), at(0, 2))
    key = create_export_key(tmp_path / "export-key.pem")
    result = export_batch(batch, audit, key, progress, clock=clock)
    assert result.failure is None
    assert [r.output.name for r in result.done] == [batch[0].out.name, batch[2].out.name]
    assert [camera for camera, _ in result.skipped] == ["garden"]
    assert "no recorded frames" in result.skipped[0][1]
    assert [s.overall.done for s in seen] == list(range(1, 41))
    assert {s.overall.total for s in seen} == {40}
    assert [(s.camera_id, s.number, s.count) for s in (seen[0], seen[-1])] == [
        ("lobby", 1, 3),
        ("gate", 3, 3),
    ]
    assert seen[-1].overall.eta == 0.0
    assert seen[19].overall.eta == pytest.approx(1.9)  # 20 frames in 1.9 s, 20 to go


def test_cancel_stops_the_batch_and_keeps_only_whole_exports(site: Site, tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    out = tmp_path / "out"
    out.mkdir()
    cancel = threading.Event()

    def progress(step: BatchProgress) -> None:
        if step.camera_id == "gate" and step.overall.done >= 25:
            cancel.set()

    batch = requests(site, out, ("lobby", "gate", "street"), at(0, 0), at(0, 2))
    key = create_export_key(tmp_path / "export-key.pem")
    result = export_batch(batch, audit, key, progress, cancel)
    assert isinstance(result.failure, ExportCancelled)
    assert [r.output for r in result.done] == [batch[0].out]
    assert sorted(p.name for p in out.iterdir()) == [
        batch[0].out.name,
        batch[0].out.name + ".manifest.json",
    ]

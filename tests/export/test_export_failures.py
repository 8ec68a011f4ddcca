"""Cancel and every failure leave nothing behind and say clearly what went wrong."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from console.core.access.lift import LiftController
from console.core.audit.trail import AuditLog, Event
from console.core.evidence.errors import ExportCancelled, ExportError
from console.core.evidence.export import export_recording
from console.core.evidence.formats import ExportFormat
from console.core.evidence.policy import unmasked_grant
from console.core.site.model import Role
from console.core.timebase.clock import FakeClock
from console.core.timebase.progress import Progress
from tests.export.conftest import T0, Scene

FORMATS: list[ExportFormat] = ["mp4", "avi", "png"]


def name_for(export_format: ExportFormat) -> str:
    return "stills" if export_format == "png" else f"case.{export_format}"


def exports_recorded(audit: AuditLog) -> int:
    try:
        return sum(record.event == Event.EXPORT for record in audit.records())
    except Exception:  # no audit file at all: nothing recorded
        return 0


@pytest.mark.parametrize("export_format", FORMATS)
def test_cancel_leaves_no_file_and_no_record(scene: Scene, export_format: ExportFormat) -> None:
    cancel = threading.Event()

    def cancel_at_five(progress: Progress) -> None:
        if progress.done == 5:
            cancel.set()

    with pytest.raises(ExportCancelled, match="cancelled; nothing was kept"):
        scene.export(
            scene.request(name_for(export_format), export_format),
            progress=cancel_at_five,
            cancel=cancel,
        )
    assert scene.leftovers() == []
    assert exports_recorded(scene.audit) == 0


@pytest.mark.parametrize("export_format", FORMATS)
def test_a_segment_vanishing_mid_export_leaves_nothing(
    scene: Scene, export_format: ExportFormat
) -> None:
    def delete_the_last_segment(progress: Progress) -> None:
        if progress.done == 3:
            (scene.recordings / "2026-11-27T10-01-00Z.mp4").unlink()

    with pytest.raises(ExportError, match="2026-11-27T10-01-00Z.mp4") as caught:
        scene.export(
            scene.request(name_for(export_format), export_format),
            progress=delete_the_last_segment,
        )
    assert "the recording changed during the export" in str(caught.value)
    assert scene.leftovers() == []


def test_an_existing_output_is_never_overwritten(scene: Scene) -> None:
    (scene.out / "case.mp4").write_bytes(b"earlier evidence")
    with pytest.raises(ExportError, match="already exists; an export never overwrites"):
        scene.export(scene.request("case.mp4", "mp4"))
    assert (scene.out / "case.mp4").read_bytes() == b"earlier evidence"
    assert scene.leftovers() == ["case.mp4"]


def test_an_existing_manifest_is_never_overwritten(scene: Scene) -> None:
    (scene.out / "case.mp4.manifest.json").write_text("{}")
    with pytest.raises(ExportError, match=r"case\.mp4\.manifest\.json already exists"):
        scene.export(scene.request("case.mp4", "mp4"))
    assert scene.leftovers() == ["case.mp4.manifest.json"]


def test_a_missing_destination_folder_is_named(scene: Scene) -> None:
    request = replace(scene.request("case.mp4", "mp4"), out=scene.out / "nowhere" / "case.mp4")
    with pytest.raises(ExportError, match=r"nowhere does not exist"):
        scene.export(request)
    assert scene.leftovers() == []


def test_an_unwritable_destination_is_named(scene: Scene) -> None:
    (scene.out / "a-file").write_text("")
    request = replace(scene.request("case.mp4", "mp4"), out=scene.out / "a-file" / "case.mp4")
    with pytest.raises(ExportError, match=r"a-file is not a folder"):
        scene.export(request)
    assert scene.leftovers() == ["a-file"]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (T0 + 10, T0 + 50, "no recorded frames from 2026-11-27T10:00:10.000Z"),
        (T0 + 5, T0 + 5, "the range is empty"),
        (T0 + 9, T0 + 2, "the range is empty"),
    ],
)
def test_a_range_without_frames_is_refused(
    scene: Scene, start: float, end: float, message: str
) -> None:
    with pytest.raises(ExportError, match=message):
        scene.export(scene.request("case.mp4", "mp4", start=start, end=end))
    assert scene.leftovers() == []


def test_an_unknown_camera_is_refused(scene: Scene) -> None:
    request = replace(scene.request("case.mp4", "mp4"), camera_id="attic")
    with pytest.raises(ExportError, match="no camera 'attic'"):
        scene.export(request)


@pytest.mark.parametrize("export_format", FORMATS)
def test_an_export_the_audit_cannot_record_is_not_kept(
    scene: Scene, tmp_path: Path, export_format: ExportFormat
) -> None:
    (tmp_path / "blocker").write_text("a file where the data folder should be")
    broken = AuditLog(tmp_path / "blocker" / "audit.db")
    with pytest.raises(ExportError, match="not kept because the audit could not record it"):
        export_recording(scene.request(name_for(export_format), export_format), broken, scene.key)
    assert scene.leftovers() == []


DISK_FULL = """
import resource, signal, sys
from pathlib import Path
from console.core.audit.trail import AuditLog
from console.core.site.model import Camera, Site
from console.core.evidence.errors import ExportError
from console.core.evidence.export import export_recording
from console.core.evidence.keys import create_export_key
from console.core.evidence.request import ExportRequest

scratch, recordings, out = (Path(arg) for arg in sys.argv[1:4])
limit = int(sys.argv[4])
camera = Camera("cam", "Front door", "pattern:bars", recordings=recordings)
site = Site(scratch / "site.toml", "Test", (camera,), {})
request = ExportRequest(site, "cam", 0, 2e9, out, out.suffix[1:], "alice")
key = create_export_key(scratch / "export-key.pem")
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # past the limit, writes fail with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    export_recording(request, AuditLog(scratch / "audit.db"), key)
except ExportError as error:
    print(error)
    sys.exit(3)
"""
LIMIT = 16 * 1024
"""Largest file the export may write: a file system with this much room left (H.264
packs the test's 360 still checkerboards into about 25 KiB)."""


@pytest.mark.parametrize("export_format", ["mp4", "avi"])
def test_a_full_disk_is_reported_and_leaves_nothing(
    scene: Scene, tmp_path: Path, export_format: ExportFormat
) -> None:
    from tests.support.recorded_video import write_segment

    write_segment(scene.recordings, "2026-11-27T10-01-01Z", 300, first=60)
    out = scene.out / f"case.{export_format}"
    done = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(tmp_path), str(scene.recordings), str(out),
         str(LIMIT)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )  # fmt: skip
    assert done.returncode == 3, done.stdout + done.stderr
    assert sum(path.stat().st_size for path in scene.recordings.iterdir()) > 2 * LIMIT
    assert f"writing {out} failed" in done.stdout
    assert "the file system refused the rest (disk full" in done.stdout
    assert scene.leftovers() == []


def test_exporters_take_only_masked_frames() -> None:
    from console.core.evidence.writers import check_frame

    with pytest.raises(TypeError, match="only MaskedFrame"):
        check_frame(np.zeros((120, 160, 3), np.uint8), None)  # type: ignore[arg-type]


def test_unmasked_export_needs_both_a_lift_and_the_permission(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.db")
    lift = LiftController(audit, FakeClock())
    may = Role("investigator", frozenset({"export", "export_unmasked"}))
    may_not = Role("operator", frozenset({"export", "lift_privacy_masks"}))

    assert unmasked_grant(may, lift) is None  # nothing lifted
    lift.lift("alice", "bob", "case 7", 600, lift.epoch)
    assert unmasked_grant(may_not, lift) is None
    grant = unmasked_grant(may, lift)
    assert grant is not None
    assert grant.authorizer == "bob"
    assert grant.gate.lifted()
    lift.apply("alice")
    assert not grant.gate.lifted()  # the grant follows the lift, frame by frame


def test_a_completed_export_leaves_exactly_the_output_and_its_manifest(scene: Scene) -> None:
    result = scene.export(scene.request("case.mp4", "mp4"))
    assert scene.leftovers() == ["case.mp4", "case.mp4.manifest.json"]
    assert json.loads(result.manifest_path.read_text())["frames"] == 60


def test_an_output_appearing_during_the_export_is_left_alone_and_audited(scene: Scene) -> None:
    def someone_else_writes(progress: Progress) -> None:
        if progress.done == progress.total:
            (scene.out / "case.mp4").write_bytes(b"someone else's")

    with pytest.raises(ExportError, match="appeared during the export; not overwriting it"):
        scene.export(scene.request("case.mp4", "mp4"), progress=someone_else_writes)
    assert scene.leftovers() == ["case.mp4"]
    assert (scene.out / "case.mp4").read_bytes() == b"someone else's"
    outcomes = [r.outcome for r in scene.audit.records() if r.event == Event.EXPORT]
    assert outcomes == ["ok", "failed"]

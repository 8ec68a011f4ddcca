"""Recordings written by a Frigate NVR: indexed, played back masked and exported (issue 12 §2).

The tree is the one Frigate's `RecordingMaintainer.move_segment` writes, built here with
small segments (`tests.support.recorded_video`, each frame carrying its number):

    recordings/2026-11-27/23/Front_Door/59.50.mp4   frames 0-99, 23:59:50 to midnight
    recordings/2026-11-28/00/Front_Door/00.00.mp4   frames 100-149, across the day's end
    recordings/2026-11-28/00/Front_Door/00.20.mp4   cut short mid-file: a gap, with why
    recordings/2026-11-28/00/Front_Door/clip.mp4    a name Frigate does not write
    recordings/2026-11-28/00/Garage/00.00.mp4       another camera's: not this one's
    recordings/2026-02-30/00/Front_Door/00.00.mp4   no such day: not Frigate's folder
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from console.core.audit.trail import AuditLog
from console.core.evidence.export import export_recording
from console.core.evidence.keys import create_export_key
from console.core.evidence.request import ExportRequest
from console.core.privacy.masking import NEVER_LIFTED, CameraMasker
from console.core.privacy.masks import rasterize
from console.core.site.config import load_site
from console.core.site.model import Camera
from console.core.video.playback_cursor import PlaybackCursor, Shown
from console.core.video.segment_files import index_camera
from tests.support.recorded_video import decode_all, read_number, write_segment

MIDNIGHT = datetime(2026, 11, 28, tzinfo=UTC).timestamp()
SITE = """
[site]
name = "Frigate site"

[roles.operator]
permissions = ["live", "playback", "export"]

[[cameras]]
id = "front-door"
name = "Front door"
source = "rtsp://127.0.0.1:8554/front_door"
recordings = "frigate/recordings"
recordings_layout = "frigate"
frigate_camera = "Front_Door"

[[cameras.masks]]
id = "keypad"
kind = "permanent"
style = "solid"
color = "#102030"
rect = [0.1, 0.1, 0.4, 0.5]
"""
KEYPAD_BGR = (0x30, 0x20, 0x10)


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    root = tmp_path / "frigate" / "recordings"
    door = "Front_Door"
    write_segment(root / "2026-11-27" / "23" / door, "59.50", 100)
    write_segment(root / "2026-11-28" / "00" / door, "00.00", 50, first=100)
    cut = write_segment(root / "2026-11-28" / "00" / door, "00.20", 50, first=150)
    cut.write_bytes(cut.read_bytes()[: cut.stat().st_size // 2])
    write_segment(root / "2026-11-28" / "00" / door, "clip", 10)
    (root / "2026-11-28" / "00" / door / "notes.txt").write_text("not a segment")
    write_segment(root / "2026-11-28" / "00" / "Garage", "00.00", 10, first=500)
    write_segment(root / "2026-02-30" / "00" / door, "00.00", 10, first=900)
    (root / "clips").mkdir()
    (tmp_path / "site.toml").write_text(SITE)
    return tmp_path / "site.toml"


def camera_of(site_file: Path) -> Camera:
    return load_site(site_file).camera("front-door")


def test_the_tree_is_indexed_in_utc_across_the_day_boundary(site_file: Path) -> None:
    index = index_camera(camera_of(site_file))
    assert index.problem is None
    assert [(s.path.name, s.start - MIDNIGHT, s.frames) for s in index.segments] == [
        ("59.50.mp4", -10.0, 100),
        ("00.00.mp4", 0.0, 50),
    ]
    assert [(span.start - MIDNIGHT, span.end - MIDNIGHT) for span in index.spans()] == [
        (-10.0, 5.0)
    ]
    bad = {entry.path.name: entry for entry in index.bad}
    assert set(bad) == {"00.20.mp4", "clip.mp4"}, "other cameras and non-Frigate folders ignored"
    assert bad["00.20.mp4"].start == MIDNIGHT + 20
    assert "not MM.SS.mp4" in bad["clip.mp4"].message
    assert index.gap_message(MIDNIGHT + 20).startswith("00.20.mp4: ")


def test_the_camera_folder_defaults_to_the_id(site_file: Path) -> None:
    text = site_file.read_text().replace('frigate_camera = "Front_Door"\n', "")
    site_file.write_text(text.replace('id = "front-door"', 'id = "garage"'))
    root = site_file.parent / "frigate" / "recordings"
    (root / "2026-11-28" / "00" / "Garage").rename(root / "2026-11-28" / "00" / "garage")
    index = index_camera(load_site(site_file).camera("garage"))
    assert [(s.start - MIDNIGHT, s.frames) for s in index.segments] == [(0.0, 10)]


def test_an_unreadable_root_is_the_index_problem(tmp_path: Path) -> None:
    camera = Camera(
        "cam", "Cam", "pattern:bars", recordings=tmp_path / "absent", recordings_layout="frigate"
    )
    index = index_camera(camera)
    assert index.segments == ()
    assert index.problem is not None and str(tmp_path / "absent") in index.problem


def test_playback_plays_the_frigate_tree_masked(site_file: Path) -> None:
    camera = camera_of(site_file)
    cursor = PlaybackCursor(
        index_camera(camera), CameraMasker(camera.id, camera.masks, NEVER_LIFTED)
    )
    try:
        before = cursor.seek(MIDNIGHT - 0.05)
        after = cursor.step(1)
        later = cursor.seek(MIDNIGHT + 2.0)
    finally:
        cursor.close()
    numbers = []
    for shown in (before, after, later):
        assert isinstance(shown, Shown)
        numbers.append(read_number(shown.frame.pixels))
        keypad = rasterize(camera.masks[0].geometry, shown.frame.width, shown.frame.height)
        assert np.all(shown.frame.pixels[keypad] == KEYPAD_BGR)
    assert numbers == [99, 100, 120]


def test_export_of_a_frigate_range_holds_every_frame_in_order_masked(
    site_file: Path, tmp_path: Path
) -> None:
    site = load_site(site_file)
    data = tmp_path / "data"
    key = create_export_key(data / "export-key.pem")
    request = ExportRequest(
        site,
        "front-door",
        MIDNIGHT - 10,
        MIDNIGHT + 30,
        tmp_path / "front-door.mp4",
        "mp4",
        "alice",
    )
    result = export_recording(request, AuditLog(data / "audit.db"), key)
    assert result.frames == 150
    frames = decode_all(result.output)
    assert [read_number(frame) for frame in frames] == list(range(150))
    keypad = rasterize(site.camera("front-door").masks[0].geometry, *frames[0].shape[1::-1])
    for frame in frames:
        assert np.abs(frame[keypad].astype(int) - KEYPAD_BGR).max() <= 24, "burned-in mask"

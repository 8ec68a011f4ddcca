"""Recordings as tile sources: cheap to ask what is on, masked when drawn, gaps explained."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import RectGeometry, rasterize
from console.core.site.config import load_site
from console.core.site.model import Camera
from console.core.video.playback_cursor import PlaybackCursor
from console.core.video.playback_source import PlaybackSource
from console.core.video.recording_index import NO_RECORDING
from console.core.video.segment_files import index_recordings
from tests.conftest import DEMO_SITE

KEYPAD = RectGeometry(0.84, 0.27, 0.92, 0.53)
"""Well inside the lobby's solid keypad mask (console/demo/README.md)."""
KEYPAD_BGR = (0x5F, 0x3A, 0x1E)


def at(minute: int, second: float) -> float:
    return datetime(2026, 11, 27, 10, minute, 0, tzinfo=UTC).timestamp() + second


class Gate:
    """A lift gate a test can open and close."""

    def __init__(self) -> None:
        self.open = False

    def lifted(self) -> bool:
        return self.open


def source_for(camera: Camera, gate: Gate | None = None) -> PlaybackSource:
    masker = CameraMasker(camera.id, camera.masks, gate or Gate())
    cursor = PlaybackCursor(index_recordings(camera.id, camera.recordings), masker)
    return PlaybackSource(camera.name, cursor)


def lobby() -> Camera:
    return load_site(DEMO_SITE).camera("lobby")


def test_starts_at_the_first_recording_and_shows_masked_frames() -> None:
    source = source_for(lobby())
    assert source.moment == at(0, 0)
    assert source.status.state == "live"
    frame = source.preview(320, 180)
    assert frame is not None
    assert (frame.width, frame.height) == (320, 180)
    assert (np.asarray(frame.pixels)[rasterize(KEYPAD, 320, 180)] == KEYPAD_BGR).all()
    source.close()


def test_version_follows_the_frame_on_screen_not_the_exact_time() -> None:
    source = source_for(lobby())
    first = source.version
    source.show(at(0, 0.05))  # same frame at 10 fps
    assert source.version == first
    source.show(at(0, 0.1))
    assert source.version != first
    assert source.frame_time() == at(0, 0.1)


def test_gap_has_no_picture_and_says_why() -> None:
    source = source_for(lobby())
    source.show(at(0, 7))
    assert source.preview(160, 90) is None
    assert source.status.state == "lost"
    assert source.status.message == NO_RECORDING
    assert source.frame_time() is None


def test_step_crosses_gaps_both_ways() -> None:
    source = source_for(lobby())
    source.show(at(0, 4.9))
    assert source.step(1) == at(0, 10)
    assert source.step(-1) == at(0, 4.9)
    source.show(at(0, 7))
    assert source.step(-1) == at(0, 4.9)
    source.close()


def test_lift_changes_the_version_and_the_picture() -> None:
    gate = Gate()
    street = load_site(DEMO_SITE).camera("street")
    source = source_for(street, gate)
    before = source.version
    masked = source.preview(160, 90)
    gate.open = True
    assert source.version != before
    lifted = source.preview(160, 90)
    assert masked is not None and lifted is not None
    assert not masked.lifted and lifted.lifted
    gate.open = False
    again = source.preview(160, 90)
    assert again is not None and not again.lifted


def test_damaged_segment_is_a_gap_naming_the_file(tmp_path: Path) -> None:
    camera = lobby()
    assert camera.recordings is not None
    folder = tmp_path / "lobby"
    shutil.copytree(camera.recordings, folder)
    (folder / "2026-11-27T10-00-10Z.mp4").write_bytes(b"not a video at all")
    damaged = Camera(camera.id, camera.name, camera.source, camera.masks, recordings=folder)
    source = source_for(damaged)
    source.show(at(0, 12))
    assert source.preview(160, 90) is None
    assert source.status.state == "lost"
    assert "2026-11-27T10-00-10Z.mp4" in source.status.message


def test_segment_vanishing_after_indexing_withholds_the_picture(tmp_path: Path) -> None:
    camera = lobby()
    assert camera.recordings is not None
    folder = tmp_path / "lobby"
    shutil.copytree(camera.recordings, folder)
    moved = Camera(camera.id, camera.name, camera.source, camera.masks, recordings=folder)
    source = source_for(moved)
    (folder / "2026-11-27T10-01-00Z.mp4").unlink()
    source.show(at(1, 2))
    before = source.version
    assert source.preview(160, 90) is None
    assert source.status.state == "error"
    assert "2026-11-27T10-01-00Z.mp4" in source.status.message
    assert source.version != before  # the tile learns it must show the status

"""Playback on the demo site's recordings, as `make demo` shows them."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import RectGeometry, rasterize
from console.core.site.config import load_site
from console.core.site.model import Site
from console.core.video.playback_cursor import Blank, PlaybackCursor, Shown, SyncedPlayback
from console.core.video.recording_index import NO_RECORDING, Span
from console.core.video.segment_files import index_recordings
from tests.conftest import DEMO_SITE


def at(minute: int, second: int) -> float:
    return datetime(2026, 11, 27, 10, minute, second, tzinfo=UTC).timestamp()


SPANS = {
    "lobby": ((0, 0, 0, 5), (0, 10, 0, 15), (1, 0, 1, 5)),
    "street": ((0, 0, 0, 10), (1, 0, 1, 5)),
    "gate": ((0, 0, 0, 5), (0, 10, 0, 15), (1, 0, 1, 5)),
    "garden": ((0, 10, 0, 15), (0, 30, 0, 35), (1, 0, 1, 5)),
}
"""From console/demo/README.md: (minute, second) from and to, 10:MM:SS UTC."""
SOLID_PROBES = {
    "lobby": (RectGeometry(0.84, 0.27, 0.92, 0.53), (0x5F, 0x3A, 0x1E)),
    "gate": (RectGeometry(0.75, 0.31, 0.89, 0.73), (0, 0, 0)),
}
"""Regions well inside solid masks over high-contrast secrets, and the mask's BGR colour."""


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site(DEMO_SITE)


@pytest.mark.parametrize("camera_id", sorted(SPANS))
def test_demo_recordings_index_as_documented(site: Site, camera_id: str) -> None:
    camera = site.camera(camera_id)
    index = index_recordings(camera.id, camera.recordings)
    assert index.bad == ()
    assert index.problem is None
    expected = tuple(Span(at(m0, s0), at(m1, s1)) for m0, s0, m1, s1 in SPANS[camera_id])
    assert index.spans() == expected
    assert {(s.width, s.height, s.fps) for s in index.segments} == {(640, 360, 10.0)}


@pytest.mark.parametrize("camera_id", sorted(SOLID_PROBES))
def test_demo_playback_frames_carry_the_solid_masks(site: Site, camera_id: str) -> None:
    camera = site.camera(camera_id)
    cursor = PlaybackCursor(
        index_recordings(camera.id, camera.recordings), CameraMasker(camera.id, camera.masks)
    )
    probe, colour = SOLID_PROBES[camera_id]
    inside = rasterize(probe, 640, 360)
    results = [cursor.seek(at(0, 0) + tick / 10) for tick in range(0, 150, 7)]
    results += [cursor.step() for _ in range(12)]
    shown = [r for r in results if isinstance(r, Shown)]
    assert len(shown) > 10
    for result in shown:
        assert (np.asarray(result.frame.pixels)[inside] == colour).all()
    cursor.close()


def test_demo_cameras_play_in_sync_with_gaps(site: Site) -> None:
    group = SyncedPlayback(
        {
            camera.id: PlaybackCursor(
                index_recordings(camera.id, camera.recordings),
                CameraMasker(camera.id, camera.masks),
                size=(160, 90),
            )
            for camera in site.cameras
            if camera.recordings is not None
        }
    )
    frames = group.seek(at(0, 7))
    assert isinstance(frames["street"], Shown)  # back-to-back segments: no gap at 10:00:05
    assert frames["lobby"] == Blank(at(0, 7), NO_RECORDING)
    assert frames["garden"] == Blank(at(0, 7), NO_RECORDING)
    assert group.next_start(at(0, 7)) == at(0, 10)
    later = group.seek(at(0, 12))
    assert all(isinstance(later[c], Shown) for c in ("lobby", "gate", "garden"))
    assert isinstance(later["street"], Blank)
    group.close()

"""The newest recorded frame the mask editor falls back to for a camera that is not live."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np

from console.core.privacy.masks import GridGeometry, Mask
from console.core.site.config import load_site
from console.core.site.model import Camera
from console.core.video.last_recorded import last_recorded
from console.core.video.segment_decoder import SegmentDecoder
from console.core.video.segment_files import index_camera
from tests.conftest import DEMO, DEMO_SITE


def lobby(recordings: Path | None) -> Camera:
    camera = load_site(DEMO_SITE).camera("lobby")
    return dataclasses.replace(camera, recordings=recordings, masks=())


def newest_frame(camera: Camera) -> tuple[np.ndarray, float]:
    segment = max(index_camera(camera).segments, key=lambda s: s.end)
    decoder = SegmentDecoder(segment)
    try:
        return decoder.read(segment.frames - 1), segment.frame_time(segment.frames - 1)
    finally:
        decoder.close()


def test_the_newest_frame_of_the_newest_segment_with_no_mask(tmp_path: Path) -> None:
    camera = lobby(DEMO / "recordings" / "lobby")
    pixels, moment = newest_frame(camera)
    found = last_recorded(camera)
    assert found is not None and found.recorded_at == moment
    assert np.array_equal(found.frame.pixels, pixels)
    keypad = Mask("keypad", "permanent", "solid", GridGeometry(16, frozenset({(0, 0)})))
    height, width = pixels.shape[:2]
    real = found.beneath((keypad,)).preview(width, height)
    assert real is not None and (real.pixels[: height // 16, : width // 16] == 0).all()
    assert np.array_equal(real.pixels[height // 2 :], pixels[height // 2 :])


def test_an_unreadable_newest_segment_falls_back_to_the_one_before(tmp_path: Path) -> None:
    folder = tmp_path / "lobby"
    shutil.copytree(DEMO / "recordings" / "lobby", folder)
    expected = newest_frame(lobby(folder))
    (folder / "2026-11-27T10-05-00Z.mp4").write_bytes(b"not a video at all")
    found = last_recorded(lobby(folder))
    assert found is not None and found.recorded_at == expected[1]
    assert np.array_equal(found.frame.pixels, expected[0])


def test_no_recordings_no_frame(tmp_path: Path) -> None:
    assert last_recorded(lobby(None)) is None
    assert last_recorded(lobby(tmp_path / "empty")) is None

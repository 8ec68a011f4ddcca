"""Decode every exported frame and check every mask is burned in, in every format."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from console.core.evidence.formats import ExportFormat
from console.core.evidence.policy import UnmaskedGrant
from console.core.privacy.masks import rasterize
from tests.export.conftest import DOOR, EXTRA, FRAMES, WINDOW, Scene
from tests.support.recorded_video import (
    HEIGHT,
    HIDDEN,
    STRIP,
    VISIBLE,
    WIDTH,
    decode_all,
    pattern_contrast,
    read_number,
)

Pixels = npt.NDArray[np.uint8]
CODEC_TOLERANCE = 40
"""Largest difference from a solid mask's colour a lossy codec may leave at a mask's edge
(ringing from the checkerboard next to it): far below the pattern's 255 contrast."""
DOOR_PIXELS = rasterize(DOOR.geometry, WIDTH, HEIGHT)
EXTRA_PIXELS = rasterize(EXTRA, WIDTH, HEIGHT)
WINDOW_PIXELS = rasterize(WINDOW.geometry, WIDTH, HEIGHT)
OPEN_PIXELS = ~(DOOR_PIXELS | EXTRA_PIXELS | WINDOW_PIXELS)
OPEN_PIXELS[-STRIP:] = False


def decoded(path: Path, export_format: ExportFormat) -> list[Pixels]:
    if export_format == "png":
        stills = sorted(path.glob("*.png"))
        return [np.asarray(cv2.imread(str(still)), np.uint8) for still in stills]
    return decode_all(path)


@pytest.mark.parametrize("export_format", ["png", "mp4", "avi"])
def test_every_frame_has_every_mask_burned_in(scene: Scene, export_format: ExportFormat) -> None:
    name = "stills" if export_format == "png" else f"case.{export_format}"
    result = scene.export(scene.request(name, export_format))

    frames = decoded(result.output, export_format)
    assert [read_number(frame) for frame in frames] == list(range(FRAMES))
    for frame in frames:
        for where, colour in ((DOOR_PIXELS, DOOR.color), (EXTRA_PIXELS, (0, 0, 0))):
            difference = np.abs(frame[where].astype(int) - colour)
            if export_format == "png":
                assert difference.max() == 0
            else:
                assert difference.max() <= CODEC_TOLERANCE
                assert abs(pattern_contrast(frame, where)) < HIDDEN  # no trace of the secret
        assert abs(pattern_contrast(frame, WINDOW_PIXELS)) < HIDDEN  # blur destroyed it
        assert pattern_contrast(frame, OPEN_PIXELS) > VISIBLE  # unmasked parts show it


@pytest.mark.parametrize("export_format", ["png", "mp4"])
def test_liftable_masks_stay_burned_in_while_lifted_without_a_grant(
    scene: Scene, export_format: ExportFormat
) -> None:
    name = "stills" if export_format == "png" else "case.mp4"
    result = scene.export(scene.request(name, export_format))
    for frame in decoded(result.output, export_format):
        assert abs(pattern_contrast(frame, WINDOW_PIXELS)) < HIDDEN
    assert result.manifest["lifted_frames"] == 0


class Switch:
    """A lift gate a test flips by hand."""

    def __init__(self, on: bool) -> None:
        self.on = on

    def lifted(self) -> bool:
        return self.on


def test_a_grant_leaves_liftable_masks_off_but_never_permanent_or_extra(scene: Scene) -> None:
    grant = UnmaskedGrant(Switch(True), "bob")
    result = scene.export(scene.request("stills", "png", unmasked=grant))

    for frame in decoded(result.output, "png"):
        assert pattern_contrast(frame, WINDOW_PIXELS) > VISIBLE
        assert (frame[DOOR_PIXELS] == DOOR.color).all()
        assert (frame[EXTRA_PIXELS] == 0).all()
    assert result.manifest["lifted_frames"] == FRAMES
    assert result.manifest["authorizer"] == "bob"


def test_masks_return_mid_export_the_moment_the_lift_ends(scene: Scene) -> None:
    gate = Switch(True)

    def end_lift_after_ten(progress: object) -> None:
        if getattr(progress, "done", 0) == 10:
            gate.on = False

    request = scene.request("stills", "png", unmasked=UnmaskedGrant(gate, "bob"))
    result = scene.export(request, progress=end_lift_after_ten)

    frames = decoded(result.output, "png")
    visible = [pattern_contrast(frame, WINDOW_PIXELS) > VISIBLE for frame in frames]
    assert visible == [True] * 10 + [False] * (FRAMES - 10)
    assert result.manifest["lifted_frames"] == 10


def test_segments_of_another_size_are_scaled_with_masks_exact(scene: Scene) -> None:
    from tests.support.recorded_video import write_segment

    write_segment(scene.recordings, "2026-11-27T10-01-01Z", 5, first=60, size=(80, 60))
    result = scene.export(scene.request("stills", "png"))

    frames = decoded(result.output, "png")
    assert len(frames) == FRAMES + 5
    assert {frame.shape for frame in frames} == {(HEIGHT, WIDTH, 3)}
    for frame in frames[-5:]:
        assert (frame[DOOR_PIXELS] == DOOR.color).all()
        assert (frame[EXTRA_PIXELS] == 0).all()

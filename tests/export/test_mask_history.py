"""Masks versioned in time: old footage keeps the masks it had and gets today's too."""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from console.core.evidence.errors import ExportRefused
from console.core.evidence.policy import UnmaskedGrant
from console.core.privacy.masking import NEVER_LIFTED, CameraMasker
from console.core.privacy.masks import Mask
from console.core.privacy.timeline import MaskTimeline
from console.core.storage.mask_history import MaskHistory
from console.core.video.playback_cursor import Blank, PlaybackCursor, Shown
from console.core.video.segment_files import index_recordings
from tests.export.conftest import DOOR, FRAMES, T0, WINDOW, Scene
from tests.export.test_export_masks import (
    DOOR_PIXELS,
    WINDOW_PIXELS,
    Switch,
    decoded,
)
from tests.support.recorded_video import HIDDEN, pattern_contrast

BEFORE = T0 - 3600
"""When the first mask set took effect: before any recording."""
AFTER = T0 + 3600
"""When the site's masks changed: after every recording."""


def _with_masks(scene: Scene, masks: tuple[Mask, ...]) -> Scene:
    """The scene with the camera's masks of *now* replaced."""
    camera = dataclasses.replace(scene.site.cameras[0], masks=masks)
    return dataclasses.replace(scene, site=dataclasses.replace(scene.site, cameras=(camera,)))


def _history(tmp_path: Path, *sets: tuple[float, tuple[Mask, ...]]) -> MaskTimeline:
    history = MaskHistory(tmp_path / "data" / "masks.db")
    for effective_at, masks in sets:
        history.record_masks("cam", masks, "alice", effective_at)
    return history.timeline("cam")


def test_a_removed_mask_stays_burned_into_footage_recorded_under_it(
    scene: Scene, tmp_path: Path
) -> None:
    timeline = _history(tmp_path, (BEFORE, (DOOR, WINDOW)), (AFTER, (WINDOW,)))
    now = _with_masks(scene, (WINDOW,))

    kept = now.export(now.request("kept", "png", extra=(), timeline=timeline))
    without_history = now.export(now.request("bare", "png", extra=()))

    assert len(decoded(kept.output, "png")) == FRAMES
    for frame in decoded(kept.output, "png"):
        assert (frame[DOOR_PIXELS] == DOOR.color).all()
    # The control: with today's masks only, the door would be open in the old footage.
    assert all(
        not (frame[DOOR_PIXELS] == DOOR.color).all()
        for frame in decoded(without_history.output, "png")
    )
    versions = kept.manifest["mask_versions"]
    assert isinstance(versions, list)
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["changed_by"] == "alice"
    assert [m["id"] for m in versions[0]["masks"]] == ["door", "window"]


def test_a_new_mask_covers_footage_recorded_before_it(scene: Scene, tmp_path: Path) -> None:
    timeline = _history(tmp_path, (BEFORE, (WINDOW,)), (AFTER, (DOOR, WINDOW)))

    result = scene.export(scene.request("stills", "png", extra=(), timeline=timeline))

    for frame in decoded(result.output, "png"):
        assert (frame[DOOR_PIXELS] == DOOR.color).all()


def test_footage_before_the_first_set_gets_the_first_set(scene: Scene, tmp_path: Path) -> None:
    timeline = _history(tmp_path, (AFTER, (DOOR, WINDOW)), (AFTER + 60, (WINDOW,)))
    now = _with_masks(scene, (WINDOW,))

    result = now.export(now.request("stills", "png", extra=(), timeline=timeline))

    for frame in decoded(result.output, "png"):
        assert (frame[DOOR_PIXELS] == DOOR.color).all()


def test_a_liftable_mask_made_permanent_stays_on_old_footage_during_a_lift(
    scene: Scene, tmp_path: Path
) -> None:
    permanent = dataclasses.replace(WINDOW, kind="permanent")
    timeline = _history(tmp_path, (BEFORE, (DOOR, WINDOW)), (AFTER, (DOOR, permanent)))
    now = _with_masks(scene, (DOOR, permanent))
    grant = UnmaskedGrant(Switch(True), "bob")

    result = now.export(now.request("stills", "png", extra=(), unmasked=grant, timeline=timeline))

    for frame in decoded(result.output, "png"):
        assert pattern_contrast(frame, WINDOW_PIXELS) < HIDDEN


def test_a_permanent_mask_made_liftable_stays_permanent_on_footage_recorded_under_it(
    scene: Scene, tmp_path: Path
) -> None:
    permanent = dataclasses.replace(WINDOW, kind="permanent")
    timeline = _history(tmp_path, (BEFORE, (DOOR, permanent)), (AFTER, (DOOR, WINDOW)))
    grant = UnmaskedGrant(Switch(True), "bob")

    result = scene.export(
        scene.request("stills", "png", extra=(), unmasked=grant, timeline=timeline)
    )

    for frame in decoded(result.output, "png"):
        assert pattern_contrast(frame, WINDOW_PIXELS) < HIDDEN


def test_an_unreadable_history_refuses_the_export(scene: Scene, tmp_path: Path) -> None:
    broken = tmp_path / "data" / "masks.db"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b"this is not a database" * 100)
    timeline = MaskHistory(broken).timeline("cam")

    with pytest.raises(ExportRefused, match="mask history unreadable"):
        scene.export(scene.request("stills", "png", timeline=timeline))
    assert scene.leftovers() == []


def test_the_history_records_only_changes_and_is_private(tmp_path: Path) -> None:
    history = MaskHistory(tmp_path / "masks.db")

    assert history.record_masks("cam", (DOOR, WINDOW), "site file ab", BEFORE) == 1
    assert history.record_masks("cam", (DOOR, WINDOW), "site file cd", AFTER) is None
    assert history.record_masks("cam", (WINDOW,), "alice", AFTER) == 2

    versions = history.timeline("cam").versions
    assert [(v.version, v.changed_by, v.masks) for v in versions] == [
        (1, "site file ab", (DOOR, WINDOW)),
        (2, "alice", (WINDOW,)),
    ]
    assert stat.S_IMODE(os.stat(tmp_path / "masks.db").st_mode) == 0o600


def test_playback_of_old_footage_keeps_a_removed_mask(scene: Scene, tmp_path: Path) -> None:
    timeline = _history(tmp_path, (BEFORE, (DOOR, WINDOW)), (AFTER, (WINDOW,)))
    masker = CameraMasker("cam", (WINDOW,), NEVER_LIFTED, timeline)
    cursor = PlaybackCursor(index_recordings("cam", scene.recordings), masker)

    shown = cursor.seek(T0 + 1)

    assert isinstance(shown, Shown)
    assert (shown.frame.pixels[DOOR_PIXELS] == DOOR.color).all()
    cursor.close()


def test_playback_withholds_the_picture_when_the_history_is_unreadable(
    scene: Scene, tmp_path: Path
) -> None:
    broken = MaskTimeline("cam", failure="mask history unreadable: disk I/O error")
    masker = CameraMasker("cam", (DOOR, WINDOW), NEVER_LIFTED, broken)
    cursor = PlaybackCursor(index_recordings("cam", scene.recordings), masker)

    shown = cursor.seek(T0 + 1)

    assert isinstance(shown, Blank)
    assert "mask history unreadable" in shown.message
    assert masker.full(np.zeros((8, 8, 3), np.uint8)).width == 8  # live frames unaffected
    cursor.close()

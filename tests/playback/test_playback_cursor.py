"""The playback cursor: seek, step, next/previous recording, gaps, and always masked."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.privacy.masks import Mask, RectGeometry, rasterize
from console.core.video.playback_cursor import Blank, PlaybackCursor, Shown, SyncedPlayback
from console.core.video.recording_index import NO_RECORDING
from console.core.video.segment_files import index_recordings
from tests.support.recorded_video import (
    HIDDEN,
    STRIP,
    VISIBLE,
    pattern_contrast,
    read_number,
    write_segment,
)

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC).timestamp()
DOOR = Mask("door", "permanent", "solid", RectGeometry(0.1, 0.1, 0.4, 0.5), color=(40, 200, 120))
WINDOW = Mask("window", "liftable", "blur", RectGeometry(0.5, 0.1, 0.9, 0.6))


class Switch:
    """A lift gate a test flips by hand."""

    def __init__(self) -> None:
        self.on = False

    def lifted(self) -> bool:
        return self.on


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Frames 0-29 at 10:00:00, 30-49 at 10:00:03 (contiguous), 50-59 at 10:01:00,
    and a broken file at 10:02:00; 10 fps throughout."""
    write_segment(tmp_path, "2026-11-27T10-00-00Z", 30)
    write_segment(tmp_path, "2026-11-27T10-00-03Z", 20, first=30)
    write_segment(tmp_path, "2026-11-27T10-01-00Z", 10, first=50)
    (tmp_path / "2026-11-27T10-02-00Z.mp4").write_bytes(b"\0" * 4096)
    return tmp_path


@pytest.fixture
def gate() -> Switch:
    return Switch()


@pytest.fixture
def cursor(folder: Path, gate: Switch) -> PlaybackCursor:
    return PlaybackCursor(
        index_recordings("cam", folder), CameraMasker("cam", (DOOR, WINDOW), gate)
    )


def number(result: object) -> int:
    assert isinstance(result, Shown), result
    return read_number(np.asarray(result.frame.pixels))


def test_seek_shows_the_frame_on_screen_at_that_time(cursor: PlaybackCursor) -> None:
    assert number(cursor.seek(T0)) == 0
    assert number(cursor.seek(T0 + 2.55)) == 25
    assert number(cursor.seek(T0 + 2.0)) == 20
    assert number(cursor.seek(T0 + 3.0)) == 30  # first frame of the second file
    assert number(cursor.seek(T0 + 1.0)) == 10  # backwards: a real seek
    shown = cursor.seek(T0 + 60.95)
    assert number(shown) == 59
    assert isinstance(shown, Shown)
    assert shown.time == pytest.approx(T0 + 60.9)
    assert shown.segment.path.name == "2026-11-27T10-01-00Z.mp4"


def test_playing_forward_reads_every_frame_in_order(cursor: PlaybackCursor) -> None:
    seen = [number(cursor.seek(T0 + tick / 10 + 0.01)) for tick in range(50)]
    assert seen == list(range(50))


def test_a_gap_is_a_blank_with_its_reason(cursor: PlaybackCursor) -> None:
    result = cursor.seek(T0 + 30)
    assert result == Blank(T0 + 30, NO_RECORDING)
    broken = cursor.seek(T0 + 125)
    assert isinstance(broken, Blank)
    assert broken.message.startswith("2026-11-27T10-02-00Z.mp4: cannot be opened as video")


def test_step_moves_one_frame_and_crosses_segments_and_gaps(cursor: PlaybackCursor) -> None:
    cursor.seek(T0 + 2.8)
    assert [number(cursor.step()) for _ in range(3)] == [29, 30, 31]
    assert number(cursor.step(-1)) == 30
    assert number(cursor.step(-1)) == 29
    assert number(cursor.step(5)) == 34
    cursor.seek(T0 + 4.9)
    assert number(cursor.current()) == 49
    assert number(cursor.step()) == 50  # over the gap to the next recording
    assert number(cursor.step(-1)) == 49
    cursor.seek(T0)
    assert number(cursor.step(-1)) == 0  # nothing before the first frame
    cursor.seek(T0 + 60.9)
    assert number(cursor.step()) == 59  # nor after the last


def test_step_from_inside_a_gap_lands_on_the_nearest_frame(cursor: PlaybackCursor) -> None:
    cursor.seek(T0 + 30)
    assert number(cursor.step()) == 50
    cursor.seek(T0 + 30)
    assert number(cursor.step(-1)) == 49


def test_next_and_previous_recording(cursor: PlaybackCursor) -> None:
    cursor.seek(T0 + 1)
    assert number(cursor.next_recording()) == 50
    assert number(cursor.next_recording()) == 50  # none after: stays
    assert number(cursor.previous_recording()) == 0
    cursor.seek(T0 + 60.8)
    assert number(cursor.previous_recording()) == 50  # inside: back to its start
    assert number(cursor.previous_recording()) == 0  # at the start: the one before
    cursor.seek(T0 + 30)
    assert number(cursor.previous_recording()) == 0
    cursor.seek(T0 + 30)
    assert number(cursor.next_recording()) == 50


def test_every_frame_comes_out_masked(cursor: PlaybackCursor) -> None:
    for moment in (T0, T0 + 3.5, T0 + 60.1):
        shown = cursor.seek(moment)
        assert isinstance(shown, Shown)
        pixels = np.asarray(shown.frame.pixels)
        assert isinstance(shown.frame, MaskedFrame)
        door = rasterize(DOOR.geometry, 160, 120)
        assert (pixels[door] == DOOR.color).all()
        window = rasterize(WINDOW.geometry, 160, 120)
        assert abs(pattern_contrast(pixels, window)) < HIDDEN
        rest = ~(door | window)
        rest[-STRIP:] = False
        assert pattern_contrast(pixels, rest) > VISIBLE  # the rest is the picture


def test_a_lift_ending_remasks_the_paused_picture(cursor: PlaybackCursor, gate: Switch) -> None:
    window = rasterize(WINDOW.geometry, 160, 120)
    gate.on = True
    lifted = cursor.seek(T0 + 1)
    assert isinstance(lifted, Shown)
    assert lifted.frame.lifted
    assert pattern_contrast(np.asarray(lifted.frame.pixels), window) > VISIBLE  # lifted
    gate.on = False
    again = cursor.current()
    assert isinstance(again, Shown)
    assert not again.frame.lifted
    assert abs(pattern_contrast(np.asarray(again.frame.pixels), window)) < HIDDEN
    assert number(again) == number(lifted)


def test_preview_size_masks_at_tile_resolution(cursor: PlaybackCursor) -> None:
    cursor.size = (80, 60)
    shown = cursor.seek(T0 + 1)
    assert isinstance(shown, Shown)
    assert (shown.frame.width, shown.frame.height) == (80, 60)
    door = rasterize(DOOR.geometry, 80, 60)
    assert (np.asarray(shown.frame.pixels)[door] == DOOR.color).all()


def test_a_segment_deleted_after_indexing_is_a_blank_not_a_crash(
    cursor: PlaybackCursor, folder: Path
) -> None:
    (folder / "2026-11-27T10-01-00Z.mp4").unlink()
    result = cursor.seek(T0 + 60.5)
    assert isinstance(result, Blank)
    assert "2026-11-27T10-01-00Z.mp4" in result.message
    assert "cannot be opened any more" in result.message
    assert number(cursor.seek(T0 + 1)) == 10  # the rest still plays


def test_a_segment_damaged_after_indexing_is_a_blank_not_a_crash(
    cursor: PlaybackCursor, folder: Path
) -> None:
    path = folder / "2026-11-27T10-00-03Z.mp4"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])
    result = cursor.seek(T0 + 4)
    assert isinstance(result, Blank)
    assert path.name in result.message
    assert number(cursor.seek(T0 + 0.5)) == 5


def test_a_masking_failure_withholds_the_picture(
    cursor: PlaybackCursor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(image: object, lifted: bool, source: object) -> object:
        raise ValueError("raster cache corrupted")

    monkeypatch.setattr(cursor.masker, "_apply", fail)
    result = cursor.seek(T0 + 1)
    assert isinstance(result, Blank)
    assert result.message.startswith("masks could not be applied, picture withheld")
    assert "raster cache corrupted" in result.message


def test_synced_playback_gives_each_camera_its_frame_or_gap(
    tmp_path: Path, cursor: PlaybackCursor
) -> None:
    other = tmp_path / "other"
    write_segment(other, "2026-11-27T10-00-02Z", 10, first=500)
    second = PlaybackCursor(index_recordings("b", other), CameraMasker("b", ()))
    group = SyncedPlayback({"a": cursor, "b": second})

    at_one = group.seek(T0 + 1)
    assert number(at_one["a"]) == 10
    assert at_one["b"] == Blank(T0 + 1, NO_RECORDING)
    at_two = group.seek(T0 + 2.5)
    assert (number(at_two["a"]), number(at_two["b"])) == (25, 505)
    assert group.next_start(T0 + 1) == T0 + 2
    assert group.next_start(T0 + 2) == T0 + 60
    assert group.previous_start(T0 + 2.6) == T0 + 2
    assert group.previous_start(T0 + 2.2) == T0
    group.close()

"""The recordings index: segment names, spans, real gaps, and broken files shown as gaps."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest

from console.core.timebase.moments import format_time
from console.core.video.recording_index import NO_RECORDING, Gap, Span
from console.core.video.segment_files import index_recordings, segment_start
from tests.support.recorded_video import write_segment

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2026-11-27T10-00-00Z.mp4", T0),
        ("2026-11-27T10:00:00Z.mp4", T0),
        ("2026-11-27T100000Z.avi", T0),
        ("2026-11-27T11-00-00+01-00.mp4", T0),
        ("2026-11-27T05-30-00-04:30.mkv", T0),
        ("2026-11-27T10-00-00.250Z.mp4", T0 + 0.25),
    ],
)
def test_segment_names_carry_their_start_time(name: str, expected: float) -> None:
    assert segment_start(name) == pytest.approx(expected)


@pytest.mark.parametrize(
    "name",
    ["2026-11-27T10-00-00.mp4", "camera-1.mp4", "2026-13-27T10-00-00Z.mp4", "2026-11-27.mp4"],
)
def test_names_without_a_zoned_start_time_are_refused(name: str) -> None:
    assert segment_start(name) is None


def test_contiguous_segments_form_one_span_and_a_pause_is_a_gap(tmp_path: Path) -> None:
    write_segment(tmp_path, "2026-11-27T10-00-00Z", 30)  # 10:00:00 - 10:00:03
    write_segment(tmp_path, "2026-11-27T10-00-03Z", 20)  # 10:00:03 - 10:00:05
    write_segment(tmp_path, "2026-11-27T10-01-00Z", 10)  # 10:01:00 - 10:01:01
    index = index_recordings("cam", tmp_path)

    assert [s.frames for s in index.segments] == [30, 20, 10]
    assert index.spans() == (Span(T0, T0 + 5), Span(T0 + 60, T0 + 61))
    assert index.timeline(T0 - 10, T0 + 70) == (
        Gap(T0 - 10, T0, NO_RECORDING),
        Span(T0, T0 + 5),
        Gap(T0 + 5, T0 + 60, NO_RECORDING),
        Span(T0 + 60, T0 + 61),
        Gap(T0 + 61, T0 + 70, NO_RECORDING),
    )
    assert index.timeline(T0 + 1, T0 + 2) == (Span(T0 + 1, T0 + 2),)
    assert index.frame_count(T0, T0 + 100) == 60
    assert index.frame_count(T0 + 2.95, T0 + 3.15) == 2  # last of one segment, first of next


def test_durations_come_from_the_container_not_the_next_name(tmp_path: Path) -> None:
    write_segment(tmp_path, "2026-11-27T10-00-00Z", 25, fps=5)
    (segment,) = index_recordings("cam", tmp_path).segments
    assert (segment.fps, segment.frames, segment.end) == (5.0, 25, T0 + 5)
    assert (segment.width, segment.height) == (160, 120)


def test_a_garbage_segment_is_a_gap_whose_message_names_the_file(tmp_path: Path) -> None:
    write_segment(tmp_path, "2026-11-27T10-00-00Z", 10)
    (tmp_path / "2026-11-27T10-00-01Z.mp4").write_bytes(b"not a video" * 500)
    write_segment(tmp_path, "2026-11-27T10-00-10Z", 10)
    index = index_recordings("cam", tmp_path)

    assert len(index.segments) == 2
    (bad,) = index.bad
    assert bad.path.name == "2026-11-27T10-00-01Z.mp4"
    assert "cannot be opened as video" in bad.message
    gap = index.timeline(T0, T0 + 11)[1]
    assert isinstance(gap, Gap)
    assert (gap.start, gap.end) == (T0 + 1, T0 + 10)
    assert gap.message.startswith("2026-11-27T10-00-01Z.mp4: cannot be opened as video")
    assert index.gap_message(T0 + 5) == gap.message


def test_a_truncated_segment_is_a_gap_not_a_crash(tmp_path: Path) -> None:
    whole = write_segment(tmp_path, "2026-11-27T10-00-00Z", 40)
    data = whole.read_bytes()
    whole.write_bytes(data[: len(data) // 2])
    write_segment(tmp_path, "2026-11-27T10-00-05Z", 10)
    index = index_recordings("cam", tmp_path)

    assert [s.path.name for s in index.segments] == ["2026-11-27T10-00-05Z.mp4"]
    assert index.bad[0].path == whole
    assert index.gap_message(T0 + 1).startswith(whole.name + ": ")


def test_empty_and_unreadable_segments_say_why(tmp_path: Path) -> None:
    (tmp_path / "2026-11-27T10-00-00Z.mp4").write_bytes(b"")
    dangling = tmp_path / "2026-11-27T10-00-05Z.mp4"
    dangling.symlink_to(tmp_path / "gone.mp4")
    index = index_recordings("cam", tmp_path)

    messages = {bad.path.name: bad.message for bad in index.bad}
    assert "cannot be opened as video" in messages["2026-11-27T10-00-00Z.mp4"]
    assert messages["2026-11-27T10-00-05Z.mp4"] == f"cannot be read: {os.strerror(2)}"
    assert index.segments == ()
    assert index.spans() == ()
    assert index.timeline(T0, T0 + 10) == (
        Gap(T0, T0 + 10, "; ".join(f"{n}: {m}" for n, m in messages.items())),
    )


def test_other_files_are_ignored_and_misnamed_videos_reported(tmp_path: Path) -> None:
    write_segment(tmp_path, "2026-11-27T10-00-00Z", 10)
    write_segment(tmp_path, "lobby-export", 10)
    (tmp_path / "notes.txt").write_text("not a segment")
    (tmp_path / ".2026-11-27T10-00-05Z.mp4.partial").write_bytes(b"")
    index = index_recordings("cam", tmp_path)

    assert len(index.segments) == 1
    (bad,) = index.bad
    assert (bad.path.name, bad.start) == ("lobby-export.mp4", None)
    assert "carries no start time" in bad.message


def test_a_missing_folder_or_none_configured_is_a_problem_not_an_error(tmp_path: Path) -> None:
    missing = index_recordings("cam", tmp_path / "nowhere")
    assert missing.segments == ()
    assert missing.problem is not None
    assert str(tmp_path / "nowhere") in missing.problem
    assert missing.gap_message(T0) == missing.problem

    unset = index_recordings("cam", None)
    assert unset.problem == "camera cam has no recordings folder configured"


def test_next_and_previous_start_move_between_recordings(tmp_path: Path) -> None:
    write_segment(tmp_path, "2026-11-27T10-00-00Z", 10)
    write_segment(tmp_path, "2026-11-27T10-00-30Z", 10)
    write_segment(tmp_path, "2026-11-27T10-01-00Z", 10)
    index = index_recordings("cam", tmp_path)

    assert index.next_start(T0) == T0 + 30
    assert index.next_start(T0 + 45) == T0 + 60
    assert index.next_start(T0 + 60) is None
    assert index.previous_start(T0 + 45) == T0 + 30
    assert index.previous_start(T0 + 30.2, slack=0.5) == T0
    assert index.previous_start(T0) is None


def test_times_print_in_utc_with_milliseconds() -> None:
    assert format_time(T0 + 0.04) == "2026-11-27T10:00:00.040Z"

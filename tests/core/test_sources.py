"""Frame sources: looping files, broken files, and status instead of exceptions."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.video.sources import FrameSource, SourceStatus, redact


def write_clip(path: Path, frames: int = 6, fps: float = 30.0) -> Path:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (64, 48))
    for index in range(frames):
        writer.write(np.full((48, 64, 3), index * 30, np.uint8))
    writer.release()
    return path


def eventually(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


@pytest.fixture
def started() -> Callable[[FrameSource], FrameSource]:
    sources: list[FrameSource] = []

    def start(source: FrameSource) -> FrameSource:
        sources.append(source)
        source.start()
        return source

    yield start  # type: ignore[misc]
    for source in sources:
        source.stop()


def test_file_loops_at_end(tmp_path: Path, started: Callable[[FrameSource], FrameSource]) -> None:
    source = started(FrameSource(str(write_clip(tmp_path / "clip.mp4", frames=6))))
    assert eventually(lambda: (frame := source.latest()) is not None and frame.sequence > 15)
    assert source.status == SourceStatus("live", "")
    frame = source.latest()
    assert frame is not None
    assert frame.pixels.shape == (48, 64, 3)


def test_missing_file_is_an_error_status(
    tmp_path: Path, started: Callable[[FrameSource], FrameSource]
) -> None:
    source = started(FrameSource(str(tmp_path / "nope.mp4"), backoff=(0.05, 0.1)))
    assert eventually(lambda: source.status.state == "error")
    assert "video file not found" in source.status.message
    assert source.latest() is None


def test_corrupt_file_is_an_error_status(
    tmp_path: Path, started: Callable[[FrameSource], FrameSource]
) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40)
    source = started(FrameSource(str(junk), backoff=(0.05, 0.1)))
    assert eventually(lambda: source.status.state == "error")
    assert str(junk) in source.status.message
    assert source.latest() is None


def test_file_that_appears_later_goes_live(
    tmp_path: Path, started: Callable[[FrameSource], FrameSource]
) -> None:
    path = tmp_path / "late.mp4"
    source = started(FrameSource(str(path), backoff=(0.05, 0.1)))
    assert eventually(lambda: source.status.state == "error")
    write_clip(tmp_path / "staging.mp4").rename(path)
    assert eventually(lambda: source.status.state == "live")


def test_pattern_source_respects_fps_cap(started: Callable[[FrameSource], FrameSource]) -> None:
    source = started(FrameSource("pattern:bars", fps=20))
    assert eventually(lambda: source.latest() is not None)
    first = source.latest()
    assert first is not None
    time.sleep(0.5)
    later = source.latest()
    assert later is not None
    assert 3 <= later.sequence - first.sequence <= 15


def test_redaction_drops_credentials() -> None:
    url = "rtsp://admin:s3cret@127.0.0.1:554/stream1?token=abc"
    assert redact(url) == "rtsp://127.0.0.1:554/stream1"


def test_unexpected_failure_becomes_error_status(
    started: Callable[[FrameSource], FrameSource], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: FrameSource) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(FrameSource, "_open", broken)
    source = started(FrameSource("pattern:bars"))
    assert eventually(lambda: source.status.state == "error")
    assert "RuntimeError" in source.status.message

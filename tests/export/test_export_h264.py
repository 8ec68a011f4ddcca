"""MP4 exports are H.264 that browsers and stock players open, on the recording's clock.

Checked with ffprobe, as a recipient of the file would: codec, pixel format, frame count,
duration, every frame's timestamp against the recording, and the moov atom ahead of
the media data.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import av
import numpy as np
import pytest

from console.core.evidence.errors import ExportError
from console.core.evidence.h264 import H264Writer
from console.core.evidence.mjpeg import MjpegWriter
from console.core.evidence.stills import StillsWriter
from console.core.evidence.writers import Writer
from tests.export.conftest import FRAMES, T0, Scene
from tests.support.recorded_video import HEIGHT, WIDTH, read_number


def recorded_time(number: int) -> float:
    """When frame `number` of the scene was recorded (see tests/export/conftest.py)."""
    if number < 30:
        return T0 + number / 10
    if number < 50:
        return T0 + 3 + (number - 30) / 10
    return T0 + 60 + (number - 50) / 10


def ffprobe(path: Path, *entries: str) -> dict[str, object]:
    done = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_frames", *entries,
         "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return dict(json.loads(done.stdout))


def top_level_boxes(path: Path) -> list[str]:
    """The MP4 file's top-level box types, in file order."""
    boxes, data, offset = [], path.read_bytes(), 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        kind = data[offset + 4 : offset + 8].decode("latin-1")
        if size == 1:
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:
            size = len(data) - offset
        boxes.append(kind)
        offset += size
    return boxes


def test_mp4_is_h264_yuv420p_with_every_frame(scene: Scene) -> None:
    result = scene.export(scene.request("case.mp4", "mp4"))
    probed = ffprobe(
        result.output,
        "-show_entries",
        "stream=codec_name,profile,pix_fmt,width,height,nb_frames,nb_read_frames,duration",
    )
    (stream,) = probed["streams"]  # type: ignore[misc]
    assert (stream["codec_name"], stream["pix_fmt"]) == ("h264", "yuv420p")
    assert (stream["width"], stream["height"]) == (WIDTH, HEIGHT)
    assert int(stream["nb_frames"]) == int(stream["nb_read_frames"]) == FRAMES
    # 10:00:00.0 to 10:01:00.9, plus the last frame's tenth of a second
    assert float(stream["duration"]) == pytest.approx(61.0, abs=1e-3)


def test_frame_timestamps_are_the_recording_times(scene: Scene) -> None:
    result = scene.export(scene.request("case.mp4", "mp4"))
    probed = ffprobe(result.output, "-show_entries", "frame=pts_time")
    times = [float(frame["pts_time"]) for frame in probed["frames"]]  # type: ignore[attr-defined]
    expected = [recorded_time(number) - T0 for number in range(FRAMES)]
    assert times == pytest.approx(expected, abs=1e-4)
    with av.open(str(result.output)) as container:  # and each shows the frame recorded then
        shown = [
            (round(frame.time or 0.0, 3), read_number(frame.to_ndarray(format="bgr24")))
            for frame in container.decode(video=0)
        ]
    assert shown == [(round(recorded_time(n) - T0, 3), n) for n in range(FRAMES)]


def test_time_zero_is_the_first_exported_frame(scene: Scene) -> None:
    result = scene.export(scene.request("case.mp4", "mp4", start=T0 + 2.85))
    probed = ffprobe(result.output, "-show_entries", "frame=pts_time:format_tags=creation_time")
    times = [float(frame["pts_time"]) for frame in probed["frames"]]  # type: ignore[attr-defined]
    expected = [recorded_time(n) - recorded_time(29) for n in range(29, FRAMES)]
    assert times == pytest.approx(expected, abs=1e-4)
    assert result.manifest["first_frame"] == "2026-11-27T10:00:02.900Z"
    tags = probed["format"]["tags"]  # type: ignore[index]
    assert tags["creation_time"] == "2026-11-27T10:00:02.000000Z"  # MP4 keeps whole seconds


def test_the_moov_atom_comes_before_the_media_data(scene: Scene) -> None:
    result = scene.export(scene.request("case.mp4", "mp4"))
    boxes = top_level_boxes(result.output)
    assert boxes[0] == "ftyp"
    assert boxes.index("moov") < boxes.index("mdat")


def test_a_missing_h264_encoder_is_named_and_leaves_nothing(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("console.core.evidence.h264.ENCODER", "libveil-missing")
    with pytest.raises(ExportError, match="this PyAV has no libveil-missing encoder"):
        scene.export(scene.request("case.mp4", "mp4"))
    assert scene.leftovers() == []


@pytest.mark.parametrize("kind", ["mp4", "avi", "png"])
def test_each_writer_refuses_a_raw_frame(scene: Scene, kind: str) -> None:
    out = scene.out / ("stills" if kind == "png" else f"case.{kind}")
    size = (WIDTH, HEIGHT)
    writer: Writer
    if kind == "mp4":
        writer = H264Writer(out, 10.0, size)
    elif kind == "avi":
        writer = MjpegWriter(out, 10.0, size)
    else:
        writer = StillsWriter(out, size)
    try:
        with pytest.raises(TypeError, match="only MaskedFrame"):
            writer.write(np.zeros((HEIGHT, WIDTH, 3), np.uint8), T0)  # type: ignore[arg-type]
    finally:
        writer.discard()
    assert scene.leftovers() == []

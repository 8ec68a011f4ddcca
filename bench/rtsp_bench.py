"""Capture-to-tile latency of a camera over RTSP, against the same pictures from a file.

    python -m bench.rtsp_bench

One camera, one tile, in process: a `CameraFeed` with a mask, drawn by the console's
own `TileClient` (masking, half-block rendering, the strips the tile repaints) at the
console's text pace, for WINDOW seconds per side. What differs is only where frames come
from:

- over RTSP: the tests' GStreamer camera serves the bench's 100 demo frames live as
  H.264 at 10 fps over TCP, each frame carrying its capture time in its pixels
  (`tests.support.stamp`); latency runs from that capture to the tile's rows being ready,
  so the encoder, the network, FFmpeg's demuxer and decoder and Veil's source are in it;
- from the file: the same frames as a 10 fps clip; latency runs from the moment the
  source read the frame (a file has no earlier capture) to the tile's rows.

The score is the difference of the 95th percentiles: what a network camera costs on
top of the console's own path. The budget allows a frame and a half at 10 fps: FFmpeg's
H.264 parser holds each frame until the next one starts (one frame period, 100 ms, in
`python -m bench.decoders` as in the console), and the tile's pacing may add up to half
a period more. Writing to the terminal is the same for both and is measured by the
whole-app rows.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import cv2
from rich.style import Style

from bench.frames import demo_frames
from bench.soak import p95
from bench.table import Row
from console.core.privacy.masking import NEVER_LIFTED
from console.core.privacy.masks import Mask, RectGeometry
from console.core.render.tile import ColorDepth
from console.core.site.model import Camera
from console.core.video.feed import CameraFeed
from console.core.video.sources import FrameSource, Pixels
from console.ui.widgets.camera_tile import TEXT_FPS
from console.ui.widgets.pace import Pace
from console.ui.widgets.tile_pump import TileClient, TileGeometry, TileUpdate
from tests.support import stamp
from tests.support.rtsp_camera import RtspCamera, RtspServerError

WINDOW = 15.0
WARM_UP = 2.0
FPS = 10
TILE = TileGeometry(58, 15, (10, 20), Style())
"""One tile of a 4x4 wall on a 240x67 terminal."""
MASK = Mask("bench", "permanent", "solid", RectGeometry(0.5, 0.5, 0.8, 0.9), (0, 0, 0))
"""Away from the capture stamp in the top-left corner."""
BUDGET_MS = 150.0
OUT = Path(__file__).resolve().parent / "out"


class StampedSource(FrameSource):
    """Notes, for each frame it publishes, how old the camera's capture stamp already was."""

    def __init__(self, spec: str, ages: dict[float, float]) -> None:
        super().__init__(spec, transport="tcp")
        self.ages = ages

    def _publish(self, pixels: Pixels) -> None:
        age = stamp.age(pixels)
        super()._publish(pixels)
        frame = self.latest()
        if frame is not None:
            self.ages[frame.captured_at] = age


def tile_latencies(spec: str, stamped: bool) -> list[float]:
    """Seconds from capture to tile rows for every frame the tile drew in the window."""
    ages: dict[float, float] = {}

    def source(path: str) -> FrameSource:
        return StampedSource(path, ages) if stamped else FrameSource(path)

    camera = Camera("bench", "Bench", spec, masks=(MASK,))
    feed = CameraFeed(camera, NEVER_LIFTED, source_factory=source)
    latencies: list[float] = []
    measuring = threading.Event()

    def deliver(update: TileUpdate) -> bool:
        client.busy = False
        video = update.video
        if video is not None and measuring.is_set():
            before_source = ages.get(video.captured_at, 0.0) if stamped else 0.0
            latencies.append(before_source + time.monotonic() - video.captured_at)
        return True

    client = TileClient(feed, "halfblock", ColorDepth.TRUECOLOR, Pace(TEXT_FPS), deliver)
    client.geometry = TILE
    feed.start()
    try:
        start = time.monotonic()
        while time.monotonic() - start < WARM_UP + WINDOW:
            if time.monotonic() - start >= WARM_UP:
                measuring.set()
            if client.wants_frame(time.monotonic()):
                client.run()
            time.sleep(0.002)
    finally:
        feed.stop()
    return latencies


def write_clip(pictures: list[Path], path: Path) -> Path:
    first = cv2.imread(str(pictures[0]))
    height, width = first.shape[:2]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (width, height))
    for picture in pictures:
        writer.write(cv2.imread(str(picture)))
    writer.release()
    return path


def measure(pictures: list[Path], scratch: Path) -> dict[str, object]:
    clip = write_clip(pictures, scratch / "bench-10fps.mp4")
    from_file = tile_latencies(str(clip), stamped=False)
    with RtspCamera(pictures, fps=FPS, stamp=True) as camera:
        over_rtsp = tile_latencies(camera.url("h264"), stamped=True)
    if not from_file or not over_rtsp:
        raise RuntimeError(f"no frames drawn (file {len(from_file)}, RTSP {len(over_rtsp)})")
    return {
        "rtsp_p95_ms": 1000 * p95(over_rtsp),
        "rtsp_median_ms": 1000 * sorted(over_rtsp)[len(over_rtsp) // 2],
        "rtsp_frames": len(over_rtsp),
        "file_p95_ms": 1000 * p95(from_file),
        "file_median_ms": 1000 * sorted(from_file)[len(from_file) // 2],
        "file_frames": len(from_file),
        "window_s": WINDOW,
    }


def rows(pictures: list[Path], scratch: Path) -> list[Row]:
    name = "live tile: capture-to-tile p95, RTSP H.264 10 fps (TCP) vs the file source"
    try:
        figures = measure(pictures, scratch)
    except (RtspServerError, OSError, RuntimeError) as error:
        return [Row(name, "", "", None, f"<= +{BUDGET_MS:.0f} ms", None, note=str(error))]
    rtsp, file = float(str(figures["rtsp_p95_ms"])), float(str(figures["file_p95_ms"]))
    difference = rtsp - file
    note = (
        f"medians {float(str(figures['rtsp_median_ms'])):.0f} / "
        f"{float(str(figures['file_median_ms'])):.0f} ms; {figures['rtsp_frames']} / "
        f"{figures['file_frames']} frames drawn in {WINDOW:.0f} s"
    )
    return [
        Row(name, f"{rtsp:.0f} ms", f"{file:.0f} ms", difference, f"<= +{BUDGET_MS:.0f} ms",
            difference <= BUDGET_MS, note=note, details=figures),
    ]  # fmt: skip


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="veil-rtsp-bench-") as directory:
        print(json.dumps(measure(demo_frames(OUT / "frames"), Path(directory)), indent=1))
    sys.exit(0)

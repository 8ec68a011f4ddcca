"""Export throughput: Veil's masked export against ffmpeg doing the same masking.

Both sides read the same recorded clip and burn in the same masks (a solid block drawn
with `drawbox`, a blurred block with `boxblur` over the same rectangle). MP4 is H.264 on
both sides with the same libx264 settings (preset, CRF, yuv420p, faststart) and each
side's default thread count; MJPEG is matched on bit rate. Veil's time covers the whole
export as an operator runs it: indexing, masking, encoding, the frame-count check,
hashing, the signed manifest and the audit. Budget: no slower than ffmpeg.

`python -m bench.export_bench [mp4|avi]...` runs only the rows named.
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import cv2
import numpy as np

from console.core.audit.trail import AuditLog
from console.core.evidence.encoding import X264_CRF, X264_PRESET
from console.core.evidence.export import export_recording
from console.core.evidence.formats import ExportFormat
from console.core.evidence.keys import create_export_key
from console.core.evidence.request import ExportRequest
from console.core.privacy.masks import Mask, RectGeometry
from console.core.site.model import Camera, Role, Site
from console.core.video.segment_files import index_recordings, segment_start

BUDGET = 1.0
"""Veil's time / ffmpeg's time."""
WIDTH, HEIGHT, FPS, SECONDS = 1280, 720, 25, 12
STEM = "2026-11-27T10-00-00Z"
SOLID = RectGeometry(0.05, 0.10, 0.30, 0.60)
BLURRED = RectGeometry(0.55, 0.20, 0.95, 0.80)
REPEATS = 3
SELF, CHILDREN = resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN
FORMATS: dict[ExportFormat, str] = {
    "mp4": f"-c:v libx264 -preset {X264_PRESET} -crf {X264_CRF} -pix_fmt yuv420p "
    "-movflags +faststart",
    "avi": "-c:v mjpeg -b:v {bitrate}",
}
"""Each export format and the ffmpeg encoder settings that write the same stream;
`{bitrate}` is Veil's own output's bit rate."""
NAMES: dict[ExportFormat, str] = {"mp4": "mp4 (H.264)", "avi": "avi (MJPEG)"}


def _clip(folder: Path) -> Path:
    """A busy synthetic recording: a moving checkerboard with a gradient, hard to compress."""
    path = folder / f"{STEM}.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    ys, xs = np.indices((HEIGHT, WIDTH))
    for number in range(FPS * SECONDS):
        board = ((xs + 3 * number) // 16 + (ys + number) // 16) % 2 * 160
        frame = np.stack([board + xs * 90 // WIDTH, board + ys * 90 // HEIGHT, board], axis=2)
        writer.write(frame.astype(np.uint8))
    writer.release()
    return path


def _pixels(geometry: RectGeometry) -> tuple[int, int, int, int]:
    """x, y, w, h of the pixels the mask covers (outward rounding, as Veil rasterises)."""
    x0, y0 = int(geometry.x0 * WIDTH), int(geometry.y0 * HEIGHT)
    x1, y1 = -int(-geometry.x1 * WIDTH // 1), -int(-geometry.y1 * HEIGHT // 1)
    return x0, y0, x1 - x0, y1 - y0


def _ffmpeg_command(clip: Path, out: Path, codec: str) -> list[str]:
    sx, sy, sw, sh = _pixels(SOLID)
    bx, by, bw, bh = _pixels(BLURRED)
    radius = min(bw, bh) // 2 - 1
    graph = (
        f"[0:v]split[base][copy];[copy]crop={bw}:{bh}:{bx}:{by},"
        f"boxblur=luma_radius={radius}:luma_power=2:chroma_radius={radius // 2}[blur];"
        f"[base][blur]overlay={bx}:{by},drawbox=x={sx}:y={sy}:w={sw}:h={sh}:color=black:t=fill"
    )
    return [
        "ffmpeg", "-loglevel", "error", "-y", "-i", str(clip), "-filter_complex", graph,
        *codec.split(), str(out),
    ]  # fmt: skip


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _timed(run: Callable[[], object], who: int) -> tuple[float, float]:
    """Wall and CPU seconds of one run; CPU of `who` (this process or its children)."""
    wall, cpu = time.perf_counter(), _cpu(who)
    run()
    return time.perf_counter() - wall, _cpu(who) - cpu


def _row(
    name: str, ours: list[tuple[float, float]], reference: list[tuple[float, float]]
) -> dict[str, object]:
    """Best of the runs on each side: the ones least disturbed by the rest of the machine."""
    wall, theirs = min(t[0] for t in ours), min(t[0] for t in reference)
    ratio = wall / theirs
    return {
        "name": name,
        "ours": round(wall, 3),
        "reference": round(theirs, 3),
        "ratio": round(ratio, 3),
        "budget": BUDGET,
        "ok": ratio <= BUDGET,
        "ours_cpu": round(min(t[1] for t in ours), 3),
        "reference_cpu": round(min(t[1] for t in reference), 3),
    }


def run(formats: tuple[ExportFormat, ...] = ("mp4", "avi")) -> list[dict[str, object]]:
    """Rows for `make bench`: seconds per masked export of a 12 s 720p clip."""
    if shutil.which("ffmpeg") is None:
        return [
            {
                "name": "export vs ffmpeg",
                "ours": None,
                "reference": None,
                "ratio": None,
                "budget": BUDGET,
                "ok": False,
                "error": "ffmpeg is not installed (Debian: apt-get install ffmpeg)",
            }
        ]
    rows = []
    with tempfile.TemporaryDirectory(prefix="veil-export-bench-") as scratch:
        folder = Path(scratch)
        recordings = folder / "recordings"
        recordings.mkdir()
        clip = _clip(recordings)
        masks = (
            Mask("solid", "permanent", "solid", SOLID),
            Mask("blurred", "liftable", "blur", BLURRED),
        )
        camera = Camera("bench", "Bench", str(clip), masks=masks, recordings=recordings)
        site = Site(folder / "site.toml", "Bench", (camera,), {"op": Role("op", frozenset())})
        audit = AuditLog(folder / "audit.db")
        key = create_export_key(folder / "export-key.pem")
        index = index_recordings("bench", recordings)
        start = segment_start(clip.name) or 0.0
        end = index.segments[0].end
        for export_format in formats:
            ours, reference = [], []
            for attempt in range(REPEATS):  # interleaved, so load changes hit both sides
                out = folder / f"veil-{attempt}.{export_format}"
                request = ExportRequest(site, "bench", start, end, out, export_format, "bench")
                ours.append(_timed(partial(export_recording, request, audit, key), SELF))
                bitrate = int((folder / f"veil-0.{export_format}").stat().st_size * 8 / SECONDS)
                codec = FORMATS[export_format].format(bitrate=bitrate)
                command = _ffmpeg_command(clip, folder / f"ffmpeg.{export_format}", codec)
                reference.append(_timed(partial(subprocess.run, command, check=True), CHILDREN))
            name = f"masked export {NAMES[export_format]} 720p {SECONDS}s"
            rows.append(_row(name, ours, reference))
    return rows


if __name__ == "__main__":
    chosen = tuple(name for name in FORMATS if name in sys.argv[1:]) or tuple(FORMATS)
    for row in run(chosen):
        print(row)

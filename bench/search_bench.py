"""Smart search throughput: an hour of one camera searched, against ffmpeg decoding it.

The hour is 12 five-minute segments of 640x360 at 10 fps, H.264 (libx264, keyframe
every 5 s), a moving test pattern (FFmpeg's `testsrc2`) so that every sample has motion
to measure. It is made once with ffmpeg and kept in the system's temp folder, so later
runs start at once. Veil's time covers the whole search as `veil search` runs it:
indexing the folder, the process pool, decoding, masking (one permanent blurred mask
and one solid), measuring and merging hits. The reference is `ffmpeg -f concat -i LIST
-f null -`: decoding the same files and nothing else. Budget: 1.5x ffmpeg's time.

`python -m bench.search_bench` runs only this row.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from console.core.privacy.masks import Mask, RectGeometry
from console.core.search.run import SearchRequest, Target, search
from console.core.site.model import Camera

BUDGET = 1.5
SEGMENTS, MINUTES, FPS, SIZE = 12, 5, 10, "640x360"
T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC)
FIXTURE = Path(tempfile.gettempdir()) / "veil-bench-search-hour"
REPEATS = 2


def _hour() -> list[Path]:
    """The hour of recordings, made on first use (about a minute) and cached."""
    FIXTURE.mkdir(exist_ok=True)
    paths = []
    for number in range(SEGMENTS):
        start = T0.timestamp() + number * MINUTES * 60
        stem = datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H-%M-%SZ")
        path = FIXTURE / f"{stem}.mp4"
        if not path.exists():
            partial = FIXTURE / f".{stem}.partial.mp4"
            subprocess.run(
                ["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                 f"testsrc2=size={SIZE}:rate={FPS}", "-t", str(MINUTES * 60), "-c:v", "libx264",
                 "-preset", "veryfast", "-g", str(5 * FPS), "-pix_fmt", "yuv420p", str(partial)],
                check=True,
            )  # fmt: skip
            partial.rename(path)
        paths.append(path)
    return paths


def _ours() -> float:
    masks = (
        Mask("window", "permanent", "blur", RectGeometry(0.55, 0.1, 0.9, 0.5)),
        Mask("keypad", "permanent", "solid", RectGeometry(0.05, 0.6, 0.2, 0.9)),
    )
    camera = Camera("bench", "Bench", "pattern:bars", masks, recordings=FIXTURE)
    start = T0.timestamp()
    request = SearchRequest(
        (Target(camera),), start, start + 3600, RectGeometry(0.0, 0.0, 1.0, 1.0)
    )
    began = time.perf_counter()
    result = search(request)
    elapsed = time.perf_counter() - began
    assert result.frames == SEGMENTS * MINUTES * 60 * FPS, result.frames
    return elapsed


def _reference(paths: list[Path]) -> float:
    listing = FIXTURE / "concat.txt"
    listing.write_text("".join(f"file '{path}'\n" for path in paths))
    command = ["ffmpeg", "-loglevel", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
               "-f", "null", "-"]  # fmt: skip
    began = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - began


def run() -> list[dict[str, object]]:
    """The row for `make bench`: best of interleaved runs on each side."""
    name = "search 1 h, 640x360 10 fps vs ffmpeg decode"
    if shutil.which("ffmpeg") is None:
        return [{"name": name, "ours": None, "reference": None, "ratio": None,
                 "budget": BUDGET, "ok": False, "error": "ffmpeg is not installed"}]  # fmt: skip
    paths = _hour()
    ours, reference = [], []
    for _ in range(REPEATS):
        ours.append(_ours())
        reference.append(_reference(paths))
    wall, theirs = min(ours), min(reference)
    return [
        {
            "name": name,
            "ours": round(wall, 3),
            "reference": round(theirs, 3),
            "ratio": round(wall / theirs, 3),
            "budget": BUDGET,
            "ok": wall / theirs <= BUDGET,
        }
    ]


if __name__ == "__main__":
    for row in run():
        print(row)

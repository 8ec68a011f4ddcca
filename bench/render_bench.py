"""Tile rendering against chafa (text) and img2sixel (sixel), on the same 100 frames.

Veil runs as an operator would run it, `veil render --input-dir`, in its own process:
start-up, decoding, masking, rendering and writing are all in the time. The bench camera
has no masks, so both sides draw the same picture and the PSNR compares like with like.
Sides alternate and each keeps its best of REPEATS runs, so a burst of load on the
machine does not decide the result.
"""

from __future__ import annotations

import os
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

import cv2
import numpy as np

from bench.table import Row
from console.core.privacy.masking import CameraMasker
from console.core.render.ansi import tile_ansi
from console.core.render.factory import make_renderer
from console.core.render.modes import RenderMode
from console.core.render.sixel_decode import decode_sixel, find_sixels
from console.core.render.tile import ColorDepth

REPEATS = 3
TEXT_TIME, TEXT_BYTES = 0.5, 1.0
SIXEL_TIME, SIXEL_BYTES, SIXEL_PSNR = 0.5, 0.6, -2.0
TILE_MS = 5.0
SIXEL_SIZE = (800, 480)

SITE = """\
[site]
name = "Bench"

[roles.operator]
permissions = ["live"]

[[cameras]]
id = "bench"
name = "Bench"
source = "pattern:bars"
"""


class BenchError(Exception):
    """A side of a comparison failed to run; the message says which and why."""


def veil_command() -> list[str]:
    """How to start Veil: this interpreter, or $VEIL_BENCH_VEIL to measure another build."""
    override = os.environ.get("VEIL_BENCH_VEIL")
    return shlex.split(override) if override else [sys.executable, "-m", "console"]


def _timed(command: list[str], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run, its stdout going to `out`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with out.open("wb") as sink:
        done = subprocess.run(command, stdout=sink, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        raise BenchError(f"{shlex.join(command[:4])} ... failed: {' / '.join(message[-3:])}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _duel(
    ours: list[str], theirs: list[str], scratch: Path, name: str
) -> tuple[tuple[float, float], tuple[float, float], Path, Path]:
    """Best (wall, cpu) of each side over alternating runs, and their last outputs."""
    our_out, their_out = scratch / f"{name}-veil.out", scratch / f"{name}-reference.out"
    our_runs, their_runs = [], []
    for _ in range(REPEATS):
        our_runs.append(_timed(ours, our_out))
        their_runs.append(_timed(theirs, their_out))
    return min(our_runs), min(their_runs), our_out, their_out


def _seconds(run: tuple[float, float]) -> str:
    return f"{run[0]:.2f} s ({run[1]:.2f} s CPU)"


def _size(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.2f} MB"


def text_rows(site: Path, frames: Path, pictures: list[Path], scratch: Path) -> list[Row]:
    ours = [*veil_command(), "render", "--site", str(site), "--camera", "bench"]
    ours += ["--input-dir", str(frames), "--cols", "80", "--rows", "24"]
    ours += ["--mode", "halfblock", "--colors", "truecolor"]
    chafa = ["chafa", "-f", "symbols", "--symbols", "vhalf", "-c", "full", "-s", "80x24"]
    chafa += ["--animate", "off", *map(str, pictures)]
    our_run, their_run, our_out, their_out = _duel(ours, chafa, scratch, "text")
    our_frames = our_out.read_bytes().count(b"\x1b[H")
    if our_frames != len(pictures):
        raise BenchError(f"veil render wrote {our_frames} text frames for {len(pictures)} pictures")
    name = "text 80x24 half-block truecolor vs chafa"
    bytes_ratio = our_out.stat().st_size / their_out.stat().st_size
    details = {
        "frames": len(pictures),
        "cpu_ratio": our_run[1] / their_run[1],
        "veil_seconds": our_run[0],
        "veil_cpu_seconds": our_run[1],
        "chafa_seconds": their_run[0],
        "chafa_cpu_seconds": their_run[1],
        "veil_bytes": our_out.stat().st_size,
        "chafa_bytes": their_out.stat().st_size,
        "veil_rows_per_frame": our_out.read_bytes().split(b"\x1b[H")[1].count(b"\n") + 1,
        "chafa_rows_per_frame": their_out.read_bytes().count(b"\n") // len(pictures),
    }
    time_ratio = our_run[0] / their_run[0]
    return [
        Row(f"{name}: time", _seconds(our_run), _seconds(their_run), time_ratio,
            f"<= {TEXT_TIME}x", time_ratio <= TEXT_TIME, details=details),
        Row(f"{name}: bytes", _size(our_out), _size(their_out), bytes_ratio,
            f"<= {TEXT_BYTES}x", bytes_ratio <= TEXT_BYTES),
    ]  # fmt: skip


def _psnr(decoded: np.ndarray, reference: np.ndarray) -> float:
    error = np.mean((decoded.astype(np.float64) - reference.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(error, 1e-12)))


def _mean_psnr(output: Path, pictures: list[Path], who: str) -> float:
    images = find_sixels(output.read_bytes())
    if len(images) != len(pictures):
        raise BenchError(f"{who} wrote {len(images)} sixel images for {len(pictures)} pictures")
    scores = []
    for dcs, picture in zip(images, pictures, strict=True):
        decoded = decode_sixel(dcs)
        if decoded.pixels.shape[:2] != SIXEL_SIZE[::-1]:
            raise BenchError(f"{who} wrote a {decoded.pixels.shape[1::-1]} image, not {SIXEL_SIZE}")
        source = cv2.imread(str(picture))
        reference = cv2.resize(source, SIXEL_SIZE, interpolation=cv2.INTER_LINEAR)
        scores.append(_psnr(decoded.pixels, reference))
    return float(np.mean(scores))


def sixel_rows(site: Path, frames: Path, pictures: list[Path], scratch: Path) -> list[Row]:
    ours = [*veil_command(), "render", "--site", str(site), "--camera", "bench"]
    ours += ["--input-dir", str(frames), "--mode", "sixel", "--stretch"]
    ours += ["--cols", "80", "--rows", "24", "--cell-px", "10x20"]
    width, height = SIXEL_SIZE
    img2sixel = ["img2sixel", "-b", "xterm256", "-w", str(width), "-h", str(height)]
    img2sixel += map(str, pictures)
    our_run, their_run, our_out, their_out = _duel(ours, img2sixel, scratch, "sixel")
    our_psnr = _mean_psnr(our_out, pictures, "veil render")
    their_psnr = _mean_psnr(their_out, pictures, "img2sixel")
    name = f"sixel {width}x{height} vs img2sixel -b xterm256"
    time_ratio = our_run[0] / their_run[0]
    bytes_ratio = our_out.stat().st_size / their_out.stat().st_size
    details = {
        "frames": len(pictures),
        "cpu_ratio": our_run[1] / their_run[1],
        "veil_seconds": our_run[0],
        "veil_cpu_seconds": our_run[1],
        "img2sixel_seconds": their_run[0],
        "img2sixel_cpu_seconds": their_run[1],
        "veil_bytes": our_out.stat().st_size,
        "img2sixel_bytes": their_out.stat().st_size,
        "veil_psnr_db": our_psnr,
        "img2sixel_psnr_db": their_psnr,
        "psnr_reference": "source frame resized to 800x480 with bilinear interpolation",
    }
    delta = our_psnr - their_psnr
    return [
        Row(f"{name}: time", _seconds(our_run), _seconds(their_run), time_ratio,
            f"<= {SIXEL_TIME}x", time_ratio <= SIXEL_TIME, details=details),
        Row(f"{name}: bytes", _size(our_out), _size(their_out), bytes_ratio,
            f"<= {SIXEL_BYTES}x", bytes_ratio <= SIXEL_BYTES),
        Row(f"{name}: mean PSNR", f"{our_psnr:.2f} dB", f"{their_psnr:.2f} dB", delta,
            f">= {SIXEL_PSNR} dB", delta >= SIXEL_PSNR),
    ]  # fmt: skip


def tile_rows(pictures: list[Path]) -> list[Row]:
    """In-process cost per tile, the figure the wall's frame rate depends on."""
    masker = CameraMasker("bench", [])
    images = [cv2.imread(str(p)) for p in pictures]
    rows = []
    modes: tuple[RenderMode, ...] = ("halfblock", "sixel")
    for mode in modes:
        cols, rows_, cell = 80, 24, (10, 20)
        renderer = make_renderer(mode, ColorDepth.TRUECOLOR)
        size = renderer.pixel_size(cols, rows_, cell)
        masked = [masker.preview(image, *size) for image in images]
        start = time.perf_counter()
        for frame in masked:
            tile = renderer.render(frame, cols, rows_, cell)
            if tile.graphics is None:
                tile_ansi(tile)
        per_tile = (time.perf_counter() - start) / len(masked) * 1000
        what = "render + SGR" if mode == "halfblock" else "render + encode"
        rows.append(
            Row(
                f"{mode} tile {size[0]}x{size[1]} px, {what}, in process",
                f"{per_tile:.2f} ms",
                "",
                per_tile,
                f"< {TILE_MS} ms" if mode == "halfblock" else "(for information)",
                per_tile < TILE_MS if mode == "halfblock" else None,
                note="" if mode == "halfblock" else "no budget; sixel runs at <= 5 fps per tile",
            )
        )
    return rows


def run(frames: Path, pictures: list[Path], scratch: Path, missing: dict[str, str]) -> list[Row]:
    """Every rendering row; a missing tool or a failing side becomes an unmeasured row."""
    site = scratch / "site.toml"
    site.write_text(SITE)
    rows: list[Row] = []
    for tool, compare in (("chafa", text_rows), ("img2sixel", sixel_rows)):
        if tool in missing:
            rows.append(Row(f"vs {tool}", "", "", None, "", None, note=missing[tool]))
            continue
        try:
            rows += compare(site, frames, pictures, scratch)
        except BenchError as error:
            rows.append(Row(f"vs {tool}", "", "", None, "", False, note=str(error)))
    return rows + tile_rows(pictures)

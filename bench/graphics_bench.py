"""Kitty pictures against sixel on the same walls: bytes, CPU, frames per tile, fidelity.

Each wall (2x2 and 4x4 of the demo's cameras in a 240x67 pty, 10x20-pixel cells) runs
the whole console once per mode for WINDOW seconds, measured as the whole-app bench
measures its wall (`bench.app_bench.watch`). Fidelity cannot be read off a live wall,
whose frames nobody can line up with their source, so it is measured in process on the
bench's 100 demo frames at the 2x2 wall's tile size: each picture is decoded as the
terminal would decode it, scaled to the tile's pixels as the terminal scales it (kitty
pictures are sent smaller when their bytes demand it), and compared with the source
frame at that size.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from bench.app_bench import FPS_SLACK, MAX_BYTES_PER_S, MIN_FPS, watch
from bench.soak import SetupError, start_console
from bench.table import Row
from console.core.privacy.masking import CameraMasker
from console.core.render.factory import make_renderer
from console.core.render.fit import fit_cells
from console.core.render.kitty_decode import parse_kitty
from console.core.render.modes import RenderMode
from console.core.render.sixel_decode import decode_sixel
from console.core.render.tile import ColorDepth

COLS, ROWS = 240, 67
CELL_PX = (10, 20)
WINDOW = 12.0
WALLS = ((4, "2x2"), (16, "4x4"))
MODES: tuple[RenderMode, ...] = ("kitty", "sixel")
TILE_2X2 = (118, 31)
"""Content cells of one 2x2 tile on the 240x67 screen (borders and chrome taken off)."""


def _psnr(decoded: np.ndarray, reference: np.ndarray) -> float:
    error = np.mean((decoded.astype(np.float64) - reference.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0**2 / max(error, 1e-12)))


def fidelity(mode: RenderMode, pictures: list[Path]) -> tuple[float, float]:
    """Mean PSNR in dB and mean bytes per picture of one mode on the bench frames."""
    renderer = make_renderer(mode, ColorDepth.TRUECOLOR, image_id=1)
    masker = CameraMasker("bench", [])
    scores, sizes = [], []
    for path in pictures:
        source = cv2.imread(str(path))
        cols, rows = fit_cells((source.shape[1], source.shape[0]), *TILE_2X2, CELL_PX)
        size = renderer.pixel_size(cols, rows, CELL_PX)
        tile = renderer.render(masker.preview(source, *size), cols, rows, CELL_PX)
        assert tile.graphics is not None
        if mode == "kitty":
            (command,) = parse_kitty(tile.graphics.encode())
            shown_size = (cols * CELL_PX[0], rows * CELL_PX[1])  # the terminal scales it
            shown = cv2.resize(command.pixels(), shown_size, interpolation=cv2.INTER_LINEAR)
        else:
            shown = decode_sixel(tile.graphics.encode()).pixels
            shown_size = (shown.shape[1], shown.shape[0])
        reference = cv2.resize(source, shown_size, interpolation=cv2.INTER_AREA)
        scores.append(_psnr(shown, reference))
        sizes.append(len(tile.graphics))
    return float(np.mean(scores)), float(np.mean(sizes))


def _wall(scratch: Path, tiles: int, mode: RenderMode) -> dict[str, object]:
    console = start_console(scratch, tiles, COLS, ROWS, mode)
    try:
        return watch(console, WINDOW)
    finally:
        console.stop()


def rows(scratch: Path, pictures: list[Path]) -> list[Row]:
    out: list[Row] = []
    psnr = {mode: fidelity(mode, pictures) for mode in MODES}
    for tiles, layout in WALLS:
        figures: dict[RenderMode, dict[str, object]] = {}
        for mode in MODES:
            folder = scratch / f"graphics-{layout}-{mode}"
            folder.mkdir()
            try:
                figures[mode] = _wall(folder, tiles, mode)
            except SetupError as error:
                out.append(Row(f"{layout} wall, {mode}", "", "", None, "", False,
                               note=f"could not run: {error}"))  # fmt: skip
        if len(figures) < len(MODES):
            continue
        kitty, sixel = figures["kitty"], figures["sixel"]
        slowest = {m: min(dict(f["fps"]).values(), default=0.0) for m, f in figures.items()}  # type: ignore[call-overload]
        rate = {m: float(str(f["bytes_per_second"])) for m, f in figures.items()}
        cores = {m: float(str(f["cpu_cores"])) for m, f in figures.items()}
        gated = layout == "2x2"
        name = f"{layout} wall, kitty vs sixel"
        out += [
            Row(f"{name}: slowest tile", f"{slowest['kitty']:.2f} fps",
                f"{slowest['sixel']:.2f} fps", slowest["kitty"],
                f">= {MIN_FPS:.0f} fps" if gated else "(for information)",
                slowest["kitty"] >= MIN_FPS - FPS_SLACK if gated else None,
                details={"kitty": kitty, "sixel": sixel}),
            Row(f"{name}: output", f"{rate['kitty'] / 1e6:.2f} MB/s",
                f"{rate['sixel'] / 1e6:.2f} MB/s", rate["kitty"] / 1e6,
                f"<= {MAX_BYTES_PER_S / 1e6:.0f} MB/s" if gated else "(for information)",
                rate["kitty"] <= MAX_BYTES_PER_S if gated else None),
            Row(f"{name}: CPU", f"{cores['kitty']:.2f} cores", f"{cores['sixel']:.2f} cores",
                cores["kitty"] / max(cores["sixel"], 1e-9), "(for information)", None),
        ]  # fmt: skip
    (kitty_db, kitty_bytes), (sixel_db, sixel_bytes) = psnr["kitty"], psnr["sixel"]
    out.append(
        Row("2x2 tile, kitty vs sixel: mean PSNR", f"{kitty_db:.2f} dB", f"{sixel_db:.2f} dB",
            kitty_db - sixel_db, "> 0 dB", kitty_db > sixel_db,
            note=f"mean picture {kitty_bytes / 1e3:.0f} KB vs {sixel_bytes / 1e3:.0f} KB, "
            f"{len(pictures)} demo frames at {TILE_2X2[0]}x{TILE_2X2[1]} cells")
    )  # fmt: skip
    return out

"""Colour codes for each depth, computed for a whole frame at once with lookup tables.

Rich can downgrade a colour per style, but that means one Python call per cell; here a
frame's pixels become palette indices in a few numpy operations. Nearest colours are
precomputed once over a 5-bit-per-channel grid (32768 entries), which is finer than any
palette step.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from console.core.masking import Pixels
from console.core.render.tile import DEFAULT, ColorDepth

Codes = npt.NDArray[np.int32]
"""Per-pixel colour codes, shape (h, w)."""

_CUBE_LEVELS = (0, 95, 135, 175, 215, 255)

_ANSI16 = (
    (0, 0, 0),
    (205, 0, 0),
    (0, 205, 0),
    (205, 205, 0),
    (0, 0, 238),
    (205, 0, 205),
    (0, 205, 205),
    (229, 229, 229),
    (127, 127, 127),
    (255, 0, 0),
    (0, 255, 0),
    (255, 255, 0),
    (92, 92, 255),
    (255, 0, 255),
    (0, 255, 255),
    (255, 255, 255),
)
"""xterm's default values; the 16 colours are user-configurable, so they are a guess."""


def _xterm256() -> npt.NDArray[np.uint8]:
    cube = [(r, g, b) for r in _CUBE_LEVELS for g in _CUBE_LEVELS for b in _CUBE_LEVELS]
    greys = [(v, v, v) for v in range(8, 248, 10)]
    return np.array([*_ANSI16, *cube, *greys], dtype=np.uint8)


XTERM256 = _xterm256()
"""RGB of xterm's 256 palette entries, shape (256, 3)."""


def _nearest_table(first: int, last: int) -> npt.NDArray[np.int32]:
    """Nearest entry in XTERM256[first:last] for every 5-bit RGB grid point (its centre)."""
    centres = (np.arange(32, dtype=np.int32) * 8 + 4).astype(np.int32)
    r, g, b = np.meshgrid(centres, centres, centres, indexing="ij")
    grid = np.stack([r.ravel(), g.ravel(), b.ravel()], axis=1)
    candidates = XTERM256[first:last].astype(np.int32)
    best = np.zeros(len(grid), dtype=np.int32)
    best_distance = np.full(len(grid), np.iinfo(np.int32).max, dtype=np.int64)
    for offset, colour in enumerate(candidates):
        distance = ((grid - colour) ** 2).sum(axis=1)
        closer = distance < best_distance
        best[closer] = first + offset
        best_distance[closer] = distance[closer]
    return best


@functools.cache
def _table(depth: ColorDepth) -> npt.NDArray[np.int32]:
    if depth is ColorDepth.COLOR256:
        return _nearest_table(16, 256)  # 0..15 are whatever the user configured
    return _nearest_table(0, 16)


def color_codes(pixels: Pixels, depth: ColorDepth) -> Codes:
    """Colour code of every pixel of a BGR image at `depth`."""
    b = pixels[..., 0].astype(np.int32)
    g = pixels[..., 1].astype(np.int32)
    r = pixels[..., 2].astype(np.int32)
    if depth is ColorDepth.TRUECOLOR:
        return (r << 16) | (g << 8) | b
    if depth is ColorDepth.MONO:
        return np.full(pixels.shape[:2], DEFAULT, dtype=np.int32)
    grid = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3)
    codes: Codes = _table(depth)[grid]
    return codes


def luminance(pixels: Pixels) -> npt.NDArray[np.int32]:
    """Rec. 601 luma 0..255 of a BGR image, in integer arithmetic."""
    b = pixels[..., 0].astype(np.int32)
    g = pixels[..., 1].astype(np.int32)
    r = pixels[..., 2].astype(np.int32)
    return (r * 299 + g * 587 + b * 114 + 500) // 1000

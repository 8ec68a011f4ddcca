"""Colour codes for each depth, computed for a whole frame at once in numpy.

Rich can downgrade a colour per style, but that means one Python call per cell; here a
frame's pixels become palette indices in a few array operations. The nearest xterm-256
colour is exact: the nearest cube colour is found channel by channel through a lookup
table, the nearest grey from the channel mean, and the closer of the two wins.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from console.core.privacy.masking import Pixels
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


def _nearest_level(levels: tuple[int, ...]) -> npt.NDArray[np.int32]:
    """For every byte value, the index of the nearest of `levels`."""
    distance = np.abs(np.arange(256)[:, None] - np.array(levels)[None, :])
    return np.asarray(distance.argmin(axis=1), np.int32)


_CUBE_INDEX = _nearest_level(_CUBE_LEVELS)
_CUBE_VALUE = np.array(_CUBE_LEVELS, np.int32)


def _nearest_256(r: Codes, g: Codes, b: Codes) -> Codes:
    ri, gi, bi = _CUBE_INDEX[r], _CUBE_INDEX[g], _CUBE_INDEX[b]
    cube_error = (
        (r - _CUBE_VALUE[ri]) ** 2 + (g - _CUBE_VALUE[gi]) ** 2 + (b - _CUBE_VALUE[bi]) ** 2
    )
    grey = np.clip((r + g + b - 24 + 15) // 30, 0, 23)  # nearest of 8, 18, .. 238 to the mean
    value = 8 + 10 * grey
    grey_error = (r - value) ** 2 + (g - value) ** 2 + (b - value) ** 2
    cube = 16 + 36 * ri + 6 * gi + bi
    return np.where(grey_error < cube_error, 232 + grey, cube).astype(np.int32)


def _nearest_16(r: Codes, g: Codes, b: Codes) -> Codes:
    colours = np.array(_ANSI16, np.int32)
    error = (
        (r[..., None] - colours[:, 0]) ** 2
        + (g[..., None] - colours[:, 1]) ** 2
        + (b[..., None] - colours[:, 2]) ** 2
    )
    return np.asarray(error.argmin(axis=-1), np.int32)


@functools.cache
def _levels(bits: int) -> npt.NDArray[np.uint8]:
    """Byte -> the nearest of 2**bits evenly spread levels (0 and 255 included)."""
    top = (1 << bits) - 1
    return np.asarray((np.arange(256) * top + 127) // 255 * 255 // top, np.uint8)


def color_codes(pixels: Pixels, depth: ColorDepth, bits: int = 8) -> Codes:
    """Colour code of every pixel of a BGR image at `depth`.

    `bits` < 8 keeps fewer levels per channel in truecolor. A live tile's neighbouring
    cells then share colours far more often: fewer runs, fewer distinct styles, fewer
    changed rows, for a difference the eye does not see at tile size (6 bits still give
    262,144 colours). Black and white stay exact, so do solid masks of those colours.
    """
    if depth is ColorDepth.TRUECOLOR and bits < 8:
        pixels = _levels(bits)[pixels]
    b = pixels[..., 0].astype(np.int32)
    g = pixels[..., 1].astype(np.int32)
    r = pixels[..., 2].astype(np.int32)
    if depth is ColorDepth.TRUECOLOR:
        return (r << 16) | (g << 8) | b
    if depth is ColorDepth.COLOR256:
        return _nearest_256(r, g, b)
    if depth is ColorDepth.COLOR16:
        return _nearest_16(r, g, b)
    return np.full(pixels.shape[:2], DEFAULT, dtype=np.int32)


def luminance(pixels: Pixels) -> npt.NDArray[np.int32]:
    """Rec. 601 luma 0..255 of a BGR image, in integer arithmetic."""
    b = pixels[..., 0].astype(np.int32)
    g = pixels[..., 1].astype(np.int32)
    r = pixels[..., 2].astype(np.int32)
    return (r * 299 + g * 587 + b * 114 + 500) // 1000

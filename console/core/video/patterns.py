"""Synthetic camera pictures for `pattern:NAME` sources.

They let a site be tried, and the console be demonstrated or tested, without any video
file or camera: each is a pure function of the frame number, so runs are reproducible.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from console.core.site.kinds import PATTERN_NAMES

Pixels = npt.NDArray[np.uint8]
Pattern = Callable[[int, int, int], Pixels]
"""(frame number, width, height) -> BGR image."""

_BARS = np.array(
    [[192, 192, 192], [0, 192, 192], [192, 192, 0], [0, 192, 0],
     [192, 0, 192], [0, 0, 192], [192, 0, 0], [16, 16, 16]],
    dtype=np.uint8,
)  # fmt: skip


def bars(frame: int, width: int, height: int) -> Pixels:
    """Colour bars with a white line sweeping down, so motion is visible."""
    columns = (np.arange(width) * len(_BARS)) // width
    image = np.repeat(_BARS[columns][None, :, :], height, axis=0)
    image[(frame * 2) % height, :, :] = 255
    return image


def gradient(frame: int, width: int, height: int) -> Pixels:
    """A diagonal colour gradient drifting sideways."""
    x = (np.arange(width)[None, :] + frame) % 256
    y = np.arange(height)[:, None] * 255 // max(1, height - 1)
    image = np.empty((height, width, 3), np.uint8)
    image[..., 0] = x
    image[..., 1] = y
    image[..., 2] = (x + y) // 2
    return image


def checker(frame: int, width: int, height: int) -> Pixels:
    """A fine black-and-white checkerboard: the worst case for masks and encoders."""
    size = 4
    yy, xx = np.indices((height, width))
    on = ((xx // size + yy // size + frame) % 2).astype(np.uint8) * 255
    return np.repeat(on[:, :, None], 3, axis=2)


_DRAWERS: dict[str, Pattern] = {"bars": bars, "gradient": gradient, "checker": checker}
PATTERNS: dict[str, Pattern] = {name: _DRAWERS[name] for name in PATTERN_NAMES}
"""Every pattern a site may name; the names are the site schema's, so a name without a
drawing fails at import rather than as a dark camera."""

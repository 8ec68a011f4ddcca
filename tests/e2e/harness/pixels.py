"""Finding a camera's picture in a screenshot, and what its masks look like on screen.

A sixel tile's position depends on the wall layout and on how the picture is fitted into
the tile, neither of which a test should hard-code. Each camera of the demo site has a
solid mask of a known colour at known normalised coordinates, so the mask's blob on the
screen tells where the whole picture is, and every other region follows by arithmetic.
"""

from __future__ import annotations

import cv2
import numpy as np

from console.core.render.sixel import PALETTE, sixel_indices

from .xterm import Rect
from .xwd import Image

NormRect = tuple[float, float, float, float]
"""x0, y0, x1, y1 as fractions of a camera picture's width and height."""


def sixel_shown_color(hex_rgb: str) -> tuple[int, int, int]:
    """The colour xterm shows for a mask colour drawn by Veil's sixel tiles.

    Veil maps every pixel to its fixed 6x7x6 cube, and sixel colour registers hold whole
    percents (rounded), which xterm scales back to 0..255, rounding to the nearest.
    """
    rgb = [int(hex_rgb.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4)]
    register = int(sixel_indices(np.array([[rgb[::-1]]], np.uint8))[0, 0])
    shown = (((int(c) * 100 + 127) // 255 * 255 + 50) // 100 for c in PALETTE[register])
    r, g, b = shown
    return (r, g, b)


OPENING = 7
"""Side of the opening that cuts video from a mask: thicker than a tyre's rim that
touches the gate's code panel, thinner than any mask on a 200x60 wall."""


def mask_blob(image: Image, rgb: tuple[int, int, int], min_side: int = 2 * OPENING) -> Rect | None:
    """The bounding box of the largest solid rectangle of exactly this colour, if any.

    Video can hold the mask's colour too (trousers, a tyre), in patches that touch the
    mask or stand alone. An opening cuts thin bridges to the mask, and only a patch
    that fills its bounding box and is at least `min_side` pixels each way counts: a
    solid mask is a rectangle, a coat is not.
    """
    hits = np.all(image == np.array(rgb, np.uint8), axis=-1).astype(np.uint8)
    hits = cv2.morphologyEx(hits, cv2.MORPH_OPEN, np.ones((OPENING, OPENING), np.uint8))
    count, _, stats, _ = cv2.connectedComponentsWithStats(hits, connectivity=4)
    best: Rect | None = None
    best_area = 0
    for x, y, w, h, area in (tuple(int(v) for v in row) for row in stats[1:count]):
        if w >= min_side and h >= min_side and area >= 0.97 * w * h and area > best_area:
            best, best_area = (x, y, x + w, y + h), area
    return best


def picture_from_mask(blob: Rect, mask: NormRect) -> Rect:
    """Where the whole picture is, given where a mask covering `mask` of it was drawn.

    Masks are rasterised outward, and a tile pixel that touches a masked source pixel is
    masked too, so a blob is up to a pixel larger than its exact share on each side; its
    size less two pixels and its centre give the picture's size and place.
    """
    x0, y0, x1, y1 = blob
    width = (x1 - x0 - 2) / (mask[2] - mask[0])
    height = (y1 - y0 - 2) / (mask[3] - mask[1])
    left = (x0 + x1) / 2 - (mask[0] + mask[2]) / 2 * width
    top = (y0 + y1) / 2 - (mask[1] + mask[3]) / 2 * height
    return (round(left), round(top), round(left + width), round(top + height))


def region(picture: Rect, part: NormRect, margin: int = 2) -> Rect:
    """`part` of the picture in screen pixels, shrunk by `margin` against rounding."""
    x0, y0, x1, y1 = picture
    w, h = x1 - x0, y1 - y0
    return (
        round(x0 + part[0] * w) + margin,
        round(y0 + part[1] * h) + margin,
        round(x0 + part[2] * w) - margin,
        round(y0 + part[3] * h) - margin,
    )


def changed(before: Image, after: Image, rect: Rect) -> float:
    """The fraction of pixels of `rect` that differ between two screenshots."""
    x0, y0, x1, y1 = rect
    return float(np.mean(np.any(before[y0:y1, x0:x1] != after[y0:y1, x0:x1], axis=-1)))

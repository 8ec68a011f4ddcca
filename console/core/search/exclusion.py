"""What the masks take out of a search's measurement.

Masking alone is not enough: a blurred area still changes when what is under it moves,
and even a solid block's edge pixels mix a little of what is behind them when frames
are scaled down for speed. So every mask that applies to the viewer is rasterised
outward at the analysis size and grown by `MARGIN` pixels, and those pixels are not
measured at all: set to one constant before any filtering (so no filter spreads them
into their neighbours) and never counted. Permanent masks always apply; liftable ones
unless the search runs under a lift.
"""

from __future__ import annotations

import cv2
import numpy as np

from console.core.privacy.masks import BoolRaster, Mask, rasterize

MARGIN = 1
"""Pixels around each mask left out too, at the analysis size (a quarter of 640 wide:
four source pixels), covering the scaler's reach and the measurement's smoothing."""


def excluded(masks: tuple[Mask, ...], lifted: bool, width: int, height: int) -> BoolRaster:
    """True where the measurement must not look: under or beside an applicable mask."""
    out = np.zeros((height, width), dtype=bool)
    for mask in masks:
        if lifted and mask.kind == "liftable":
            continue
        out |= rasterize(mask.geometry, width, height)
    if MARGIN and out.any():
        side = 2 * MARGIN + 1
        grown = cv2.dilate(out.astype(np.uint8), np.ones((side, side), np.uint8))
        out = np.asarray(grown, dtype=bool)
    return out

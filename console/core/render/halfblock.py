"""Half-block text: two pixels per cell, the top one as `▀` in the foreground colour and
the bottom one as the background. The densest picture that works in any terminal with
colour and a Unicode font.
"""

from __future__ import annotations

import numpy as np

from console.core.privacy.masking import MaskedFrame
from console.core.render.cells import FULL_BLOCK, LOWER_HALF, SPACE, UPPER_HALF, build_tile
from console.core.render.palette import color_codes, luminance
from console.core.render.steady import Steady
from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, tile_pixels

_MONO_THRESHOLD = 128
"""Luma above which a pixel lights up in a mono tile."""


class HalfBlockRenderer:
    """Renders a tile with `▀` cells; without colour, it draws lit halves in the default fg."""

    mode = "halfblock"

    def __init__(self, depth: ColorDepth, hysteresis: int = 0, bits: int = 8) -> None:
        self.depth = depth
        """Colour depth of the output codes."""
        self._steady = Steady(hysteresis)
        self.bits = bits
        """Levels per channel kept in truecolor (see `color_codes`)."""

    def pixel_size(self, cols: int, rows: int, cell_px: tuple[int, int]) -> tuple[int, int]:
        return cols, rows * 2

    def render(
        self, frame: MaskedFrame, cols: int, rows: int, cell_px: tuple[int, int]
    ) -> RenderedTile:
        pixels = tile_pixels(frame, self.pixel_size(cols, rows, cell_px))
        pixels = self._steady.apply(frame, pixels)
        if self.depth is ColorDepth.MONO:
            lit = luminance(pixels) >= _MONO_THRESHOLD
            upper, lower = lit[0::2], lit[1::2]
            glyphs = np.select(
                [upper & lower, upper, lower], [FULL_BLOCK, UPPER_HALF, LOWER_HALF], SPACE
            ).astype(np.uint8)
            blank = np.full(glyphs.shape, DEFAULT, dtype=np.int32)
            return build_tile(self.mode, self.depth, glyphs, blank, blank)
        codes = color_codes(pixels, self.depth, self.bits)
        top, bottom = codes[0::2], codes[1::2]
        glyphs = np.where(top == bottom, SPACE, UPPER_HALF).astype(np.uint8)
        return build_tile(self.mode, self.depth, glyphs, top, bottom)

"""ASCII text: one pixel per cell, drawn as a character of matching brightness.

The smallest output on the wire and the only picture a mono terminal (or NO_COLOR) can
show; with colour, the character takes the pixel's colour on the default background.
"""

from __future__ import annotations

import numpy as np

from console.core.privacy.masking import MaskedFrame
from console.core.render.cells import ASCII_RAMP, build_tile
from console.core.render.palette import color_codes, luminance
from console.core.render.steady import Steady
from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, tile_pixels


class AsciiRenderer:
    """Renders a tile with the luminance ramp " .:-=+*#%@"."""

    mode = "ascii"

    def __init__(self, depth: ColorDepth, hysteresis: int = 0, bits: int = 8) -> None:
        self.depth = depth
        """Colour depth of the characters; MONO draws them in the default colour."""
        self._steady = Steady(hysteresis)
        self.bits = bits
        """Levels per channel kept in truecolor (see `color_codes`)."""

    def pixel_size(self, cols: int, rows: int, cell_px: tuple[int, int]) -> tuple[int, int]:
        return cols, rows

    def render(
        self, frame: MaskedFrame, cols: int, rows: int, cell_px: tuple[int, int]
    ) -> RenderedTile:
        pixels = tile_pixels(frame, self.pixel_size(cols, rows, cell_px))
        pixels = self._steady.apply(frame, pixels)
        level = luminance(pixels) * len(ASCII_RAMP) // 256
        glyphs = ASCII_RAMP[level]
        background = np.full(glyphs.shape, DEFAULT, dtype=np.int32)
        return build_tile(
            self.mode, self.depth, glyphs, color_codes(pixels, self.depth, self.bits), background
        )

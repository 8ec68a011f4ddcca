"""What every terminal renderer produces, and the one contract they all share.

A tile is described as rows of merged runs carrying plain integer colour codes rather
than styled objects. The core stays free of Rich and Textual, and the UI can key a small
style cache on the codes, so no style is built per cell. A key per row lets the UI
repaint only the rows that changed since the last frame.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import cv2
import numpy as np

from console.core.masking import MaskedFrame, Pixels

if TYPE_CHECKING:
    from console.core.render.cells import TileCells

DEFAULT = -1
"""Colour code meaning "the terminal's default colour"; the only code a mono tile uses."""


class ColorDepth(enum.Enum):
    """How many colours the terminal can show, and so how a run's colour codes read."""

    TRUECOLOR = "truecolor"
    """Codes are packed 0xRRGGBB."""
    COLOR256 = "256"
    """Codes are xterm palette indices 16..255 (the cube and the grey ramp)."""
    COLOR16 = "16"
    """Codes are ANSI indices 0..15."""
    MONO = "mono"
    """Every code is DEFAULT: no colour at all (NO_COLOR, dumb terminals)."""


Run = tuple[str, int, int]
"""(text, fg, bg): consecutive identical cells of one row merged into one piece.

A plain tuple rather than a named one because a tile builds thousands per frame. A run
of spaces carries fg DEFAULT, since a blank cell shows only its background.
"""


@dataclass(frozen=True, slots=True)
class RenderedTile:
    """One frame of one tile, ready to be turned into terminal output."""

    mode: str
    """The renderer that made it; row keys compare only between tiles of the same mode."""
    depth: ColorDepth
    """How to read the runs' colour codes."""
    cols: int
    """Width in cells; every row's runs add up to it."""
    rows: TileCells
    """Per terminal row, its runs from left to right; the cells behind them as arrays."""
    row_keys: list[bytes]
    """Per row, bytes that are equal exactly when the row's cells are equal."""
    graphics: str | None = None
    """A complete sixel DCS string drawn over the tile's top-left cell, if any."""
    graphics_px: tuple[int, int] = (0, 0)
    """Width and height in pixels of `graphics`."""


class TileRenderer(Protocol):
    """Turns masked frames into tiles of a given size in cells.

    Renderers may keep state between frames (temporal hysteresis), so each tile owns its
    own instance.
    """

    mode: str

    def pixel_size(self, cols: int, rows: int, cell_px: tuple[int, int]) -> tuple[int, int]:
        """The frame size (w, h) to ask the masking stage for, so nothing is resized twice."""
        ...

    def render(
        self, frame: MaskedFrame, cols: int, rows: int, cell_px: tuple[int, int]
    ) -> RenderedTile: ...


def tile_pixels(frame: object, size: tuple[int, int]) -> Pixels:
    """The frame's pixels at `size`, refusing anything that did not go through masking.

    A frame of another size (a resize raced the feed) is scaled with nearest-neighbour,
    which only ever copies masked pixels and never blends across a mask's edge.
    """
    if not isinstance(frame, MaskedFrame):
        raise TypeError(f"renderers accept only MaskedFrame, got {type(frame).__name__}")
    pixels = frame.pixels
    if (frame.width, frame.height) == size:
        return pixels
    return np.asarray(cv2.resize(pixels, size, interpolation=cv2.INTER_NEAREST), np.uint8)

"""What every terminal renderer produces, and the one contract they all share.

A tile is described as rows of merged runs carrying plain integer colour codes rather
than styled objects. The core stays free of Rich and Textual, and the UI can key a small
style cache on the codes, so no style is built per cell. A key per row lets the UI
repaint only the rows that changed since the last frame.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

from console.core.privacy.masking import MaskedFrame, Pixels

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


class TileRows(Protocol):
    """A tile's cells as arrays, read as rows of runs merged lazily: the wall asks only
    for rows that changed, and `veil render` encodes the arrays whole.

    `cells.TileCells` is the one implementation; naming the contract here keeps this
    module below the cell machinery that builds tiles.
    """

    glyphs: npt.NDArray[np.uint8]
    """Per-cell indices into `cells.GLYPHS`, shape (rows, cols)."""
    fg: npt.NDArray[np.int32]
    """Per-cell foreground codes; DEFAULT on blank cells."""
    bg: npt.NDArray[np.int32]
    """Per-cell background codes."""

    def __len__(self) -> int: ...

    def __getitem__(self, row: int) -> list[Run]: ...

    def __iter__(self) -> Iterator[list[Run]]: ...

    def runs_of(self, rows: list[int]) -> list[list[Run]]:
        """The runs of each of `rows`, merged in one pass for all of them."""
        ...


@dataclass(frozen=True, slots=True)
class RenderedTile:
    """One frame of one tile, ready to be turned into terminal output."""

    mode: str
    """The renderer that made it; row keys compare only between tiles of the same mode."""
    depth: ColorDepth
    """How to read the runs' colour codes."""
    cols: int
    """Width in cells; every row's runs add up to it."""
    rows: TileRows
    """Per terminal row, its runs from left to right; the cells behind them as arrays."""
    row_keys: list[bytes]
    """Per row, bytes that are equal exactly when the row's cells are equal."""
    graphics: str | None = None
    """A terminal picture (sixel DCS or kitty commands) drawn from the tile's top-left
    cell, if any."""
    graphics_px: tuple[int, int] = (0, 0)
    """Width and height in pixels of `graphics`."""
    graphics_cells: tuple[int, int, int, int] | None = None
    """Cells the picture covers inside the tile's (x, y, cols, rows), when it covers
    fewer than all of them: a sixel picture scaled down to the terminal's limit."""
    graphics_erase: str = ""
    """What takes `graphics` off the screen again: empty where text overwrites it (sixel),
    a delete where the picture sits above the text (kitty)."""


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

"""Turns per-cell glyph and colour arrays into a tile, for every text mode.

A tile keeps its cells as arrays. Row keys come straight from the packed cells, and a
row's merged runs are built only when somebody asks for that row: the wall repaints only
rows whose key changed, and `veil render` encodes the arrays without any runs at all.
Run boundaries come from `np.flatnonzero`, so the only Python loop is over runs, never
over cells; a camera image has large flat areas (sky, walls, and above all privacy
masks), so a row typically holds far fewer runs than cells.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import overload

import numpy as np
import numpy.typing as npt

from console.core.render.palette import Codes
from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, Run

GLYPHS = " ▀▄█.:-=+*#%@"
"""Every character a text tile may contain; cells refer to them by index."""

SPACE = 0
UPPER_HALF = 1
LOWER_HALF = 2
FULL_BLOCK = 3
ASCII_RAMP = np.array([0, *range(4, len(GLYPHS))], dtype=np.uint8)
"""Glyph indices from darkest to brightest: " .:-=+*#%@"."""

Glyphs = npt.NDArray[np.uint8]
"""Per-cell indices into GLYPHS, shape (rows, cols)."""

_CODE_BITS = 25
_CODE_MASK = (1 << _CODE_BITS) - 1  # 24-bit RGB plus room for DEFAULT


class TileCells(Sequence[list[Run]]):
    """A tile's cells, read as rows of merged runs; each row is merged on first use."""

    __slots__ = ("_packed", "_runs", "bg", "fg", "glyphs")

    def __init__(self, glyphs: Glyphs, fg: Codes, bg: Codes, packed: npt.NDArray[np.uint64]):
        self.glyphs = glyphs
        """Per-cell indices into GLYPHS, shape (rows, cols)."""
        self.fg = fg
        """Per-cell foreground codes; DEFAULT on blank cells, which show no foreground."""
        self.bg = bg
        """Per-cell background codes."""
        self._packed = packed
        self._runs: list[list[Run] | None] = [None] * glyphs.shape[0]

    def __len__(self) -> int:
        return len(self._runs)

    @overload
    def __getitem__(self, row: int) -> list[Run]: ...

    @overload
    def __getitem__(self, row: slice) -> list[list[Run]]: ...

    def __getitem__(self, row: int | slice) -> list[Run] | list[list[Run]]:
        if isinstance(row, slice):
            return self.runs_of(list(range(len(self)))[row])
        return self.runs_of([row])[0]

    def __iter__(self) -> Iterator[list[Run]]:
        return iter(self.runs_of(list(range(len(self)))))

    def runs_of(self, rows: list[int]) -> list[list[Run]]:
        """The runs of these rows, merging those not merged yet in one pass."""
        missing = [row for row in rows if self._runs[row] is None]
        if missing:
            packed = self._packed[missing]
            count, cols = packed.shape
            change = np.ones((count, cols), dtype=bool)
            np.not_equal(packed[:, 1:], packed[:, :-1], out=change[:, 1:])
            starts = np.flatnonzero(change)
            lengths = np.diff(starts, append=count * cols).tolist()
            glyphs = self.glyphs[missing].ravel()[starts].tolist()
            runs: list[Run] = list(
                zip(
                    [GLYPHS[g] * n for g, n in zip(glyphs, lengths, strict=True)],
                    self.fg[missing].ravel()[starts].tolist(),
                    self.bg[missing].ravel()[starts].tolist(),
                    strict=True,
                )
            )
            bounds = np.searchsorted(starts, np.arange(count + 1) * cols).tolist()
            for index, row in enumerate(missing):
                self._runs[row] = runs[bounds[index] : bounds[index + 1]]
        return [self._runs[row] or [] for row in rows]


def build_tile(
    mode: str,
    depth: ColorDepth,
    glyphs: Glyphs,
    fg: Codes,
    bg: Codes,
    graphics: str | None = None,
    graphics_px: tuple[int, int] = (0, 0),
    graphics_erase: str = "",
    graphics_cells: tuple[int, int, int, int] | None = None,
) -> RenderedTile:
    """A tile of these cells, each row keyed by its cells."""
    rows, cols = glyphs.shape
    fg = np.where(glyphs == SPACE, DEFAULT, fg)  # a blank cell shows only its background
    packed = np.asarray(
        (glyphs.astype(np.uint64) << np.uint64(2 * _CODE_BITS))
        | ((fg & _CODE_MASK).astype(np.uint64) << np.uint64(_CODE_BITS))
        | (bg & _CODE_MASK).astype(np.uint64),
        np.uint64,
    )
    row_bytes = packed.tobytes()
    width = cols * packed.itemsize
    return RenderedTile(
        mode=mode,
        depth=depth,
        cols=cols,
        rows=TileCells(glyphs, fg, bg, packed),
        row_keys=[row_bytes[r * width : (r + 1) * width] for r in range(rows)],
        graphics=graphics,
        graphics_px=graphics_px,
        graphics_erase=graphics_erase,
        graphics_cells=graphics_cells,
    )

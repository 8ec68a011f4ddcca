"""Turns per-cell glyph and colour arrays into a tile of merged runs, for every text mode.

Run boundaries come from `np.flatnonzero` over the packed cells, so the only Python loop
is over runs, never over cells. A camera image has large flat areas (sky, walls, and
above all privacy masks), so a row typically holds far fewer runs than cells.
"""

from __future__ import annotations

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


def build_tile(mode: str, depth: ColorDepth, glyphs: Glyphs, fg: Codes, bg: Codes) -> RenderedTile:
    """Merge identical neighbouring cells of each row and key each row by its cells."""
    rows, cols = glyphs.shape
    fg = np.where(glyphs == SPACE, DEFAULT, fg)  # a blank cell shows only its background
    packed = (
        (glyphs.astype(np.uint64) << np.uint64(2 * _CODE_BITS))
        | ((fg & _CODE_MASK).astype(np.uint64) << np.uint64(_CODE_BITS))
        | (bg & _CODE_MASK).astype(np.uint64)
    )
    change = np.ones((rows, cols), dtype=bool)
    np.not_equal(packed[:, 1:], packed[:, :-1], out=change[:, 1:])
    starts = np.flatnonzero(change)
    lengths = np.diff(starts, append=rows * cols).tolist()
    texts = [GLYPHS[g] * n for g, n in zip(glyphs.ravel()[starts].tolist(), lengths, strict=True)]
    runs: list[Run] = list(
        zip(texts, fg.ravel()[starts].tolist(), bg.ravel()[starts].tolist(), strict=True)
    )
    bounds = np.searchsorted(starts, np.arange(rows + 1) * cols).tolist()
    row_bytes = packed.tobytes()
    width = cols * packed.itemsize
    return RenderedTile(
        mode=mode,
        depth=depth,
        cols=cols,
        rows=[runs[bounds[r] : bounds[r + 1]] for r in range(rows)],
        row_keys=[row_bytes[r * width : (r + 1) * width] for r in range(rows)],
    )

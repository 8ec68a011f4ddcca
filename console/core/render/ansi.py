"""Tiles as the bytes a terminal receives outside Textual, for `veil render` and the bench.

Only colours that change between cells are sent, and each row ends with a reset so a row
can be repainted on its own. Inside the app, Textual writes the tiles instead.

A frame is encoded as one array operation over its cells rather than a loop over runs:
every cell gets a fixed-width slot for each piece it may need (escape, foreground,
separator, background, glyph, reset, newline), the pieces a cell does not need stay
zero, and the zero bytes are squeezed out at the end. A NUL byte never belongs in the
output, so the padding cannot be mistaken for content.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from console.core.render.cells import GLYPHS, SPACE
from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, TileRows

HOME = b"\x1b[H"
RESET = b"\x1b[0m"

Slots = npt.NDArray[np.uint8]
"""Per cell, one piece of output padded with NUL bytes, shape (cells, width)."""


def _padded(pieces: list[bytes], width: int) -> Slots:
    table = np.zeros((len(pieces), width), np.uint8)
    for i, piece in enumerate(pieces):
        table[i, : len(piece)] = np.frombuffer(piece, np.uint8)
    return table


_GLYPH_BYTES = _padded([glyph.encode() for glyph in GLYPHS], 3)
_DIGITS = _padded([str(n).encode() for n in range(256)], 3)


@functools.cache
def _small_codes(depth: ColorDepth, background: bool) -> Slots:
    """SGR parameters of codes DEFAULT, 0, 1 .. 255, indexed by code + 1."""
    selector = b"48" if background else b"38"
    pieces = [b"49" if background else b"39"]
    for code in range(256):
        if depth is ColorDepth.COLOR16:
            base = (40 if background else 30) if code < 8 else (100 if background else 90)
            pieces.append(str(base + code % 8).encode())
        else:
            pieces.append(selector + b";5;" + str(code).encode())
    return _padded(pieces, 8)


def _parameters(codes: npt.NDArray[np.int32], depth: ColorDepth, background: bool) -> Slots:
    """The SGR parameters selecting each of `codes` as foreground or background."""
    if depth is not ColorDepth.TRUECOLOR:
        return _small_codes(depth, background)[np.clip(codes, DEFAULT, 255) + 1]
    slots = np.zeros((codes.shape[0], 16), np.uint8)
    slots[:, 0:5] = np.frombuffer(b"48;2;" if background else b"38;2;", np.uint8)
    slots[:, 5:8] = _DIGITS[(codes >> 16) & 0xFF]
    slots[:, 8] = ord(";")
    slots[:, 9:12] = _DIGITS[(codes >> 8) & 0xFF]
    slots[:, 12] = ord(";")
    slots[:, 13:16] = _DIGITS[codes & 0xFF]
    default = codes == DEFAULT
    if default.any():
        slots[default] = 0
        slots[default, 0:2] = np.frombuffer(b"49" if background else b"39", np.uint8)
    return slots


def _before(values: npt.NDArray[np.int32]) -> npt.NDArray[np.int32]:
    """Each cell's left neighbour in its row, DEFAULT before the first cell."""
    shifted = np.full_like(values, DEFAULT)
    shifted[:, 1:] = values[:, :-1]
    return shifted


def _encode(cells: TileRows, depth: ColorDepth) -> bytes:
    glyphs, fg, bg = cells.glyphs, cells.fg, cells.bg
    rows, cols = glyphs.shape
    if rows == 0 or cols == 0:
        return b""
    # The foreground in effect is that of the last drawn (non-blank) cell to the left.
    drawn = glyphs != SPACE
    last = np.maximum.accumulate(np.where(drawn, np.arange(cols), -1), axis=1)
    fg_last = np.where(last >= 0, np.take_along_axis(fg, np.maximum(last, 0), axis=1), DEFAULT)
    fg_change = (drawn & (fg != _before(fg_last))).ravel()
    bg_change = (bg != _before(bg)).ravel()
    sgr = fg_change | bg_change
    wide = 16 if depth is ColorDepth.TRUECOLOR else 8
    fg_at, bg_at = 2, 3 + wide
    glyph_at = bg_at + wide + 1
    width = glyph_at + 3 + len(RESET) + 1
    out = np.zeros((rows * cols, width), np.uint8)
    out[sgr, 0:2] = np.frombuffer(b"\x1b[", np.uint8)
    out[fg_change, fg_at : fg_at + wide] = _parameters(fg.ravel()[fg_change], depth, False)
    out[fg_change & bg_change, fg_at + wide] = ord(";")
    out[bg_change, bg_at : bg_at + wide] = _parameters(bg.ravel()[bg_change], depth, True)
    out[sgr, bg_at + wide] = ord("m")
    out[:, glyph_at : glyph_at + 3] = _GLYPH_BYTES[glyphs.ravel()]
    row_end = np.arange(cols - 1, rows * cols, cols)
    coloured = (fg_last[:, -1] != DEFAULT) | (bg[:, -1] != DEFAULT)
    out[row_end[coloured], glyph_at + 3 : width - 1] = np.frombuffer(RESET, np.uint8)
    out[row_end[:-1], width - 1] = ord("\n")
    encoded: bytes = out[out != 0].tobytes()
    return encoded


def tile_ansi(tile: RenderedTile) -> bytes:
    """A whole text frame: cursor home, then every row, each ending in the default colours."""
    return HOME + _encode(tile.rows, tile.depth)

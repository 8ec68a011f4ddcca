"""A tiny terminal model for tests: what cells a `veil render` text frame paints.

It understands exactly the sequences the text writer may emit (cursor home, SGR colours
in every depth, newline), and rejects anything else, so a stray escape fails a test.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from console.core.render.tile import DEFAULT, RenderedTile

_TOKEN = re.compile(r"\x1b\[H|\x1b\[([0-9;]*)m|\n|[^\x1b\n]")


@dataclass(frozen=True, slots=True)
class Cell:
    char: str
    fg: int
    bg: int


def _colour(params: list[int], at: int) -> tuple[int, int]:
    """(code, parameters consumed) for an extended colour starting at params[at] (38/48)."""
    if params[at + 1] == 2:
        r, g, b = params[at + 2 : at + 5]
        return (r << 16) | (g << 8) | b, 5
    if params[at + 1] == 5:
        return params[at + 2], 3
    raise AssertionError(f"unexpected colour selector {params[at:]}")


def paint(frame: str) -> list[list[Cell]]:
    """The cells a frame paints, row by row; the frame must start with cursor home."""
    assert frame.startswith("\x1b[H"), "a text frame starts with cursor home"
    rows: list[list[Cell]] = [[]]
    fg = bg = DEFAULT
    position = 0
    for token in _TOKEN.finditer(frame):
        assert token.start() == position, f"unexpected bytes at {position}: {frame[position:]!r}"
        position = token.end()
        text = token.group(0)
        if text == "\x1b[H":
            continue
        if text == "\n":
            assert (fg, bg) == (DEFAULT, DEFAULT), "a row ends in the default colours"
            rows.append([])
        elif token.group(1) is not None:
            params = [int(p) for p in token.group(1).split(";")] if token.group(1) else [0]
            i = 0
            while i < len(params):
                p = params[i]
                if p == 0:
                    fg = bg = DEFAULT
                elif p == 39:
                    fg = DEFAULT
                elif p == 49:
                    bg = DEFAULT
                elif p in (38, 48):
                    code, used = _colour(params, i)
                    fg, bg = (code, bg) if p == 38 else (fg, code)
                    i += used - 1
                elif 30 <= p <= 37 or 90 <= p <= 97:
                    fg = p - 30 if p < 90 else p - 90 + 8
                elif 40 <= p <= 47 or 100 <= p <= 107:
                    bg = p - 40 if p < 100 else p - 100 + 8
                else:
                    raise AssertionError(f"unexpected SGR parameter {p}")
                i += 1
        else:
            rows[-1].append(Cell(text, fg, bg))
    assert position == len(frame), f"unexpected trailing bytes {frame[position:]!r}"
    assert (fg, bg) == (DEFAULT, DEFAULT), "a frame ends in the default colours"
    return rows


def cells(tile: RenderedTile) -> list[list[Cell]]:
    """The tile's runs expanded to cells (what the UI would draw)."""
    return [[Cell(char, fg, bg) for text, fg, bg in runs for char in text] for runs in tile.rows]

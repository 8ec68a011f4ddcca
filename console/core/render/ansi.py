"""Tiles as the bytes a terminal receives outside Textual, for `veil render` and the bench.

Only colours that change between runs are sent, and each row ends with a reset so a row
can be repainted on its own. Inside the app, Textual writes the tiles instead.
"""

from __future__ import annotations

from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile

HOME = "\x1b[H"
RESET = "\x1b[0m"


def _sgr_colour(depth: ColorDepth, code: int, background: bool) -> str:
    """The SGR parameters selecting colour `code` as foreground or background."""
    if code == DEFAULT:
        return "49" if background else "39"
    if depth is ColorDepth.TRUECOLOR:
        r, g, b = code >> 16, (code >> 8) & 0xFF, code & 0xFF
        return f"{48 if background else 38};2;{r};{g};{b}"
    if depth is ColorDepth.COLOR256:
        return f"{48 if background else 38};5;{code}"
    base = (40 if background else 30) if code < 8 else (100 if background else 90)
    return str(base + code % 8)


class _Parameters(dict[int, str]):
    """SGR parameters per colour code, computed on first use and kept (boundedly)."""

    def __init__(self, depth: ColorDepth, background: bool) -> None:
        super().__init__()
        self.depth = depth
        self.background = background

    def __missing__(self, code: int) -> str:
        if len(self) > 1 << 16:
            self.clear()
        value = self[code] = _sgr_colour(self.depth, code, self.background)
        return value


_PARAMETERS = {
    (depth, background): _Parameters(depth, background)
    for depth in ColorDepth
    for background in (False, True)
}


def row_ansi(tile: RenderedTile, row: int) -> str:
    """One row of `tile` with minimal SGR, ending in the default colours."""
    fg_sgr = _PARAMETERS[tile.depth, False]
    bg_sgr = _PARAMETERS[tile.depth, True]
    parts: list[str] = []
    append = parts.append
    fg_now = bg_now = DEFAULT
    for text, fg, bg in tile.rows[row]:
        fg_change = fg != fg_now and text[0] != " "
        if bg != bg_now:
            if fg_change:
                append(f"\x1b[{fg_sgr[fg]};{bg_sgr[bg]}m{text}")
                fg_now = fg
            else:
                append(f"\x1b[{bg_sgr[bg]}m{text}")
            bg_now = bg
        elif fg_change:
            append(f"\x1b[{fg_sgr[fg]}m{text}")
            fg_now = fg
        else:
            append(text)
    if fg_now != DEFAULT or bg_now != DEFAULT:
        append(RESET)
    return "".join(parts)


def tile_ansi(tile: RenderedTile) -> str:
    """A whole text frame: cursor home, then every row."""
    return HOME + "\n".join([row_ansi(tile, row) for row in range(len(tile.rows))])

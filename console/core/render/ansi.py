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


_CACHE_LIMIT = 1 << 16
_caches: dict[tuple[ColorDepth, bool], dict[int, str]] = {}


def _sgr_cache(depth: ColorDepth, background: bool) -> dict[int, str]:
    """Parameters per colour code, remembered (boundedly) across rows and frames."""
    cache = _caches.setdefault((depth, background), {})
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    return cache


def row_ansi(tile: RenderedTile, row: int) -> str:
    """One row of `tile` with minimal SGR, ending in the default colours."""
    depth = tile.depth
    fg_sgr = _sgr_cache(depth, False)
    bg_sgr = _sgr_cache(depth, True)
    parts: list[str] = []
    fg_now = bg_now = DEFAULT
    for text, fg, bg in tile.rows[row]:
        fg_change = fg != fg_now and text[0] != " "
        if fg_change or bg != bg_now:
            params = []
            if fg_change:
                params.append(
                    fg_sgr.get(fg) or fg_sgr.setdefault(fg, _sgr_colour(depth, fg, False))
                )
                fg_now = fg
            if bg != bg_now:
                params.append(bg_sgr.get(bg) or bg_sgr.setdefault(bg, _sgr_colour(depth, bg, True)))
                bg_now = bg
            parts.append(f"\x1b[{';'.join(params)}m")
        parts.append(text)
    if fg_now != DEFAULT or bg_now != DEFAULT:
        parts.append(RESET)
    return "".join(parts)


def tile_ansi(tile: RenderedTile) -> str:
    """A whole text frame: cursor home, then every row."""
    return HOME + "\n".join(row_ansi(tile, row) for row in range(len(tile.rows)))

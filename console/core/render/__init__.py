"""Terminal renderers for masked camera frames: half-block, ASCII and sixel.

Pure: no Textual or Rich here. A renderer turns a `MaskedFrame` into a `RenderedTile`
(runs of cells with integer colour codes, row keys, optional sixel payload); the UI and
`veil render` decide how to put that on a terminal.
"""

from __future__ import annotations

from console.core.render.ascii import AsciiRenderer
from console.core.render.halfblock import HalfBlockRenderer
from console.core.render.sixel import SixelRenderer
from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, Run, TileRenderer
from console.core.render_modes import RENDER_MODES, RenderMode


def make_renderer(
    mode: RenderMode,
    depth: ColorDepth,
    hysteresis: int = 0,
    dither: bool = False,
    bits: int = 8,
) -> TileRenderer:
    """The renderer for a mode; `hysteresis` and `bits` apply to text modes, `dither` to
    sixel."""
    if mode == "sixel":
        return SixelRenderer(dither)
    if mode == "ascii":
        return AsciiRenderer(depth, hysteresis, bits)
    return HalfBlockRenderer(depth, hysteresis, bits)


__all__ = [
    "DEFAULT",
    "RENDER_MODES",
    "AsciiRenderer",
    "ColorDepth",
    "HalfBlockRenderer",
    "RenderMode",
    "RenderedTile",
    "Run",
    "SixelRenderer",
    "TileRenderer",
    "make_renderer",
]

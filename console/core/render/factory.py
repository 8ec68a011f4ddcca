"""Choosing a tile renderer by mode name, the one place that knows every renderer."""

from __future__ import annotations

from console.core.render.ascii import AsciiRenderer
from console.core.render.halfblock import HalfBlockRenderer
from console.core.render.kitty import KittyRenderer
from console.core.render.modes import RenderMode
from console.core.render.sixel import SixelRenderer
from console.core.render.tile import ColorDepth, TileRenderer


def make_renderer(
    mode: RenderMode,
    depth: ColorDepth,
    hysteresis: int = 0,
    dither: bool = False,
    bits: int = 8,
    image_id: int = 1,
    max_px: tuple[int, int] | None = None,
) -> TileRenderer:
    """The renderer for a mode; `hysteresis` and `bits` apply to text modes, `dither` and
    `max_px` (the terminal's largest image) to sixel, `image_id` to kitty (each tile on
    one screen needs its own)."""
    if mode == "kitty":
        return KittyRenderer(image_id)
    if mode == "sixel":
        return SixelRenderer(dither, max_px)
    if mode == "ascii":
        return AsciiRenderer(depth, hysteresis, bits)
    return HalfBlockRenderer(depth, hysteresis, bits)

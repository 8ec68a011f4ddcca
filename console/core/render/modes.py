"""The names of the tile renderers, apart from the renderers themselves.

Every `veil` verb's argument parser is built at start-up, and `veil render --mode` lists
these names; importing them from `console.core.render` would load numpy and OpenCV into
`veil audit show` and every other verb that never draws a tile.
"""

from __future__ import annotations

from typing import Literal

RenderMode = Literal["kitty", "sixel", "halfblock", "ascii"]
RENDER_MODES: tuple[RenderMode, ...] = ("kitty", "sixel", "halfblock", "ascii")

IMAGE_MODES: tuple[RenderMode, ...] = ("kitty", "sixel")
"""Modes that draw a tile as a terminal picture over blank cells, with a text picture
standing in wherever the image may not be drawn (under a toast, an overlay, a modal)."""

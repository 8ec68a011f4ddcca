"""Golden outputs: tiny frames in every mode and colour depth, byte for byte.

A golden changes only when the output really changes; review the diff, then refresh with
VEIL_UPDATE_GOLDENS=1. Files hold the frame with escapes spelled out (unicode_escape)
so a diff is readable.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.privacy.masks import Mask, RectGeometry
from console.core.render.ansi import tile_ansi
from console.core.render.factory import make_renderer
from console.core.render.modes import RenderMode
from console.core.render.tile import ColorDepth
from tests.support.frames import gradient

GOLDEN = Path(__file__).parent / "golden"
CELL = (4, 12)
TILES: dict[RenderMode, tuple[int, int]] = {"halfblock": (4, 2), "ascii": (6, 3), "sixel": (2, 1)}
CASES: list[tuple[RenderMode, ColorDepth | None, bool]] = [
    *(("halfblock", depth, False) for depth in ColorDepth),
    *(("ascii", depth, False) for depth in ColorDepth),
    ("sixel", None, False),
    ("sixel", None, True),
]


def frame(width: int, height: int) -> MaskedFrame:
    """A colour gradient with a solid red mask over its top-left corner."""
    picture = gradient(width, height)
    picture[-1, -1] = (255, 255, 255)  # one bright pixel, so every ramp and threshold shows
    mask = Mask("corner", "permanent", "solid", RectGeometry(0.0, 0.0, 0.4, 0.4), (0, 0, 255))
    return CameraMasker("cam", [mask]).preview(picture, width, height)


def output(mode: RenderMode, depth: ColorDepth | None, dither: bool) -> str:
    renderer = make_renderer(mode, depth or ColorDepth.TRUECOLOR, dither=dither)
    cols, rows = TILES[mode]
    tile = renderer.render(frame(*renderer.pixel_size(cols, rows, CELL)), cols, rows, CELL)
    return tile.graphics if tile.graphics is not None else tile_ansi(tile).decode()


@pytest.mark.parametrize(("mode", "depth", "dither"), CASES)
def test_golden_output(mode: RenderMode, depth: ColorDepth | None, dither: bool) -> None:
    name = f"{mode}-{depth.value if depth else ('dither' if dither else 'plain')}.txt"
    path = GOLDEN / name
    spelled = output(mode, depth, dither).encode("unicode_escape").decode("ascii")
    if os.environ.get("VEIL_UPDATE_GOLDENS") == "1":
        path.write_text(spelled + "\n")
    assert path.exists(), f"missing golden {path}; create it with VEIL_UPDATE_GOLDENS=1"
    assert spelled == path.read_text().rstrip("\n")


def test_goldens_cover_different_pictures() -> None:
    """Every depth really renders differently (a golden per depth is not a copy)."""
    outputs = {output(mode, depth, dither) for mode, depth, dither in CASES}
    assert len(outputs) == len(CASES)
    assert np.all([len(text) > 10 for text in outputs])

"""Fewer levels per channel in truecolor text tiles: close to the picture, black and white
exact, and a masked area still one colour."""

from __future__ import annotations

import numpy as np

from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import Mask, RectGeometry
from console.core.render.factory import make_renderer
from console.core.render.palette import color_codes
from console.core.render.tile import ColorDepth


def channels(codes: np.ndarray) -> np.ndarray:
    return np.stack([(codes >> 16) & 0xFF, (codes >> 8) & 0xFF, codes & 0xFF], axis=-1)


def test_six_bits_keep_sixty_four_levels_near_every_value() -> None:
    ramp = np.repeat(np.arange(256, dtype=np.uint8)[None, :, None], 3, axis=2)
    exact = channels(color_codes(ramp, ColorDepth.TRUECOLOR))
    coarse = channels(color_codes(ramp, ColorDepth.TRUECOLOR, bits=6))
    assert len(np.unique(coarse[..., 0])) == 64
    assert np.abs(coarse.astype(int) - exact).max() <= 2
    assert coarse[0, 0].tolist() == [0, 0, 0] and coarse[0, 255].tolist() == [255, 255, 255]


def test_other_depths_ignore_the_levels() -> None:
    pixels = np.random.default_rng(1).integers(0, 256, (8, 8, 3), dtype=np.uint8)
    for depth in (ColorDepth.COLOR256, ColorDepth.COLOR16, ColorDepth.MONO):
        assert np.array_equal(color_codes(pixels, depth), color_codes(pixels, depth, bits=6))


def test_a_solid_mask_stays_one_colour_with_fewer_levels() -> None:
    colour = (95, 58, 30)
    mask = Mask("keypad", "permanent", "solid", RectGeometry(0.25, 0.25, 0.75, 0.75), colour)
    noise = np.random.default_rng(2).integers(0, 256, (40, 40, 3), dtype=np.uint8)
    frame = CameraMasker("cam", [mask]).preview(noise, 40, 40)
    tile = make_renderer("halfblock", ColorDepth.TRUECOLOR, bits=6).render(frame, 40, 20, (10, 20))
    expected = int(color_codes(np.array([[colour]], np.uint8), ColorDepth.TRUECOLOR, 6)[0, 0])
    for row in tile.rows[6:14]:  # pixel rows 12..27: inside the mask's 10..29
        cells = [(text[0], fg, bg) for text, fg, bg in row for _ in text]
        for glyph, fg, bg in cells[11:29]:
            assert bg == expected and (glyph == " " or fg == expected)

"""Privacy in every mode: what a tile shows under a mask depends on the mask alone.

Each case renders a high-contrast secret behind solid masks and checks every shown
pixel that touches a mask (a half cell in half-block, a cell in ASCII, a decoded pixel
in sixel and kitty). The text modes are checked on the bytes `veil render` writes, so the writer
is covered too, and sixel and kitty through their decoders, as a terminal would see it.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.privacy.masks import GridGeometry, Mask, PolygonGeometry, RectGeometry, rasterize
from console.core.render.ansi import tile_ansi
from console.core.render.factory import make_renderer
from console.core.render.kitty_decode import parse_kitty
from console.core.render.modes import RENDER_MODES, RenderMode
from console.core.render.palette import color_codes
from console.core.render.sixel_decode import decode_sixel
from console.core.render.tile import ColorDepth, TileRenderer
from tests.render.screen import paint
from tests.support.frames import gradient, secret_pattern

MASK_COLOR = (30, 140, 200)
"""BGR; on no palette exactly, so every depth has to map it."""

MASKS = (
    Mask("door", "permanent", "solid", RectGeometry(0.103, 0.07, 0.391, 0.52), MASK_COLOR),
    Mask(
        "window",
        "permanent",
        "solid",
        PolygonGeometry(((0.55, 0.1), (0.93, 0.2), (0.8, 0.71), (0.6, 0.6))),
        MASK_COLOR,
    ),
    Mask("desk", "permanent", "solid", GridGeometry(16, frozenset({(3, 13), (4, 13)})), MASK_COLOR),
)

CASES: list[tuple[RenderMode, ColorDepth, bool]] = [
    *(("halfblock", depth, False) for depth in ColorDepth),
    *(("ascii", depth, False) for depth in ColorDepth),
    ("sixel", ColorDepth.TRUECOLOR, False),
    ("sixel", ColorDepth.TRUECOLOR, True),
    ("kitty", ColorDepth.TRUECOLOR, False),
]
SIZES = [(37, 11, (7, 15)), (80, 24, (10, 20)), (13, 5, (9, 18))]

Shown = npt.NDArray[np.int64]
"""One value per shown pixel that identifies what the terminal draws there."""


class Lift:
    def __init__(self, lifted: bool) -> None:
        self.value = lifted

    def lifted(self) -> bool:
        return self.value


def shown(
    renderer: TileRenderer, frame: MaskedFrame, cols: int, rows: int, cell: tuple[int, int]
) -> Shown:
    """What the terminal shows per pixel of the tile's pixel grid."""
    tile = renderer.render(frame, cols, rows, cell)
    if tile.graphics is not None and renderer.mode == "kitty":
        (command,) = parse_kitty(tile.graphics.encode())
        assert command.action == "T"
        bgr = command.pixels().astype(np.int64)
        return (bgr[..., 2] << 16) | (bgr[..., 1] << 8) | bgr[..., 0]
    if tile.graphics is not None:
        image = decode_sixel(tile.graphics.encode())
        assert image.painted.all()
        bgr = image.pixels.astype(np.int64)
        return (bgr[..., 2] << 16) | (bgr[..., 1] << 8) | bgr[..., 0]
    screen = paint(tile_ansi(tile).decode())
    if renderer.mode == "ascii":
        return np.array(
            [[hash((c.char, c.fg if c.char != " " else 0)) for c in row] for row in screen]
        )
    halves = []
    for row in screen:  # top and bottom pixel of each half-block cell
        tops, bottoms = [], []
        for c in row:
            lit = {"▀": (c.fg, c.bg), "▄": (c.bg, c.fg), " ": (c.bg, c.bg), "█": (c.fg, c.fg)}
            top, bottom = lit[c.char]
            if c.char in "▀▄█" and c.fg == c.bg == -1:  # mono: lit halves in the default fg
                top = 1 if c.char in "▀█" else 0
                bottom = 1 if c.char in "▄█" else 0
            tops.append(top)
            bottoms.append(bottom)
        halves += [tops, bottoms]
    return np.array(halves, np.int64)


def touched(width: int, height: int) -> npt.NDArray[np.bool_]:
    raster = np.zeros((height, width), bool)
    for mask in MASKS:
        raster |= rasterize(mask.geometry, width, height)
    return raster


@pytest.mark.parametrize(("mode", "depth", "dither"), CASES)
@pytest.mark.parametrize(("cols", "rows", "cell"), SIZES)
def test_masked_pixels_show_only_the_mask(
    mode: RenderMode, depth: ColorDepth, dither: bool, cols: int, rows: int, cell: tuple[int, int]
) -> None:
    renderer = make_renderer(mode, depth, dither=dither)
    width, height = renderer.pixel_size(cols, rows, cell)
    flat = CameraMasker(
        "cam", [Mask("all", "permanent", "solid", RectGeometry(0, 0, 1, 1), MASK_COLOR)]
    )
    reference = shown(renderer, flat.preview(gradient(640, 360), width, height), cols, rows, cell)
    masker = CameraMasker("cam", MASKS)
    raster = touched(width, height)
    assert raster.any() and not raster.all()
    secret = secret_pattern(640, 360, 40)
    leaks = []
    for picture in (secret, 255 - secret):
        seen = shown(renderer, masker.preview(picture, width, height), cols, rows, cell)
        assert seen.shape == (height, width)
        assert np.array_equal(seen[raster], reference[raster])
        bare = shown(
            renderer, CameraMasker("cam", []).preview(picture, width, height), cols, rows, cell
        )
        leaks.append(not np.array_equal(bare[raster], reference[raster]))
    assert any(leaks), "without masks the secret shows there, so this check can fail"
    if mode == "halfblock" and depth is not ColorDepth.MONO:
        expected = color_codes(np.array([[MASK_COLOR]], np.uint8), depth)[0, 0]
        assert set(np.unique(seen[raster]).tolist()) == {int(expected)}


@pytest.mark.parametrize("mode", ["halfblock", "ascii"])
def test_hysteresis_forgets_what_a_lift_showed(mode: RenderMode) -> None:
    """Pixels held from a lifted frame must not survive under the returning mask."""
    mask = Mask("m", "liftable", "solid", RectGeometry(0.0, 0.0, 0.5, 1.0), (100, 100, 100))
    gate = Lift(True)
    masker = CameraMasker("cam", [mask], gate)
    # The secret differs from the mask by 20 per channel: noise to a 40 threshold.
    secret = np.where(secret_pattern(64, 48, 1) > 128, 120, 80).astype(np.uint8)
    renderer = make_renderer(mode, ColorDepth.TRUECOLOR, hysteresis=40)
    size = renderer.pixel_size(16, 6, (10, 20))
    lifted = renderer.render(masker.preview(secret, *size), 16, 6, (10, 20))
    gate.value = False
    masked = renderer.render(masker.preview(secret, *size), 16, 6, (10, 20))
    fresh = make_renderer(mode, ColorDepth.TRUECOLOR).render(
        masker.preview(secret, *size), 16, 6, (10, 20)
    )
    assert list(masked.rows) == list(fresh.rows)
    assert list(lifted.rows) != list(masked.rows)


def test_renderers_take_only_masked_frames() -> None:
    raw = secret_pattern(80, 48)
    for mode in RENDER_MODES:
        renderer = make_renderer(mode, ColorDepth.TRUECOLOR)
        with pytest.raises(TypeError, match="MaskedFrame"):
            renderer.render(raw, 80, 24, (10, 20))  # type: ignore[arg-type]

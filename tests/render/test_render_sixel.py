"""Sixel encoding: structure, exact round trips through the decoder, dithering, RLE."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from console.core.privacy.masking import CameraMasker
from console.core.render.sixel import MAX_WIDTH, PALETTE, SixelRenderer, encode_sixel, sixel_indices
from console.core.render.sixel_decode import decode_sixel, find_sixels
from console.core.render.tile import ColorDepth
from tests.support.frames import gradient, secret_pattern

HEADER = re.compile(r'\x1bP0;0;0q"1;1;(\d+);(\d+)')
DEFINITION = re.compile(r"#(\d+);2;(\d+);(\d+);(\d+)")


def decoded_palette() -> npt.NDArray[np.uint8]:
    """PALETTE as a terminal gets it: through whole percentages, as BGR."""
    percent = (PALETTE.astype(np.int64) * 100 + 127) // 255
    return ((percent * 255 + 50) // 100).astype(np.uint8)[:, ::-1]


def structure(dcs: str, width: int, height: int) -> None:
    header = HEADER.match(dcs)
    assert header is not None and (int(header[1]), int(header[2])) == (width, height)
    assert dcs.endswith("\x1b\\") and dcs.count("\x1b") == 2
    body = dcs[header.end() : -2]
    definitions = DEFINITION.findall(body)
    registers = [int(d[0]) for d in definitions]
    assert len(registers) == len(set(registers)) <= 256
    assert all(0 <= int(c) <= 100 for d in definitions for c in d[1:])
    data = DEFINITION.sub("", body)
    assert data.startswith("#"), "definitions come first, then the data"
    assert set(int(r) for r in re.findall(r"#(\d+)", data)) == set(registers)
    assert data.count("-") == -(-height // 6) - 1
    assert not data.endswith(("-", "$")), "nothing after the last line of the last band"
    assert re.fullmatch(r"(#\d+|![0-9]+[?-~]|[?-~]|\$|-)+", data)


@pytest.mark.parametrize(("width", "height"), [(1, 1), (7, 13), (33, 6), (5, 7), (120, 48)])
def test_structure_and_exact_round_trip(width: int, height: int) -> None:
    indices = sixel_indices(gradient(width, height))
    dcs = encode_sixel(indices, PALETTE)
    structure(dcs, width, height)
    image = decode_sixel(dcs.encode())
    assert image.raster == (width, height)
    assert image.pixels.shape == (height, width, 3)
    assert image.bands == -(-height // 6)
    assert image.painted.all()
    assert np.array_equal(image.pixels, decoded_palette()[indices])
    assert image.registers == set(np.unique(indices).tolist())


@settings(max_examples=100, deadline=None)
@given(
    hnp.arrays(
        np.uint8,
        hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=40),
        elements=st.sampled_from([0, 5, 42, 100, 251]),
    )
)
def test_any_picture_round_trips(indices: npt.NDArray[np.uint8]) -> None:
    height, width = indices.shape
    dcs = encode_sixel(indices, PALETTE)
    structure(dcs, width, height)
    image = decode_sixel(dcs.encode())
    assert np.array_equal(image.pixels, decoded_palette()[indices])
    assert image.painted.all()


def test_runs_are_length_encoded() -> None:
    dcs = encode_sixel(np.full((6, 100), 7, np.uint8), PALETTE)
    assert dcs.endswith("#7!100~\x1b\\")
    short = encode_sixel(np.full((6, 3), 7, np.uint8), PALETTE)
    assert short.endswith("#7~~~\x1b\\")
    gap = np.full((6, 10), 7, np.uint8)
    gap[:, 8:] = 9
    assert encode_sixel(gap, PALETTE).endswith("#7!8~$#9!8?~~\x1b\\")


def test_lines_drop_trailing_empty_sixels() -> None:
    indices = np.zeros((6, 50), np.uint8)
    indices[:, :2] = 3
    dcs = encode_sixel(indices, PALETTE)
    assert dcs.endswith("#0??!48~$#3~~\x1b\\")


def test_nearest_palette_colour_without_dither() -> None:
    assert sixel_indices(
        np.array([[[0, 0, 0], [255, 255, 255], [0, 0, 255]]], np.uint8)
    ).tolist() == [[0, 215, 5 * 36]]
    assert np.array_equal(PALETTE[sixel_indices(PALETTE[None, :, ::-1].copy())[0]], PALETTE)


def test_every_grey_stays_grey_and_close() -> None:
    """A cube alone turns light and mid greys into tints (a blurred white mask showed as a
    pink blob); the grey ramp keeps every grey a grey, within 5 levels (half a ramp step
    plus the lookup table's 4-level bins)."""
    levels = np.arange(256, dtype=np.uint8)
    greys = np.repeat(levels[None, :, None], 3, axis=2)
    shown = PALETTE[sixel_indices(greys)[0]].astype(int)
    assert (shown[:, 0] == shown[:, 1]).all() and (shown[:, 1] == shown[:, 2]).all()
    assert np.abs(shown[:, 0] - levels).max() <= 5
    assert len(PALETTE) == 255 and len(np.unique(PALETTE, axis=0)) == 255


def test_dither_mixes_neighbouring_colours_and_keeps_palette_colours_flat() -> None:
    between = np.full((12, 12, 3), (25, 25, 25), np.uint8)  # halfway between two levels
    dithered = sixel_indices(between, dither=True)
    assert len(np.unique(dithered)) > 1
    mean = PALETTE[dithered].astype(float).mean(axis=(0, 1))
    assert np.allclose(mean, 25, atol=4)
    exact = np.full((12, 12, 3), PALETTE[100][::-1], np.uint8)
    assert set(np.unique(sixel_indices(exact, dither=True)).tolist()) == {100}


def test_encoder_rejects_what_it_cannot_write() -> None:
    with pytest.raises(ValueError, match="0x4"):
        encode_sixel(np.zeros((4, 0), np.uint8), PALETTE)
    with pytest.raises(ValueError, match="sixel"):
        encode_sixel(np.zeros((1, MAX_WIDTH + 1), np.uint8), PALETTE)


def test_renderer_sizes_graphics_to_whole_bands_within_the_tile() -> None:
    renderer = SixelRenderer()
    assert renderer.pixel_size(80, 24, (10, 20)) == (800, 480)
    assert renderer.pixel_size(10, 3, (9, 17)) == (90, 48)  # 51 px of rows -> 48
    size = renderer.pixel_size(10, 3, (9, 17))
    frame = CameraMasker("cam", []).preview(secret_pattern(64, 36), *size)
    tile = renderer.render(frame, 10, 3, (9, 17))
    assert tile.graphics is not None and tile.graphics_px == size
    structure(tile.graphics, *size)
    assert list(tile.rows) == [[(" " * 10, -1, -1)]] * 3
    assert tile.depth is ColorDepth.TRUECOLOR


def test_decoder_finds_frames_and_rejects_garbage() -> None:
    one = encode_sixel(np.zeros((6, 4), np.uint8), PALETTE)
    two = encode_sixel(np.full((6, 4), 9, np.uint8), PALETTE)
    stream = ("\x1b[H" + one + "\x1b[H" + two).encode()
    assert find_sixels(stream) == [one.encode(), two.encode()]
    with pytest.raises(ValueError, match="unexpected byte"):
        decode_sixel(b'\x1bPq"1;1;4;6#0~~*~\x1b\\')
    with pytest.raises(ValueError, match="not a single sixel"):
        decode_sixel(b"hello")
    with pytest.raises(ValueError, match="RGB"):
        decode_sixel(b"\x1bPq#1;1;120;50;100~\x1b\\")


def test_decoder_paints_later_colours_over_earlier_ones() -> None:
    image = decode_sixel(b"\x1bPq#1;2;100;0;0#2;2;0;0;100#1~~~$#2?~-#1@\x1b\\")
    assert image.pixels[0, :3, ::-1].tolist() == [[255, 0, 0], [0, 0, 255], [255, 0, 0]]
    assert image.painted[6].tolist() == [True, False, False]
    assert image.bands == 2 and image.raster is None


def test_an_image_over_the_terminals_limit_is_scaled_down_and_centred() -> None:
    """xterm shows nothing of a sixel image larger than its limit (XTSMGRAPHICS)."""
    renderer = SixelRenderer(max_px=(500, 400))
    size = renderer.pixel_size(80, 24, (10, 20))
    assert size == (500, 300)  # 800x480 scaled by 0.625, proportions kept, whole bands
    tile = renderer.render(
        CameraMasker("cam", []).preview(gradient(640, 360), *size), 80, 24, (10, 20)
    )
    assert tile.graphics is not None
    image = decode_sixel(tile.graphics.encode())
    assert image.pixels.shape[:2] == (300, 500)
    assert tile.graphics_cells == (15, 4, 50, 15)
    assert (
        SixelRenderer(max_px=(5000, 5000))
        .render(CameraMasker("cam", []).preview(gradient(640, 360), 800, 480), 80, 24, (10, 20))
        .graphics_cells
        is None
    ), "a tile within the limit covers all its cells"


def test_a_limit_too_small_for_one_band_leaves_the_text_picture() -> None:
    renderer = SixelRenderer(max_px=(100, 5))
    assert renderer.pixel_size(10, 3, (10, 20))[1] == 0
    tile = renderer.render(
        CameraMasker("cam", []).preview(gradient(64, 36), 10, 6), 10, 3, (10, 20)
    )
    assert tile.graphics is None

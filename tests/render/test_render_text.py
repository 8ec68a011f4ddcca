"""Text tiles: runs, row keys, colour tables, hysteresis and the minimal-SGR writer."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from console.core.privacy.masking import CameraMasker, MaskedFrame
from console.core.render.ansi import tile_ansi
from console.core.render.ascii import AsciiRenderer
from console.core.render.cells import build_tile
from console.core.render.factory import make_renderer
from console.core.render.fit import fit_cells
from console.core.render.halfblock import HalfBlockRenderer
from console.core.render.palette import XTERM256, color_codes
from console.core.render.tile import ColorDepth
from tests.render.screen import Cell, cells, paint

FAST = settings(max_examples=80, deadline=None)


def masked(pixels: npt.NDArray[np.uint8], camera: str = "cam") -> MaskedFrame:
    return CameraMasker(camera, []).preview(pixels, pixels.shape[1], pixels.shape[0])


def pictures(max_cols: int = 12, max_rows: int = 6) -> st.SearchStrategy[npt.NDArray[np.uint8]]:
    """Small pictures with few distinct colours, so runs and equal rows really occur."""
    return st.tuples(st.integers(1, max_cols), st.integers(1, max_rows)).flatmap(
        lambda size: hnp.arrays(
            np.uint8,
            (size[1] * 2, size[0], 3),
            elements=st.sampled_from([0, 7, 128, 255]),
        )
    )


def halfblock_expected(pixels: npt.NDArray[np.uint8], depth: ColorDepth) -> list[list[Cell]]:
    """Per-cell half-block reference, computed the slow and obvious way."""
    codes = color_codes(pixels, depth)
    rows = []
    for y in range(0, pixels.shape[0], 2):
        row = []
        for x in range(pixels.shape[1]):
            top, bottom = int(codes[y, x]), int(codes[y + 1, x])
            row.append(Cell(" ", -1, bottom) if top == bottom else Cell("▀", top, bottom))
        rows.append(row)
    return rows


@FAST
@given(pictures(), st.sampled_from([ColorDepth.TRUECOLOR, ColorDepth.COLOR256, ColorDepth.COLOR16]))
def test_halfblock_runs_are_the_cells_merged(
    pixels: npt.NDArray[np.uint8], depth: ColorDepth
) -> None:
    rows, cols = pixels.shape[0] // 2, pixels.shape[1]
    tile = HalfBlockRenderer(depth).render(masked(pixels), cols, rows, (10, 20))
    assert cells(tile) == halfblock_expected(pixels, depth)
    for runs in tile.rows:
        assert sum(len(text) for text, _, _ in runs) == cols
        assert all(len(set(text)) == 1 for text, _, _ in runs)
        assert all(a != b for a, b in zip(runs, runs[1:], strict=False)), "neighbouring runs differ"
        assert all(
            a[0][0] != b[0][0] or a[1:] != b[1:] for a, b in zip(runs, runs[1:], strict=False)
        )
    for a in range(rows):
        for b in range(rows):
            same = cells(tile)[a] == cells(tile)[b]
            assert (tile.row_keys[a] == tile.row_keys[b]) == same


@FAST
@given(pictures(), st.sampled_from(list(ColorDepth)), st.sampled_from(["halfblock", "ascii"]))
def test_writer_paints_exactly_the_tile(
    pixels: npt.NDArray[np.uint8], depth: ColorDepth, mode: str
) -> None:
    renderer = HalfBlockRenderer(depth) if mode == "halfblock" else AsciiRenderer(depth)
    cols = pixels.shape[1]
    rows = pixels.shape[0] // (2 if mode == "halfblock" else 1)
    size = renderer.pixel_size(cols, rows, (10, 20))
    tile = renderer.render(masked(pixels[: size[1]]), cols, rows, (10, 20))

    def visible(grid: list[list[Cell]]) -> list[list[Cell]]:
        return [[Cell(c.char, c.fg if c.char != " " else -1, c.bg) for c in row] for row in grid]

    assert visible(paint(tile_ansi(tile).decode())) == visible(cells(tile))


def test_writer_sends_only_colour_changes() -> None:
    glyphs = np.array([[1, 0, 0, 1, 1, 0], [4, 4, 0, 0, 0, 0]], np.uint8)
    fg = np.array([[0x010203, 7, 7, 0x010203, 0x010203, 7], [-1, -1, 9, 9, 9, 9]], np.int32)
    bg = np.array([[0x040506, 0x040506, 0x040506, 0x070809, 0x070809, -1], [-1] * 6], np.int32)
    tile = build_tile("halfblock", ColorDepth.TRUECOLOR, glyphs, fg, bg)
    assert tile_ansi(tile) == (
        b"\x1b[H\x1b[38;2;1;2;3;48;2;4;5;6m\xe2\x96\x80  \x1b[48;2;7;8;9m\xe2\x96\x80\xe2\x96\x80"
        b"\x1b[49m \x1b[0m\n..    "
    )
    small = build_tile("ascii", ColorDepth.COLOR256, glyphs[1:], fg[1:] + 20, bg[1:])
    assert tile_ansi(small) == b"\x1b[H\x1b[38;5;19m..    \x1b[0m"
    ansi16 = build_tile("ascii", ColorDepth.COLOR16, glyphs[1:], fg[1:] + 10, bg[1:] + 4)
    assert tile_ansi(ansi16) == b"\x1b[H\x1b[91;43m..    \x1b[0m"


def test_colour_tables() -> None:
    pixels = np.array(
        [[[175, 135, 95], [128, 128, 128], [0, 0, 255], [0, 0, 0], [255, 255, 255]]], np.uint8
    )
    assert color_codes(pixels, ColorDepth.TRUECOLOR).tolist() == [
        [0x5F87AF, 0x808080, 0xFF0000, 0, 0xFFFFFF]
    ]
    assert color_codes(pixels, ColorDepth.COLOR256).tolist() == [[67, 244, 196, 16, 231]]
    assert color_codes(pixels, ColorDepth.COLOR16).tolist() == [[8, 8, 9, 0, 15]]
    assert color_codes(pixels, ColorDepth.MONO).tolist() == [[-1] * 5]
    cube = XTERM256[16:232][:, ::-1].reshape(1, -1, 3).copy()
    assert color_codes(cube, ColorDepth.COLOR256).tolist() == [list(range(16, 232))]


@FAST
@given(hnp.arrays(np.uint8, (4, 4, 3)), st.sampled_from([ColorDepth.COLOR256, ColorDepth.COLOR16]))
def test_palette_codes_are_the_nearest_colours(
    pixels: npt.NDArray[np.uint8], depth: ColorDepth
) -> None:
    first = 16 if depth is ColorDepth.COLOR256 else 0
    last = 256 if depth is ColorDepth.COLOR256 else 16
    rgb = pixels[..., ::-1].reshape(-1, 3).astype(np.int64)
    error = ((rgb[:, None, :] - XTERM256[None, first:last].astype(np.int64)) ** 2).sum(axis=2)
    codes = color_codes(pixels, depth).reshape(-1)
    assert ((first <= codes) & (codes < last)).all()
    chosen = error[np.arange(len(codes)), codes - first]
    assert np.array_equal(chosen, error.min(axis=1))


def test_ascii_ramp_and_mono() -> None:
    levels = np.array([[[v, v, v] for v in (0, 30, 100, 200, 255)]], np.uint8)
    tile = AsciiRenderer(ColorDepth.MONO).render(masked(levels), 5, 1, (10, 20))
    assert list(tile.rows) == [
        [(" ", -1, -1), (".", -1, -1), ("-", -1, -1), ("#", -1, -1), ("@", -1, -1)]
    ]
    coloured = AsciiRenderer(ColorDepth.TRUECOLOR).render(masked(levels), 5, 1, (10, 20))
    assert [fg for _, fg, _ in coloured.rows[0]] == [-1, 0x1E1E1E, 0x646464, 0xC8C8C8, 0xFFFFFF]


def test_mono_halfblock_draws_lit_halves() -> None:
    pixels = np.zeros((2, 4, 3), np.uint8)
    pixels[0, 1] = pixels[1, 2] = pixels[:, 3] = 255
    tile = HalfBlockRenderer(ColorDepth.MONO).render(masked(pixels), 4, 1, (10, 20))
    assert "".join(text for text, _, _ in tile.rows[0]) == " ▀▄█"


def test_hysteresis_keeps_rows_steady_under_noise() -> None:
    rng = np.random.default_rng(1)
    base = rng.integers(40, 200, (8, 10, 3)).astype(np.uint8)
    renderer = make_renderer("halfblock", ColorDepth.TRUECOLOR, hysteresis=6)
    first = renderer.render(masked(base), 10, 4, (10, 20))
    noisy = (base.astype(int) + rng.integers(-5, 6, base.shape)).astype(np.uint8)
    assert renderer.render(masked(noisy), 10, 4, (10, 20)).row_keys == first.row_keys
    moved = base.copy()
    moved[4:6] = 255 - moved[4:6]
    after = renderer.render(masked(moved), 10, 4, (10, 20))
    changed = [a != b for a, b in zip(first.row_keys, after.row_keys, strict=True)]
    assert changed == [False, False, True, False]
    plain = make_renderer("halfblock", ColorDepth.TRUECOLOR)
    assert plain.render(masked(noisy), 10, 4, (10, 20)).row_keys != first.row_keys


def test_hysteresis_restarts_for_another_camera_or_size() -> None:
    base = np.full((4, 4, 3), 100, np.uint8)
    near = np.full((4, 4, 3), 103, np.uint8)
    renderer = make_renderer("ascii", ColorDepth.TRUECOLOR, hysteresis=6)
    renderer.render(masked(base[:4]), 4, 4, (10, 20))
    assert renderer.render(masked(near, "other"), 4, 4, (10, 20)).rows[0][0][1] == 0x676767


def test_wrong_sized_frames_are_scaled_without_blending() -> None:
    pixels = np.zeros((4, 4, 3), np.uint8)
    pixels[:, 2:] = 255
    tile = AsciiRenderer(ColorDepth.MONO).render(masked(pixels), 2, 1, (10, 20))
    assert list(tile.rows) == [[(" ", -1, -1), ("@", -1, -1)]]


@pytest.mark.parametrize(
    ("source", "box", "cell", "expected"),
    [
        ((640, 360), (80, 24), (10, 20), (80, 22)),
        ((360, 640), (80, 24), (10, 20), (27, 24)),
        ((800, 480), (80, 24), (10, 20), (80, 24)),
        ((1, 1000), (5, 5), (10, 20), (1, 5)),
    ],
)
def test_fit_keeps_proportions_inside_the_tile(
    source: tuple[int, int], box: tuple[int, int], cell: tuple[int, int], expected: tuple[int, int]
) -> None:
    assert fit_cells(source, *box, cell) == expected


def test_fit_rejects_empty_sizes() -> None:
    with pytest.raises(ValueError, match="cannot fit"):
        fit_cells((0, 10), 80, 24, (10, 20))

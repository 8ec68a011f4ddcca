"""Tile edges (issue 10, §8): a tile pixel made from a source pixel that the full-resolution
path masks is itself masked, so nothing a mask hides is averaged into an unmasked tile pixel.

The masked pixels are found by looking, not by asking the masker: a frame and its photo
negative are masked with a solid mask, and a pixel is masked where the two results agree
(the frames keep to 0..100 and 155..255, so no unmasked pixel can agree).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import Geometry, Mask, MaskStyle, RectGeometry, resample_outward
from tests.core.test_masking import grids, rects, triangles

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
sources = st.tuples(st.integers(4, 160), st.integers(4, 120))
tiles = st.tuples(st.integers(1, 160), st.integers(1, 120))
geometries = st.one_of(rects(), grids(), triangles())


def dark_frame(width: int, height: int, seed: int) -> np.ndarray:
    """Random pixels in 0..100: its negative (155..255) differs from it everywhere."""
    return np.random.default_rng(seed).integers(0, 101, (height, width, 3), dtype=np.uint8)


def painted(masker: CameraMasker, frame: np.ndarray, tile: tuple[int, int] | None) -> np.ndarray:
    """Pixels a solid masker paints: the same in the frame's result and its negative's."""

    def mask(image: np.ndarray) -> np.ndarray:
        return (masker.preview(image, *tile) if tile else masker.full(image)).pixels

    return np.asarray((mask(frame) == mask(255 - frame)).all(axis=2))


def footprints(width: int, height: int, source: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Oracle, by exact integer overlap: (rows, cols) matrices saying whether tile pixel i's
    footprint overlaps source pixel j (tile i spans [i*S/T, (i+1)*S/T) in source pixels)."""

    def axis(tile: int, src: int) -> np.ndarray:
        i = np.arange(tile)[:, None]
        j = np.arange(src)[None, :]
        return (j * tile < (i + 1) * src) & ((j + 1) * tile > i * src)

    return axis(height, source[1]), axis(width, source[0])


def touching(covered: np.ndarray, width: int, height: int) -> np.ndarray:
    rows, cols = footprints(width, height, (covered.shape[1], covered.shape[0]))
    hits = rows.astype(np.int64) @ covered.astype(np.int64) @ cols.T.astype(np.int64)
    return np.asarray(hits > 0)


@PROPERTY
@given(
    geometry=geometries,
    style=st.sampled_from(("solid", "blur", "pixelate")),
    source=sources,
    tile=tiles,
    seed=st.integers(0, 2**32 - 1),
)
def test_changing_only_masked_source_pixels_changes_no_unmasked_tile_pixel(
    geometry: Geometry, style: MaskStyle, source: tuple[int, int], tile: tuple[int, int], seed: int
) -> None:
    frame = dark_frame(*source, seed)
    solid = CameraMasker("cam", [Mask("m", "permanent", "solid", geometry)])
    hidden = painted(solid, frame, None)
    other = frame.copy()
    noise = np.random.default_rng(seed + 1).integers(0, 256, other.shape, dtype=np.uint8)
    other[hidden] = noise[hidden]

    masker = CameraMasker("cam", [Mask("m", "permanent", style, geometry)])
    shown = ~painted(solid, frame, tile)
    before = masker.preview(frame, *tile).pixels
    after = masker.preview(other, *tile).pixels
    changed = (before != after).any(axis=2) & shown
    worst = int(np.abs(before.astype(int) - after.astype(int)).max(axis=2)[shown].max(initial=0))
    assert not changed.any(), (
        f"{int(changed.sum())} unmasked tile pixels changed (by up to {worst}/255) "
        f"when only masked source pixels did, at {source} -> {tile}"
    )


@PROPERTY
@given(geometry=geometries, source=sources, tile=tiles)
def test_every_tile_pixel_touching_a_masked_source_pixel_is_masked(
    geometry: Geometry, source: tuple[int, int], tile: tuple[int, int]
) -> None:
    frame = dark_frame(*source, 0)
    solid = CameraMasker("cam", [Mask("m", "permanent", "solid", geometry)])
    must = touching(painted(solid, frame, None), *tile)
    missed = must & ~painted(solid, frame, tile)
    assert not missed.any(), f"{int(missed.sum())} tile pixels at {source} -> {tile} leak"


@PROPERTY
@given(
    covered=st.tuples(st.integers(1, 90), st.integers(1, 70), st.integers(0, 2**32 - 1)),
    tile=tiles,
)
def test_outward_resampling_is_exactly_the_footprint_overlap(
    covered: tuple[int, int, int], tile: tuple[int, int]
) -> None:
    """Not more either: over-masking would cost the operator picture for nothing."""
    width, height, seed = covered
    raster = np.random.default_rng(seed).random((height, width)) < 0.05
    assert np.array_equal(resample_outward(raster, *tile), touching(raster, *tile))


@pytest.mark.parametrize(
    ("tile", "corner", "leaked"),
    [((639, 359), (947.95, 339.95), 80), ((500, 281), (815.95, 295.95), 63)],
)
def test_the_measured_edge_leaks_are_closed(
    tile: tuple[int, int], corner: tuple[float, float], leaked: int
) -> None:
    """The review's case: a 1920x1080 camera in a 639x359 or 500x281 tile, a mask whose
    corner lies just inside a source pixel that straddles a tile pixel's edge, bright video
    under the mask and dark video beside it. `leaked` is what the old tile rasters let
    through into the unmasked tile pixel next to the edge, out of 255."""
    geometry = RectGeometry(corner[0] / 1920, corner[1] / 1080, 0.7, 0.8)
    masker = CameraMasker("cam", [Mask("m", "permanent", "solid", geometry)])
    dark = np.zeros((1080, 1920, 3), np.uint8)
    bright = dark.copy()
    bright[masker.full(np.full_like(dark, 255)).pixels.max(axis=2) == 0] = 255
    before = masker.preview(dark, *tile).pixels.astype(int)
    after = masker.preview(bright, *tile).pixels.astype(int)
    worst = int(np.abs(after - before).max())
    assert worst == 0, f"{worst}/255 leaked into unmasked tile pixels (old rasters: {leaked})"

"""The masking stage's invariants, over random frames, sizes, geometries, styles and lifts."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.privacy.masking import CameraMasker, MaskedFrame, MaskingError, blank_frame
from console.core.privacy.masks import (
    GridGeometry,
    Mask,
    PolygonGeometry,
    RectGeometry,
    rasterize,
)
from tests.support.frames import secret_pattern

MASK_COLOR = (17, 34, 51)
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Lifted:
    def __init__(self, value: bool) -> None:
        self.value = value

    def lifted(self) -> bool:
        return self.value


def coordinate() -> st.SearchStrategy[float]:
    return st.floats(0.0, 1.0, allow_nan=False)


@st.composite
def rects(draw: st.DrawFn) -> RectGeometry:
    x0, x1 = sorted(draw(st.lists(coordinate(), min_size=2, max_size=2, unique=True)))
    y0, y1 = sorted(draw(st.lists(coordinate(), min_size=2, max_size=2, unique=True)))
    return RectGeometry(x0, y0, x1, y1)


@st.composite
def grids(draw: st.DrawFn) -> GridGeometry:
    size = draw(st.sampled_from((8, 16, 32, 64)))
    cell = st.tuples(st.integers(0, size - 1), st.integers(0, size - 1))
    return GridGeometry(size, frozenset(draw(st.lists(cell, min_size=1, max_size=12))))


@st.composite
def triangles(draw: st.DrawFn) -> PolygonGeometry:
    points = draw(st.lists(st.tuples(coordinate(), coordinate()), min_size=3, max_size=3))
    (ax, ay), (bx, by), (cx, cy) = points
    area = abs((bx - ax) * (cy - ay) - (cx - ax) * (by - ay))
    if area < 1e-4:
        points = [(0.2, 0.2), (0.8, 0.3), (0.4, 0.9)]
    return PolygonGeometry(tuple(points))


geometries = st.one_of(rects(), grids(), triangles())
sizes = st.tuples(st.integers(1, 97), st.integers(1, 61))


def touches(geometry: RectGeometry | GridGeometry, width: int, height: int) -> np.ndarray:
    """Oracle, independent of the rasteriser: pixels whose footprint overlaps the geometry."""
    boxes = (
        [(geometry.x0, geometry.y0, geometry.x1, geometry.y1)]
        if isinstance(geometry, RectGeometry)
        else [
            (c / geometry.size, r / geometry.size, (c + 1) / geometry.size, (r + 1) / geometry.size)
            for c, r in geometry.cells
        ]
    )
    left = np.arange(width)[None, :] / width
    right = (np.arange(width)[None, :] + 1) / width
    top = np.arange(height)[:, None] / height
    bottom = (np.arange(height)[:, None] + 1) / height
    hit = np.zeros((height, width), bool)
    for x0, y0, x1, y1 in boxes:
        overlap_x = (left < x1) & (right > x0) if x1 > x0 else (left <= x0) & (right >= x0)
        overlap_y = (top < y1) & (bottom > y0) if y1 > y0 else (top <= y0) & (bottom >= y0)
        hit |= overlap_x & overlap_y
    return hit


def inside_points(polygon: PolygonGeometry, count: int = 200) -> list[tuple[float, float]]:
    """Points strictly inside the triangle, by random barycentric coordinates."""
    rng = np.random.default_rng(7)
    (ax, ay), (bx, by), (cx, cy) = polygon.points[:3]
    points = []
    for _ in range(count):
        u, v = rng.random(2)
        if u + v > 1:
            u, v = 1 - u, 1 - v
        points.append((ax + u * (bx - ax) + v * (cx - ax), ay + u * (by - ay) + v * (cy - ay)))
    return points + list(polygon.points)


@FAST
@given(geometry=st.one_of(rects(), grids()), size=sizes)
def test_rect_and_grid_rasters_round_outward(
    geometry: RectGeometry | GridGeometry, size: tuple[int, int]
) -> None:
    width, height = size
    raster = rasterize(geometry, width, height)
    oracle = touches(geometry, width, height)
    assert not (oracle & ~raster).any(), "a pixel touching the mask was left unmasked"


@FAST
@given(polygon=triangles(), size=sizes)
def test_polygon_raster_covers_every_point_inside(
    polygon: PolygonGeometry, size: tuple[int, int]
) -> None:
    width, height = size
    raster = rasterize(polygon, width, height)
    for x, y in inside_points(polygon):
        col = min(width - 1, int(x * width))
        row = min(height - 1, int(y * height))
        assert raster[row, col], f"point {(x, y)} inside the polygon is not masked"


@FAST
@given(
    geometry=geometries,
    kind=st.sampled_from(("permanent", "liftable")),
    lifted=st.booleans(),
    source=st.tuples(st.integers(8, 160), st.integers(8, 120)),
    target=sizes,
    preview=st.booleans(),
)
def test_solid_masks_cover_every_touched_pixel_in_both_resolutions(
    geometry: RectGeometry | GridGeometry | PolygonGeometry,
    kind: str,
    lifted: bool,
    source: tuple[int, int],
    target: tuple[int, int],
    preview: bool,
) -> None:
    mask = Mask("m", kind, "solid", geometry, MASK_COLOR)  # type: ignore[arg-type]
    masker = CameraMasker("cam", [mask], Lifted(lifted))
    frame = secret_pattern(*source, square=1)
    out = masker.preview(frame, *target) if preview else masker.full(frame)
    assert isinstance(out, MaskedFrame)
    height, width = out.pixels.shape[:2]
    should_mask = not (lifted and kind == "liftable")
    assert out.lifted is lifted
    footprint = rasterize(geometry, width, height)
    painted = (out.pixels == MASK_COLOR).all(axis=2)
    if should_mask:
        assert painted[footprint].all(), "a pixel under an applied mask shows video"
    else:
        assert not painted.all() or footprint.all()


@FAST
@given(geometry=st.one_of(rects(), grids()), lifted=st.booleans(), size=sizes)
def test_pixels_away_from_masks_are_untouched_at_full_resolution(
    geometry: RectGeometry | GridGeometry, lifted: bool, size: tuple[int, int]
) -> None:
    masker = CameraMasker(
        "cam", [Mask("m", "liftable", "solid", geometry, MASK_COLOR)], Lifted(lifted)
    )
    frame = secret_pattern(*size, square=1)
    out = masker.full(frame)
    if lifted:
        assert np.array_equal(out.pixels, frame)
    else:
        outside = ~rasterize(geometry, *size)
        assert np.array_equal(out.pixels[outside], frame[outside])


@FAST
@given(
    style=st.sampled_from(("blur", "pixelate")),
    geometry=st.one_of(rects(), grids()),
    size=st.tuples(st.integers(2, 120), st.integers(2, 90)),
)
def test_permanent_masks_stay_when_lifted(
    style: str, geometry: RectGeometry | GridGeometry, size: tuple[int, int]
) -> None:
    permanent = Mask("p", "permanent", "solid", geometry, MASK_COLOR)
    liftable = Mask("l", "liftable", style, RectGeometry(0, 0, 1, 1))  # type: ignore[arg-type]
    masker = CameraMasker("cam", [liftable, permanent], Lifted(True))
    frame = secret_pattern(*size)
    out = masker.full(frame)
    footprint = rasterize(geometry, *size)
    assert (out.pixels[footprint] == MASK_COLOR).all()
    assert np.array_equal(out.pixels[~footprint], frame[~footprint])


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    x = a.astype(np.float64).ravel() - a.mean()
    y = b.astype(np.float64).ravel() - b.mean()
    denominator = math.sqrt(float((x * x).sum() * (y * y).sum()))
    return 0.0 if denominator == 0 else float((x * y).sum() / denominator)


@pytest.mark.parametrize("style", ["blur", "pixelate"])
@pytest.mark.parametrize(("width", "height"), [(640, 360), (80, 48), (333, 211)])
@pytest.mark.parametrize("phase", [0, 3, 7])
def test_level_one_destroys_detail_finer_than_a_twentieth(
    style: str, width: int, height: int, phase: int
) -> None:
    """Correlation with the original checkerboard stays under 0.2 at the weakest level."""
    square = max(1, (max(width, height) // 20) - 1)
    yy, xx = np.indices((height, width))
    board = (((xx + phase) // square + (yy + phase) // square) % 2 * 255).astype(np.uint8)
    frame = np.repeat(board[:, :, None], 3, axis=2)
    mask = Mask("m", "liftable", style, RectGeometry(0, 0, 1, 1), level=1)  # type: ignore[arg-type]
    out = CameraMasker("cam", [mask]).full(frame)
    grey = cv2.cvtColor(np.ascontiguousarray(out.pixels), cv2.COLOR_BGR2GRAY)
    assert abs(correlation(grey, board)) < 0.2


def test_text_under_blur_is_not_recoverable() -> None:
    frame = np.full((360, 640, 3), 255, np.uint8)
    cv2.putText(frame, "4 7 1 9", (40, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    mask = Mask("m", "liftable", "blur", RectGeometry(0, 0.3, 1, 0.7), level=1)
    out = CameraMasker("cam", [mask]).full(frame)
    region = (slice(108, 252), slice(0, 640))
    original = cv2.cvtColor(frame[region], cv2.COLOR_BGR2GRAY)
    blurred = cv2.cvtColor(np.ascontiguousarray(out.pixels[region]), cv2.COLOR_BGR2GRAY)
    assert abs(correlation(original, blurred)) < 0.3
    edges = cv2.Canny(blurred, 50, 150)
    assert edges.sum() == 0, "glyph edges survive the blur"


def test_masked_frame_cannot_be_forged_or_edited() -> None:
    with pytest.raises(TypeError):
        MaskedFrame(object(), np.zeros((2, 2, 3), np.uint8), "cam", False, 0.0)
    frame = blank_frame(4, 4)
    with pytest.raises(ValueError, match="read-only"):
        frame.pixels[0, 0] = 255


def test_bad_frames_fail_closed() -> None:
    masker = CameraMasker("cam", [Mask("m", "permanent", "solid", RectGeometry(0, 0, 0.5, 0.5))])
    with pytest.raises(MaskingError, match="cam"):
        masker.full(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(MaskingError):
        masker.full(np.zeros((4, 4, 3), np.float32))  # type: ignore[arg-type]


def test_raster_cache_is_per_size_and_lift_state() -> None:
    gate = Lifted(False)
    mask = Mask("m", "liftable", "solid", RectGeometry(0, 0, 0.5, 1), MASK_COLOR)
    masker = CameraMasker("cam", [mask], gate)
    frame = secret_pattern(20, 10)
    assert (masker.full(frame).pixels[:, :10] == MASK_COLOR).all()
    gate.value = True
    assert np.array_equal(masker.full(frame).pixels, frame)
    gate.value = False
    assert (masker.preview(frame, 10, 5).pixels[:, :5] == MASK_COLOR).all()

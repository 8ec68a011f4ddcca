"""Privacy-mask geometry and its rasterisation at any resolution.

Masks are stored resolution-free (normalised 0..1 coordinates, or a grid of cells as the
commercial client stores them) and rasterised on demand for whatever pixel grid a frame,
tile or export has. Rasterisation always rounds *outward*: a pixel is masked when any
part of its footprint overlaps the mask, because a half-covered pixel still leaks what
the mask hides.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations
from typing import Literal

import numpy as np
import numpy.typing as npt

MaskKind = Literal["permanent", "liftable"]
MaskStyle = Literal["solid", "blur", "pixelate"]
BoolRaster = npt.NDArray[np.bool_]

GRID_SIZES = (8, 16, 32, 64)
"""Grid geometries the commercial client offers; sites are migrated from it verbatim."""


@dataclass(frozen=True, slots=True)
class GridGeometry:
    """Whole cells of a square grid laid over the frame."""

    size: int
    cells: frozenset[tuple[int, int]]
    """(column, row) pairs, each in 0..size-1."""


@dataclass(frozen=True, slots=True)
class RectGeometry:
    """An axis-aligned rectangle in normalised coordinates, x0 < x1 and y0 < y1."""

    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class PolygonGeometry:
    """A simple polygon in normalised coordinates (ONVIF Media2 style).

    Simple means no two edges cross or touch (`crossing_edges` finds them; the site file
    refuses such polygons): the fill is even-odd, which leaves a pentagram's centre or a
    twice-traced square open, and a mask must never have a hole nobody drew.
    """

    points: tuple[tuple[float, float], ...]


Geometry = GridGeometry | RectGeometry | PolygonGeometry


@dataclass(frozen=True, slots=True)
class Mask:
    """One privacy mask of one camera."""

    id: str
    kind: MaskKind
    style: MaskStyle
    geometry: Geometry
    color: tuple[int, int, int] = (0, 0, 0)
    """Fill colour as BGR, used by solid masks."""
    level: int = 5
    """Blur or pixelation strength, 1 (weakest that still hides detail) .. 10."""


Edge = tuple[int, int]
"""An edge of a polygon as the indexes of its two points, in drawing order."""


def crossing_edges(points: tuple[tuple[float, float], ...]) -> tuple[Edge, Edge] | None:
    """The first two edges of the closed polygon through `points` that cross, touch or
    overlap, or None when it is simple.

    Neighbouring edges meet at their shared point, which is no crossing. One that
    doubles back along its neighbour needs no test of its own: its far end then lies on
    a non-neighbouring edge (with three edges, there is no area, which the site file
    refuses first). A point repeated straight after itself (such as a closing point
    equal to the first) is a zero-length edge and ignored. Exact rational arithmetic, so
    a point lying on an edge is never misjudged by rounding.
    """
    order = [i for i, point in enumerate(points) if point != points[i - 1]]
    if len(order) < 3:
        return None
    exact = {i: (Fraction(points[i][0]), Fraction(points[i][1])) for i in order}
    edges = [(a, b) for a, b in zip(order, order[1:] + order[:1], strict=True)]
    for first, second in combinations(range(len(edges)), 2):
        if second - first == 1 or (first == 0 and second == len(edges) - 1):
            continue  # neighbours
        (a, b), (c, d) = edges[first], edges[second]
        if _segments_meet(exact[a], exact[b], exact[c], exact[d]):
            return edges[first], edges[second]
    return None


ExactPoint = tuple[Fraction, Fraction]


def _orientation(p: ExactPoint, q: ExactPoint, r: ExactPoint) -> int:
    """1 when p, q, r turn left, -1 when they turn right, 0 when they are collinear."""
    cross = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    return (cross > 0) - (cross < 0)


def _within(p: ExactPoint, q: ExactPoint, r: ExactPoint) -> bool:
    """For collinear points: whether r lies on the segment p-q."""
    return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(p[1], q[1])


def _segments_meet(a: ExactPoint, b: ExactPoint, c: ExactPoint, d: ExactPoint) -> bool:
    """Whether segments a-b and c-d share any point."""
    abc, abd = _orientation(a, b, c), _orientation(a, b, d)
    cda, cdb = _orientation(c, d, a), _orientation(c, d, b)
    if abc * abd < 0 and cda * cdb < 0:
        return True
    return (
        (abc == 0 and _within(a, b, c))
        or (abd == 0 and _within(a, b, d))
        or (cda == 0 and _within(c, d, a))
        or (cdb == 0 and _within(c, d, b))
    )


def rasterize(geometry: Geometry, width: int, height: int) -> BoolRaster:
    """Return a (height, width) boolean raster of the pixels the geometry touches."""
    if width <= 0 or height <= 0:
        raise ValueError(f"cannot rasterise onto a {width}x{height} grid")
    if isinstance(geometry, GridGeometry):
        return _rasterize_grid(geometry, width, height)
    if isinstance(geometry, RectGeometry):
        return _rasterize_rect(geometry, width, height)
    return _rasterize_polygon(geometry, width, height)


def _overlapped(pixels: int, cells: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """For each of `pixels` equal spans of a line cut into `cells` equal spans, the first
    and last cell its footprint overlaps.

    Integer arithmetic, so a pixel that straddles a cell boundary counts for both cells
    and no floating-point rounding can shave a pixel off a mask edge.
    """
    index = np.arange(pixels, dtype=np.int64)
    first = (index * cells) // pixels
    last = ((index + 1) * cells - 1) // pixels
    return first, last


def resample_outward(raster: BoolRaster, width: int, height: int) -> BoolRaster:
    """The (height, width) raster of pixels whose footprint overlaps a True pixel of `raster`.

    A tile is the source picture resized, and each tile pixel is made from the source
    pixels beneath its footprint: all of them, area-weighted, when shrinking with
    `cv2.INTER_AREA` (which drops only slivers under 1/1000 of a pixel, so never more
    than this counts), and one of them when enlarging with `cv2.INTER_NEAREST`. A tile
    pixel touching a source pixel that the full-resolution raster masks would carry part
    of what that pixel hides, so it is masked too. Works in either direction per axis,
    by prefix sums over the True pixels' bounding box only, so a small mask on a large
    frame costs little.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f"cannot rasterise onto a {width}x{height} grid")
    out = np.zeros((height, width), dtype=bool)
    rows = np.flatnonzero(raster.any(axis=1))
    if rows.size == 0:
        return out
    cols = np.flatnonzero(raster.any(axis=0))
    crop = raster[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    top, pooled = _any_over(crop, 0, height, raster.shape[0], int(rows[0]))
    left, pooled = _any_over(pooled, 1, width, raster.shape[1], int(cols[0]))
    out[top : top + pooled.shape[0], left : left + pooled.shape[1]] = pooled
    return out


def _any_over(
    crop: BoolRaster, axis: int, pixels: int, cells: int, offset: int
) -> tuple[int, BoolRaster]:
    """Along `axis`, resample `crop` (cells `offset` on of a line of `cells`) onto
    `pixels`: True where any crop cell under a pixel's footprint is. Returns the first
    pixel whose footprint meets the crop, and the pooled pixels from there on."""
    first, last = _overlapped(pixels, cells)
    length = crop.shape[axis]
    starts = np.clip(first - offset, 0, length)
    stops = np.clip(last - offset + 1, 0, length)
    meets = np.flatnonzero(starts < stops)
    lo, hi = int(meets[0]), int(meets[-1]) + 1
    shape = list(crop.shape)
    shape[axis] = 1
    counts = np.concatenate(
        [np.zeros(shape, np.int32), np.cumsum(crop, axis=axis, dtype=np.int32)], axis=axis
    )
    ahead = np.take(counts, stops[lo:hi], axis=axis) - np.take(counts, starts[lo:hi], axis=axis)
    return lo, np.asarray(ahead > 0, dtype=bool)


def _rasterize_grid(geometry: GridGeometry, width: int, height: int) -> BoolRaster:
    """The cells as a raster of their own, resampled outward: a pixel that straddles a
    cell boundary counts for both cells."""
    cells = np.zeros((geometry.size, geometry.size), dtype=bool)
    for col, row in geometry.cells:
        cells[row, col] = True
    return resample_outward(cells, width, height)


def _span(lo: float, hi: float, pixels: int) -> tuple[int, int]:
    """Pixel index range [start, stop) whose footprints overlap [lo, hi] in 0..1 units."""
    start = max(0, math.floor(lo * pixels))
    stop = min(pixels, math.ceil(hi * pixels))
    return start, stop


def _rasterize_rect(geometry: RectGeometry, width: int, height: int) -> BoolRaster:
    raster = np.zeros((height, width), dtype=bool)
    x0, x1 = _span(geometry.x0, geometry.x1, width)
    y0, y1 = _span(geometry.y0, geometry.y1, height)
    raster[y0:y1, x0:x1] = True
    return raster


_HALF_DIAGONAL = math.sqrt(0.5) + 1e-9


def _rasterize_polygon(geometry: PolygonGeometry, width: int, height: int) -> BoolRaster:
    """Exact outward rasterisation: a pixel is masked if its square meets the polygon.

    A pixel square meets the polygon when its centre is inside, or when the polygon's
    boundary passes through the square, i.e. comes within half a diagonal of the centre.
    Both tests are evaluated in numpy over the polygon's bounding box only. It may
    over-mask by a sliver of a pixel near corners, and never under-masks.
    """
    xs = np.array([x * width for x, _ in geometry.points])
    ys = np.array([y * height for _, y in geometry.points])
    x_lo = max(0, math.floor(xs.min()) - 1)
    x_hi = min(width, math.ceil(xs.max()) + 1)
    y_lo = max(0, math.floor(ys.min()) - 1)
    y_hi = min(height, math.ceil(ys.max()) + 1)
    raster = np.zeros((height, width), dtype=bool)
    if x_lo >= x_hi or y_lo >= y_hi:
        return raster
    px = np.arange(x_lo, x_hi, dtype=np.float64)[None, :] + 0.5
    py = np.arange(y_lo, y_hi, dtype=np.float64)[:, None] + 0.5
    inside = np.zeros((y_hi - y_lo, x_hi - x_lo), dtype=bool)
    near = np.zeros_like(inside)
    for ax, ay, bx, by in zip(xs, ys, np.roll(xs, -1), np.roll(ys, -1), strict=True):
        straddles = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            crossing = ax + (bx - ax) * (py - ay) / (by - ay)
        inside ^= straddles & (px < crossing)
        dx, dy = bx - ax, by - ay
        length = dx * dx + dy * dy
        t = np.clip(((px - ax) * dx + (py - ay) * dy) / length, 0.0, 1.0) if length else 0.0
        near |= np.hypot(px - (ax + t * dx), py - (ay + t * dy)) <= _HALF_DIAGONAL
    raster[y_lo:y_hi, x_lo:x_hi] = inside | near
    return raster

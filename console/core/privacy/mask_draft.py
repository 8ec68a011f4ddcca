"""A camera's masks while an administrator edits them: grid cells and points, with undo.

The draft holds every mask of the camera (so a save writes them all back) and edits one
mask at a time, the current one: a grid mask by painting cells, a rect or polygon mask
by its points. Each edit is one undo step; an edit that changes nothing is not a step,
so undo never seems to do nothing. Changing the grid size carries the cells over
rounding outward: a new cell is masked when any old masked cell overlaps it, so going
coarser or finer never uncovers a pixel.

A rect is edited by its corners: the one moved spans the rect with the opposite one,
which stays put (`set_rect`), so a corner dragged past the other flips the rect rather
than dragging the far corner along. A polygon's points may pass through shapes the
site file refuses (fewer than three points, crossing edges) while being drawn: the
draft keeps them, and the editor shows the mask as invalid and refuses to save it. A
new point goes into the edge where it lengthens the outline least, which is where an
administrator clicking beside an edge means it, and which never makes a convex polygon
cross itself.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from math import dist
from typing import Literal

import numpy as np

from console.core.privacy.masks import (
    GRID_SIZES,
    GridGeometry,
    Mask,
    MaskKind,
    MaskStyle,
    PolygonGeometry,
    RectGeometry,
    rasterize,
)

Cell = tuple[int, int]
Point = tuple[float, float]
"""Normalised (x, y), 0..1 from the top left, as the site file holds them."""
Shape = Literal["grid", "rect", "polygon"]
LEVELS = range(1, 11)
COLOURS: tuple[tuple[int, int, int], ...] = (
    (0, 0, 0),
    (128, 128, 128),
    (255, 255, 255),
    (200, 60, 150),
)
"""Solid colours (BGR) offered in turn: black, grey, white, purple; a hand edit may
set any other, which the editor keeps until it is changed."""
PEN_SIZES = range(1, 6)
COVERAGE_RESOLUTION = 512
"""Pixels per side masks are rasterised at to measure coverage; every grid size divides
it, so grid coverage is exact."""


@dataclass(frozen=True, slots=True)
class _State:
    masks: tuple[Mask, ...]
    current: int


class MaskDraft:
    """The masks being edited, the current one, and the undo and redo stacks."""

    def __init__(self, masks: Sequence[Mask], grid: int = 16) -> None:
        masks = tuple(masks)
        grids = [i for i, mask in enumerate(masks) if isinstance(mask.geometry, GridGeometry)]
        if not grids:
            masks = (*masks, _empty(_free_id(masks, "grid"), grid))
            grids = [len(masks) - 1]
        self._state = _State(masks, grids[0])
        self._undo: list[_State] = []
        self._redo: list[_State] = []

    @property
    def masks(self) -> tuple[Mask, ...]:
        """What a save writes: grid masks with no cells left are dropped (a grid mask
        needs cells), so erasing every cell removes the mask."""
        return tuple(mask for mask in self._state.masks if not _empty_grid(mask))

    @property
    def all_masks(self) -> tuple[Mask, ...]:
        return self._state.masks

    @property
    def current(self) -> Mask:
        return self._state.masks[self._state.current]

    @property
    def grid(self) -> GridGeometry:
        """The current mask's grid; only for a grid mask (see `shape`)."""
        geometry = self.current.geometry
        assert isinstance(geometry, GridGeometry)
        return geometry

    @property
    def shape(self) -> Shape:
        geometry = self.current.geometry
        if isinstance(geometry, GridGeometry):
            return "grid"
        return "rect" if isinstance(geometry, RectGeometry) else "polygon"

    @property
    def points(self) -> tuple[Point, ...]:
        """The current rect's two corners or polygon's points; none for a grid mask."""
        geometry = self.current.geometry
        if isinstance(geometry, RectGeometry):
            return ((geometry.x0, geometry.y0), (geometry.x1, geometry.y1))
        if isinstance(geometry, PolygonGeometry):
            return geometry.points
        return ()

    def move_point(self, index: int, point: Point, stroke: bool = False) -> None:
        """Move point `index` of the current rect or polygon; with `stroke`, as part of
        the previous move (a drag, or a held point walked with the arrows)."""
        points = list(self.points)
        points[index] = point
        self._set_points(points, stroke)

    def set_rect(self, corner: Point, other: Point, stroke: bool = False) -> None:
        """Make the current rect the one spanned by two opposite corners, in any order."""
        self._set_points((corner, other), stroke)

    def add_point(self, point: Point) -> int:
        """Add `point` to the current polygon (see the module docs); its index."""
        points = list(self.points)
        index = _best_insertion(points, point)
        points.insert(index, point)
        self._set_points(points)
        return index

    def delete_point(self, index: int) -> None:
        points = list(self.points)
        del points[index]
        self._set_points(points)

    def _set_points(self, points: Sequence[Point], stroke: bool = False) -> None:
        geometry: RectGeometry | PolygonGeometry
        if self.shape == "rect":
            (ax, ay), (bx, by) = points
            geometry = RectGeometry(min(ax, bx), min(ay, by), max(ax, bx), max(ay, by))
        else:
            geometry = PolygonGeometry(tuple(points))
        self._set(replace(self.current, geometry=geometry), stroke)

    def paint(self, cell: Cell, pen: int = 1, on: bool = True, stroke: bool = False) -> None:
        """Mask (or with `on` False, unmask) the pen's square of cells around `cell`.

        With `stroke`, this continues the previous paint (a mouse drag): one drag is one
        undo step, not one per cell it crossed.
        """
        low, high = -((pen - 1) // 2), pen // 2
        column, row = cell
        self.fill((column + low, row + low), (column + high, row + high), on, stroke)

    def fill(self, corner: Cell, other: Cell, on: bool = True, stroke: bool = False) -> None:
        """Mask or unmask the rectangle between two corner cells, clipped to the grid."""
        size = self.grid.size
        c0, c1 = sorted((corner[0], other[0]))
        r0, r1 = sorted((corner[1], other[1]))
        area = {
            (c, r)
            for c in range(max(c0, 0), min(c1, size - 1) + 1)
            for r in range(max(r0, 0), min(r1, size - 1) + 1)
        }
        cells = self.grid.cells | area if on else self.grid.cells - area
        self._set(replace(self.current, geometry=GridGeometry(size, frozenset(cells))), stroke)

    def next_mask(self) -> None:
        """Make the camera's next mask the current one (not an undo step)."""
        masks, current = self._state.masks, self._state.current
        self._state = _State(masks, (current + 1) % len(masks))

    def add_mask(self, shape: Shape = "grid") -> None:
        """A new mask becomes the current one: an empty grid on the current grid size, a
        rect over the middle of the frame, or a polygon with no points yet."""
        masks = self._state.masks
        geometry = self.current.geometry
        new = _empty(
            _free_id(masks, "grid"), geometry.size if isinstance(geometry, GridGeometry) else 16
        )
        if shape == "rect":
            new = replace(
                new, id=_free_id(masks, shape), geometry=RectGeometry(0.25, 0.25, 0.75, 0.75)
            )
        elif shape == "polygon":
            new = replace(new, id=_free_id(masks, shape), geometry=PolygonGeometry(()))
        self._step(_State((*masks, new), len(masks)))

    def remove_mask(self) -> None:
        """Remove the current mask; with none left, an empty grid mask is current (and
        is not saved, see `masks`)."""
        masks = list(self._state.masks)
        del masks[self._state.current]
        if not masks:
            masks.append(_empty(_free_id(masks, "grid"), 16))
        self._step(_State(tuple(masks), min(self._state.current, len(masks) - 1)))

    def next_level(self) -> None:
        self._set(replace(self.current, level=self.current.level % LEVELS[-1] + 1))

    def next_colour(self) -> None:
        colour = self.current.color
        following = (COLOURS.index(colour) + 1) % len(COLOURS) if colour in COLOURS else 0
        self._set(replace(self.current, color=COLOURS[following]))

    def next_style(self) -> None:
        styles: tuple[MaskStyle, ...] = ("solid", "blur", "pixelate")
        style = styles[(styles.index(self.current.style) + 1) % len(styles)]
        self._set(replace(self.current, style=style))

    def toggle_kind(self) -> None:
        kind: MaskKind = "liftable" if self.current.kind == "permanent" else "permanent"
        self._set(replace(self.current, kind=kind))

    def set_grid(self, size: int) -> None:
        """Change the current mask's grid, keeping its area covered (see the module docs)."""
        if size not in GRID_SIZES:
            raise ValueError(f"grid size must be one of {GRID_SIZES}")
        old = self.grid
        cells = set()
        for column, row in old.cells:
            first_c, last_c = column * size // old.size, ((column + 1) * size - 1) // old.size
            first_r, last_r = row * size // old.size, ((row + 1) * size - 1) // old.size
            for c in range(first_c, last_c + 1):
                for r in range(first_r, last_r + 1):
                    cells.add((c, r))
        self._set(replace(self.current, geometry=GridGeometry(size, frozenset(cells))))

    def undo(self) -> bool:
        if not self._undo:
            return False
        self._redo.append(self._state)
        self._state = self._undo.pop()
        return True

    def redo(self) -> bool:
        if not self._redo:
            return False
        self._undo.append(self._state)
        self._state = self._redo.pop()
        return True

    def _set(self, mask: Mask, stroke: bool = False) -> None:
        masks = list(self._state.masks)
        if masks[self._state.current] == mask:
            return
        masks[self._state.current] = mask
        self._step(_State(tuple(masks), self._state.current), stroke)

    def _step(self, state: _State, stroke: bool = False) -> None:
        if not (stroke and self._undo):
            self._undo.append(self._state)
        self._redo.clear()
        self._state = state


def coverage(masks: Sequence[Mask]) -> float:
    """Percentage of the frame under any of `masks`, rounded outward as masking does."""
    return _coverage(tuple(masks))


@functools.lru_cache(maxsize=16)
def _coverage(masks: tuple[Mask, ...]) -> float:
    """Cached: the editor's status line asks on every key press, and moving the cursor
    changes no mask."""
    size = COVERAGE_RESOLUTION
    covered = np.zeros((size, size), np.bool_)
    for mask in masks:
        if _empty_grid(mask) or (
            isinstance(mask.geometry, PolygonGeometry) and len(mask.geometry.points) < 3
        ):
            continue
        covered |= rasterize(mask.geometry, size, size)
    return 100.0 * float(covered.mean())


def _empty(mask_id: str, grid: int) -> Mask:
    return Mask(mask_id, "permanent", "solid", GridGeometry(grid, frozenset()))


def _empty_grid(mask: Mask) -> bool:
    return isinstance(mask.geometry, GridGeometry) and not mask.geometry.cells


def _free_id(masks: Sequence[Mask], shape: Shape) -> str:
    taken = {mask.id for mask in masks}
    return next(f"{shape}-{n}" for n in range(1, len(taken) + 2) if f"{shape}-{n}" not in taken)


def _best_insertion(points: Sequence[Point], point: Point) -> int:
    """Where `point` lengthens the closed outline least (see the module docs)."""
    if len(points) < 2:
        return len(points)
    edges = list(zip(points, [*points[1:], points[0]], strict=True))
    growth = [dist(a, point) + dist(point, b) - dist(a, b) for a, b in edges]
    return growth.index(min(growth)) + 1

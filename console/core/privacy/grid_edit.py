"""A camera's masks while an administrator edits them: painting grid cells, with undo.

The draft holds every mask of the camera (so a save writes them all back) and edits one
grid mask at a time, the current one. Each edit is one undo step; a paint that changes
nothing is not a step, so undo never seems to do nothing. Changing the grid size
carries the cells over rounding outward: a new cell is masked when any old masked cell
overlaps it, so going coarser or finer never uncovers a pixel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from console.core.privacy.masks import (
    GRID_SIZES,
    GridGeometry,
    Mask,
    MaskKind,
    MaskStyle,
    rasterize,
)

Cell = tuple[int, int]
PEN_SIZES = range(1, 6)
COVERAGE_RESOLUTION = 512
"""Pixels per side masks are rasterised at to measure coverage; every grid size divides
it, so grid coverage is exact."""


@dataclass(frozen=True, slots=True)
class _State:
    masks: tuple[Mask, ...]
    current: int


class GridDraft:
    """The masks being edited, the current grid mask, and the undo and redo stacks."""

    def __init__(self, masks: Sequence[Mask], grid: int = 16) -> None:
        masks = tuple(masks)
        grids = [i for i, mask in enumerate(masks) if isinstance(mask.geometry, GridGeometry)]
        if not grids:
            masks = (*masks, _empty(_free_id(masks), grid))
            grids = [len(masks) - 1]
        self._state = _State(masks, grids[0])
        self._undo: list[_State] = []
        self._redo: list[_State] = []

    @property
    def masks(self) -> tuple[Mask, ...]:
        """What a save writes: grid masks with no cells left are dropped (a grid mask
        needs cells), so erasing every cell removes the mask."""
        return tuple(
            mask
            for mask in self._state.masks
            if not (isinstance(mask.geometry, GridGeometry) and not mask.geometry.cells)
        )

    @property
    def all_masks(self) -> tuple[Mask, ...]:
        return self._state.masks

    @property
    def current(self) -> Mask:
        return self._state.masks[self._state.current]

    @property
    def grid(self) -> GridGeometry:
        geometry = self.current.geometry
        assert isinstance(geometry, GridGeometry)
        return geometry

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
        """Make the camera's next grid mask the current one (not an undo step)."""
        masks, current = self._state.masks, self._state.current
        grids = [i for i, mask in enumerate(masks) if isinstance(mask.geometry, GridGeometry)]
        later = [i for i in grids if i > current]
        self._state = _State(masks, (later or grids)[0])

    def add_mask(self) -> None:
        """A new empty grid mask, on the current grid, becomes the current one."""
        masks = self._state.masks
        self._undo.append(self._state)
        self._redo.clear()
        new = _empty(_free_id(masks), self.grid.size)
        self._state = _State((*masks, new), len(masks))

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
        if not (stroke and self._undo):
            self._undo.append(self._state)
        self._redo.clear()
        self._state = _State(tuple(masks), self._state.current)


def coverage(masks: Sequence[Mask]) -> float:
    """Percentage of the frame under any of `masks`, rounded outward as masking does."""
    size = COVERAGE_RESOLUTION
    covered = np.zeros((size, size), np.bool_)
    for mask in masks:
        if isinstance(mask.geometry, GridGeometry) and not mask.geometry.cells:
            continue
        covered |= rasterize(mask.geometry, size, size)
    return 100.0 * float(covered.mean())


def _empty(mask_id: str, grid: int) -> Mask:
    return Mask(mask_id, "permanent", "solid", GridGeometry(grid, frozenset()))


def _free_id(masks: Sequence[Mask]) -> str:
    taken = {mask.id for mask in masks}
    return next(f"grid-{n}" for n in range(1, len(taken) + 2) if f"grid-{n}" not in taken)

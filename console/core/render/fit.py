"""How many cells a picture takes when it keeps its proportions inside a tile.

Cells are not square (typically twice as tall as wide), so the fit is computed in
pixels using the cell size and then rounded down to whole cells: the picture never
spills out of its tile, and a 16:9 camera in 80x24 cells takes 80x22 as it does in chafa.
"""

from __future__ import annotations

import math


def fit_cells(
    source: tuple[int, int], cols: int, rows: int, cell_px: tuple[int, int]
) -> tuple[int, int]:
    """The largest (cols, rows) inside the tile showing `source` (w, h) undistorted."""
    source_w, source_h = source
    cell_w, cell_h = cell_px
    if min(source_w, source_h, cols, rows, cell_w, cell_h) <= 0:
        raise ValueError(f"cannot fit {source_w}x{source_h} into {cols}x{rows} cells")
    scale = min(cols * cell_w / source_w, rows * cell_h / source_h)
    fitted_cols = math.floor(source_w * scale / cell_w + 1e-9)
    fitted_rows = math.floor(source_h * scale / cell_h + 1e-9)
    return max(1, min(cols, fitted_cols)), max(1, min(rows, fitted_rows))

"""The region a search looks in: a rect or grid cells, in the site file's geometry.

The same geometry types as masks, so a region drawn with the export screen's grid
widget or typed on the command line is rasterised by the same code, outward.
"""

from __future__ import annotations

from console.core.privacy.masks import GRID_SIZES, GridGeometry, RectGeometry

Region = RectGeometry | GridGeometry


def parse_rect(text: str) -> RectGeometry:
    """`x0,y0,x1,y1` in 0..1 with x0 < x1 and y0 < y1; ValueError says what was expected."""
    try:
        x0, y0, x1, y1 = (float(part) for part in text.split(","))
    except ValueError:
        raise ValueError(f"expected four numbers x0,y0,x1,y1, got {text!r}") from None
    if not all(0.0 <= value <= 1.0 for value in (x0, y0, x1, y1)):
        raise ValueError(f"expected fractions from 0 to 1 of width and height, got {text!r}")
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"expected x0 < x1 and y0 < y1 (a block with area), got {text!r}")
    return RectGeometry(x0, y0, x1, y1)


def parse_cells(text: str) -> GridGeometry:
    """`GRID:CELLS`: a grid size and `;`-separated `column,row` cells from 0.

    Either coordinate may be a range `a-b` (inclusive), so `16:4-7,2-3` is a block of
    eight cells. ValueError names what was wrong.
    """
    size_text, sep, cells_text = text.partition(":")
    if not sep or not size_text.strip().isdigit():
        raise ValueError(f"expected GRID:CELLS such as 16:4,2;5,2, got {text!r}")
    size = int(size_text)
    if size not in GRID_SIZES:
        raise ValueError(f"grid size must be one of {', '.join(map(str, GRID_SIZES))}, got {size}")
    cells: set[tuple[int, int]] = set()
    for part in (piece.strip() for piece in cells_text.split(";")):
        if not part:
            continue
        try:
            columns_text, rows_text = part.split(",")
            columns = _span(columns_text, size)
            rows = _span(rows_text, size)
        except ValueError as error:
            raise ValueError(f"cell {part!r} in {text!r}: {error}") from None
        cells.update((column, row) for column in columns for row in rows)
    if not cells:
        raise ValueError(f"expected at least one cell after {size}:, got {text!r}")
    return GridGeometry(size, frozenset(cells))


def _span(text: str, size: int) -> range:
    low_text, dash, high_text = text.strip().partition("-")
    try:
        low = int(low_text)
        high = int(high_text) if dash else low
    except ValueError:
        raise ValueError("expected column,row numbers (or ranges a-b)") from None
    if not 0 <= low <= high < size:
        raise ValueError(f"expected numbers from 0 to {size - 1}, low before high")
    return range(low, high + 1)


def describe(region: Region) -> str:
    """The region in the form the command line takes, for the audit and the screen."""
    if isinstance(region, RectGeometry):
        return f"{region.x0:g},{region.y0:g},{region.x1:g},{region.y1:g}"
    cells = ";".join(f"{column},{row}" for column, row in sorted(region.cells))
    return f"{region.size}:{cells}"

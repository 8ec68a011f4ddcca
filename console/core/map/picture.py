"""A map as the operator sees it: the plan placed in an area, with markers and view cones.

Each camera's marker shows its state twice, by colour and by glyph, so that it reads on
a terminal without colour too: live ●, lost ✕, unauthorized ⊘, masks-unavailable ▣,
anything else (connecting, error, unsupported) ○; in ASCII o, x, !, #, ?. Its view cone
is a tint of the cells it sees, out to a quarter of the plan's smaller side, measured in
pixels so that a cone looks the same on cells twice as tall as wide. A link to another
map is a ▶ (ASCII >). The selected item is the one the UI highlights.

A text plan larger than the area is cut at the area's right and bottom edges, and
markers outside what is shown are not drawn: plans are written for the terminals they
are used on, and the README says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from console.core.map.plan import Codes, PlanCells
from console.core.render.palette import color_codes
from console.core.render.tile import DEFAULT, ColorDepth
from console.core.site.model import MapLink, MapMarker, SiteMap

CONE_REACH = 0.25
"""A view cone's length, as a share of the plan's smaller side (in pixels)."""

STATE_LOOKS: dict[str, tuple[str, str, tuple[int, int, int]]] = {
    "live": ("●", "o", (0, 200, 0)),
    "lost": ("✕", "x", (0, 0, 230)),
    "unauthorized": ("⊘", "!", (0, 140, 255)),
    "masks-unavailable": ("▣", "#", (230, 0, 230)),
}
"""(glyph, ASCII glyph, BGR colour) of a marker by its camera's state."""
OTHER_LOOK = ("○", "?", (160, 160, 160))
"""Connecting, error, unsupported: no video, for a reason the preview spells out."""
LINK_LOOK: tuple[str, str, tuple[int, int, int]] = ("▶", ">", (255, 200, 0))
CONE_COLOUR = (70, 60, 40)
SELECTED_CONE_COLOUR = (120, 100, 40)


@dataclass(frozen=True, slots=True)
class Item:
    """A camera or link marker, and the cell it is drawn in (area coordinates)."""

    kind: Literal["camera", "link"]
    id: str
    """The camera id, or the target map's id."""
    col: int
    row: int


@dataclass(frozen=True, slots=True)
class MapPicture:
    """The area's cells, and the items drawn in them."""

    chars: tuple[str, ...]
    fg: Codes
    bg: Codes
    items: tuple[Item, ...]
    """Cameras first, in the site file's order, then links."""

    def item_at(self, col: int, row: int) -> Item | None:
        """The item drawn at (col, row) or right next to it: a marker is one cell, and a
        click one cell off still means it."""
        best: tuple[int, Item] | None = None
        for item in self.items:
            distance = max(abs(item.col - col), abs(item.row - row))
            if distance <= 1 and (best is None or distance < best[0]):
                best = (distance, item)
        return best[1] if best else None


def compose(
    site_map: SiteMap,
    plan: PlanCells,
    cols: int,
    rows: int,
    cell_px: tuple[int, int],
    depth: ColorDepth,
    states: Mapping[str, str],
    selected: Item | None = None,
    ascii_only: bool = False,
) -> MapPicture:
    """The plan centred in `cols` x `rows` (cut where larger), markers and cones on it."""
    cols, rows = max(1, cols), max(1, rows)
    shown_cols, shown_rows = min(plan.cols, cols), min(plan.rows, rows)
    left, top = (cols - shown_cols) // 2, (rows - shown_rows) // 2
    grid = [[" "] * cols for _ in range(rows)]
    fg = np.full((rows, cols), DEFAULT, np.int32)
    bg = np.full((rows, cols), DEFAULT, np.int32)
    for y in range(shown_rows):
        grid[top + y][left : left + shown_cols] = plan.chars[y][:shown_cols]
    fg[top : top + shown_rows, left : left + shown_cols] = plan.fg[:shown_rows, :shown_cols]
    bg[top : top + shown_rows, left : left + shown_cols] = plan.bg[:shown_rows, :shown_cols]

    def place(x: float, y: float) -> tuple[int, int]:
        return left + round(x * (plan.cols - 1)), top + round(y * (plan.rows - 1))

    def visible(col: int, row: int) -> bool:
        return left <= col < left + shown_cols and top <= row < top + shown_rows

    items: list[Item] = []
    markers: list[tuple[Item, MapMarker]] = []
    for marker in site_map.cameras:
        col, row = place(marker.x, marker.y)
        if visible(col, row):
            item = Item("camera", marker.camera, col, row)
            items.append(item)
            markers.append((item, marker))
    links: list[tuple[Item, MapLink]] = []
    for link in site_map.links:
        col, row = place(link.x, link.y)
        if visible(col, row):
            item = Item("link", link.target, col, row)
            items.append(item)
            links.append((item, link))

    reach = CONE_REACH * min(plan.cols * cell_px[0], plan.rows * cell_px[1])
    area = np.zeros((rows, cols), bool)
    area[top : top + shown_rows, left : left + shown_cols] = True
    for item, marker in sorted(markers, key=lambda pair: pair[0] == selected):
        colour = SELECTED_CONE_COLOUR if item == selected else CONE_COLOUR
        cone = view_cone(item.col, item.row, marker, reach, cell_px, (cols, rows)) & area
        bg[cone] = code(colour, depth)
        if depth is ColorDepth.MONO:
            for row, col in zip(*np.nonzero(cone), strict=True):
                if grid[row][col] == " ":
                    grid[row][col] = "."
    for item, _ in links:
        glyph, ascii_glyph, colour = LINK_LOOK
        grid[item.row][item.col] = ascii_glyph if ascii_only else glyph
        fg[item.row, item.col] = code(colour, depth)
    for item, _ in markers:
        glyph, ascii_glyph, colour = STATE_LOOKS.get(states.get(item.id, ""), OTHER_LOOK)
        grid[item.row][item.col] = ascii_glyph if ascii_only else glyph
        fg[item.row, item.col] = code(colour, depth)
    return MapPicture(tuple("".join(row) for row in grid), fg, bg, tuple(items))


def view_cone(
    col: int,
    row: int,
    marker: MapMarker,
    reach: float,
    cell_px: tuple[int, int],
    size: tuple[int, int],
) -> npt.NDArray[np.bool_]:
    """The cells a camera at (col, row) sees: within `reach` pixels and half its field
    of view either side of its direction (clockwise from up), its own cell excluded."""
    cols, rows = size
    ys, xs = np.indices((rows, cols))
    dx = (xs - col) * float(cell_px[0])
    dy = (ys - row) * float(cell_px[1])
    near = np.hypot(dx, dy) <= reach
    bearing = np.degrees(np.arctan2(dx, -dy)) % 360
    off = np.abs((bearing - marker.direction + 180) % 360 - 180)
    inside = off <= marker.fov / 2 if marker.fov < 360 else np.ones_like(near)
    cone: npt.NDArray[np.bool_] = np.asarray(near & inside, bool)
    cone[row, col] = False
    return cone


def code(bgr: tuple[int, int, int], depth: ColorDepth) -> int:
    """The colour code of one colour at `depth` (DEFAULT without colour)."""
    if depth is ColorDepth.MONO:
        return DEFAULT
    return int(color_codes(np.array([[bgr]], np.uint8), depth)[0, 0])


def step(items: tuple[Item, ...], current: Item | None, dx: int, dy: int) -> Item | None:
    """The item an arrow key moves to: the nearest one in that direction, favouring
    those straight ahead; `current` when there is none that way."""
    if current is None:
        return items[0] if items else None
    best: tuple[float, Item] | None = None
    for item in items:
        ahead = (item.col - current.col) * dx + (item.row - current.row) * dy
        if item == current or ahead <= 0:
            continue
        across = abs((item.col - current.col) * dy) + abs((item.row - current.row) * dx)
        score = ahead + 2 * across
        if best is None or score < best[0]:
            best = (score, item)
    return best[1] if best else current

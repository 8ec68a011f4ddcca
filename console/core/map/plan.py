"""A site plan as terminal cells: glyphs and colour codes, as a rendered tile has them.

A text plan is drawn one character per cell, as written: an administrator draws it for
a terminal, and scaling characters would only garble it. A picture plan is fitted into
the area with its proportions kept and drawn by the text renderer the tiles use
(half-blocks, or ASCII without colour), so it looks like the rest of the console.

The renderers accept only `MaskedFrame`s, made only by the masking stage. A plan is not
a camera's picture and no privacy mask applies to it, so it goes through a masker with
no masks: the one way to a `MaskedFrame` stays the one way, and the plan costs one copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from console.core.privacy.masking import CameraMasker
from console.core.render.cells import GLYPHS
from console.core.render.factory import make_renderer
from console.core.render.fit import fit_cells
from console.core.render.modes import RenderMode
from console.core.render.tile import DEFAULT, ColorDepth
from console.core.site.model import SiteMap

Codes = npt.NDArray[np.int32]


class PlanUnavailable(Exception):
    """The plan's picture cannot be read now (it was readable when the site loaded)."""


@dataclass(frozen=True, slots=True)
class PlanCells:
    """A plan's cells: `chars[row][col]`, with per-cell colour codes (DEFAULT: the
    widget's own colours)."""

    chars: tuple[str, ...]
    """One string per row, each exactly `cols` characters."""
    fg: Codes
    bg: Codes

    @property
    def cols(self) -> int:
        return int(self.fg.shape[1])

    @property
    def rows(self) -> int:
        return int(self.fg.shape[0])


def text_plan(text: str) -> PlanCells:
    """The plan's characters, rows padded to the longest."""
    lines = text.split("\n")
    cols = max(1, max(len(line) for line in lines))
    chars = tuple(line.ljust(cols) for line in lines)
    blank = np.full((len(chars), cols), DEFAULT, np.int32)
    return PlanCells(chars, blank, blank.copy())


def load_picture(path: Path) -> npt.NDArray[np.uint8]:
    """The plan's pixels (BGR); `PlanUnavailable` when the file went or broke since."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PlanUnavailable(f"cannot read {path}: {error.strerror or error}") from error
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if picture is None or picture.size == 0:
        raise PlanUnavailable(f"{path} is no longer a picture")
    return np.asarray(picture, np.uint8)


def picture_plan(
    pixels: npt.NDArray[np.uint8],
    cols: int,
    rows: int,
    cell_px: tuple[int, int],
    mode: RenderMode,
    depth: ColorDepth,
) -> PlanCells:
    """The picture as large as fits in `cols` x `rows` cells with its proportions kept."""
    height, width = pixels.shape[:2]
    fitted_cols, fitted_rows = fit_cells((width, height), cols, rows, cell_px)
    text_mode: RenderMode = "ascii" if mode == "ascii" or depth is ColorDepth.MONO else "halfblock"
    renderer = make_renderer(text_mode, depth)
    size = renderer.pixel_size(fitted_cols, fitted_rows, cell_px)
    frame = CameraMasker("plan", ()).preview(pixels, *size)
    tile = renderer.render(frame, fitted_cols, fitted_rows, cell_px)
    glyphs = tile.rows.glyphs
    chars = tuple("".join(GLYPHS[index] for index in row) for row in glyphs.tolist())
    return PlanCells(chars, np.array(tile.rows.fg, np.int32), np.array(tile.rows.bg, np.int32))


def plan_cells(
    site_map: SiteMap,
    cols: int,
    rows: int,
    cell_px: tuple[int, int],
    mode: RenderMode,
    depth: ColorDepth,
    pixels: npt.NDArray[np.uint8] | None = None,
) -> PlanCells:
    """The map's plan for an area of `cols` x `rows`; `pixels` saves reading the picture
    again at every resize."""
    if site_map.text is not None:
        return text_plan(site_map.text)
    if pixels is None:
        assert site_map.image is not None, site_map.id
        pixels = load_picture(site_map.image)
    return picture_plan(pixels, max(1, cols), max(1, rows), cell_px, mode, depth)

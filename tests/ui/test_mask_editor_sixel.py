"""The mask editor's picture as a sixel image where the console draws sixel, with the masks'
overlays and the cursor in its pixels; half-block text, and no image, elsewhere.

SVG snapshots cannot show sixel, so these tests read what Textual writes to a recorded
terminal, and the frames the editor hands its sixel renderer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import numpy as np
import pytest
from rich.color import Color
from textual.pilot import Pilot

from console.core.privacy.masking import MaskedFrame
from console.core.render.sixel_decode import decode_sixel
from console.core.render.terminal import TerminalCaps
from console.core.render.tile import RenderedTile
from console.core.services import Services
from console.ui.app import VeilApp
from console.ui.screens.mask_editor import LIFTABLE, PERMANENT, MaskCanvas, MaskEditorScreen
from tests.ui.conftest import AppServices, log_in
from tests.ui.test_mask_editor import ADMIN, admin_services, open_editor, write_site
from tests.ui.test_mask_editor import SITE as EDITOR_SITE
from tests.ui.tiles.conftest import HALFBLOCK, SIXEL, RecordingDriver, wait_until
from tests.ui.tiles.test_tile_sixel import images

SITE = (
    EDITOR_SITE
    + """
[[cameras.masks]]
id = "desk"
kind = "liftable"
grid = "16x16"
cells = ["15,15"]
"""
)
"""The editor tests' site, with a liftable mask beside the permanent one."""

CELL_PX = SIXEL.cell_px


@pytest.fixture
def services(make_services: AppServices, tmp_path: Path) -> Services:
    return admin_services(make_services, write_site(tmp_path, SITE))


@asynccontextmanager
async def editor_on(
    services: Services, caps: TerminalCaps, notifications: bool = False
) -> AsyncIterator[tuple[VeilApp, Pilot[None], MaskEditorScreen]]:
    services.caps = caps
    app = VeilApp(services)
    app.driver_class = RecordingDriver
    async with app.run_test(headless=False, size=(120, 40), notifications=notifications) as pilot:
        await log_in(pilot, ADMIN)
        yield app, pilot, await open_editor(pilot)


def output(app: VeilApp) -> str:
    driver = app._driver
    assert isinstance(driver, RecordingDriver)
    return "".join(driver.written)


def spy(canvas: MaskCanvas) -> list[tuple[MaskedFrame, MaskedFrame | None]]:
    """Every frame handed to the canvas's sixel renderer, with the bare picture it was
    made from."""
    renderer = canvas._sixel
    assert renderer is not None
    seen: list[tuple[MaskedFrame, MaskedFrame | None]] = []
    render = renderer.render

    def recording(
        frame: MaskedFrame, cols: int, rows: int, cell_px: tuple[int, int]
    ) -> RenderedTile:
        seen.append((frame, canvas._frame))
        return render(frame, cols, rows, cell_px)

    renderer.render = recording  # type: ignore[method-assign]
    return seen


def pixels_of(canvas: MaskCanvas, cell: tuple[int, int], height: int) -> tuple[slice, slice]:
    """The image pixels under the text cells drawn from grid `cell` (a box: grid cells
    cover whole text cells), cut to the image's `height`."""
    cols, rows = canvas.picture_size
    spots = [
        (x, y)
        for y in range(rows)
        for x, here in enumerate(canvas.row_cells(y, cols))
        if here == cell
    ]
    xs, ys = [x for x, _ in spots], [y for _, y in spots]
    width, cell_h = CELL_PX
    top, bottom = min(ys) * cell_h, min(height, (max(ys) + 1) * cell_h)
    assert bottom > top, f"grid cell {cell} is not in the image"
    return slice(top, bottom), slice(min(xs) * width, (max(xs) + 1) * width)


def blended(bare: np.ndarray, colour: Color, weight: float) -> np.ndarray:
    red, green, blue = colour.get_truecolor()
    tint = np.array([blue, green, red], np.float64)
    return np.round(bare + (tint - bare) * weight).astype(np.uint8)


async def test_with_sixel_the_picture_is_an_image_with_the_masks_and_cursor_in_it(
    services: Services,
) -> None:
    async with editor_on(services, SIXEL) as (app, pilot, editor):
        canvas = editor.canvas
        seen = spy(canvas)
        await pilot.press(*["down"] * 6, *["right"] * 6)  # the cursor off both masks
        await wait_until(pilot, lambda: canvas.image_shown, "the editor's image")
        await pilot.pause(0.2)
        assert canvas.image is not None and seen
        marked, bare = seen[-1]
        assert bare is not None
        height = marked.height
        assert marked.width == canvas.picture_size[0] * CELL_PX[0], "a cell is CELL_PX wide"
        source = bare.pixels.astype(np.float64)
        for cell, colour in (((0, 0), PERMANENT), ((15, 15), LIFTABLE)):
            box = pixels_of(canvas, cell, height)
            expected = blended(source[box], colour, 0.5)
            assert np.array_equal(marked.pixels[box], expected), f"{colour} over {cell}"
        # The cursor: every other 2x2 block of its cells in the cursor's colour.
        cursor = pixels_of(canvas, canvas.shown(canvas.cursor), height)
        mark = canvas.get_component_rich_style("mask-grid--cursor").color
        assert mark is not None
        red, green, blue = mark.get_truecolor()
        block = marked.pixels[cursor]
        stippled = block.reshape(-1, 3) == (blue, green, red)
        assert 0.3 < stippled.all(axis=1).mean() < 0.7, "a shade, as the half-block ▒"
        # Elsewhere the picture is the bare one.
        clear = pixels_of(canvas, (8, 2), height)
        assert np.array_equal(marked.pixels[clear], bare.pixels[clear])

        # On the terminal: a sixel DCS at the picture's first cell, showing those pixels.
        content = canvas.content_region
        written = [dcs for x, y, dcs in images(output(app)) if (x, y) == (content.x, content.y)]
        assert written, "no sixel image at the editor's picture"
        shown = decode_sixel(written[-1].encode())
        assert shown.pixels.shape == marked.pixels.shape
        for cell, colour in (((0, 0), PERMANENT), ((15, 15), LIFTABLE)):
            box = pixels_of(canvas, cell, height)
            # The fixed palette is a 6-level cube with a grey ramp: within a step.
            error = np.abs(shown.pixels[box].astype(int) - marked.pixels[box].astype(int))
            assert error.mean() < 26, f"{colour} over {cell} on the terminal"
        assert canvas.render_line(content.height // 2).text.strip() == "", "cells blank"

        # A key changes the image: the cursor moves in the pixels, no text goes on top.
        count = len(written)
        await pilot.press("left")
        await pilot.pause(0.2)
        again = [dcs for x, y, dcs in images(output(app)) if (x, y) == (content.x, content.y)]
        assert len(again) > count, "a cursor move sends the new image"


async def test_with_half_blocks_the_picture_is_text_and_no_image(services: Services) -> None:
    async with editor_on(services, HALFBLOCK) as (app, pilot, editor):
        canvas = editor.canvas
        await pilot.press("down", "right")
        await pilot.pause(0.2)
        assert canvas._sixel is None and canvas.image is None and not canvas.image_shown
        assert "\x1bP" not in output(app)
        assert any(
            style is not None and style.bgcolor is not None
            for segment in canvas.render_line(1)
            for style in (segment.style,)
        ), "the picture is drawn in the cells"


async def test_a_toast_over_the_image_brings_the_tinted_text_picture(services: Services) -> None:
    """The overlay may not draw an image something covers: the half-block picture, with
    its tints, stands in until the toast goes."""
    async with editor_on(services, SIXEL, notifications=True) as (app, pilot, editor):
        canvas = editor.canvas
        await wait_until(pilot, lambda: canvas.image_shown, "the editor's image")
        app.notify("\n".join(["over the picture"] * 8), timeout=30)  # tall enough to reach it
        await wait_until(pilot, lambda: not canvas.image_shown, "the text picture")
        rows = range(canvas.picture_size[1])
        assert "▀" in "".join(canvas.render_line(y).text for y in rows), "half-blocks"
        app.clear_notifications()
        await wait_until(pilot, lambda: canvas.image_shown, "the image back")

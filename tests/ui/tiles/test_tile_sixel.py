"""Sixel tiles in the bytes Textual writes: where the image goes, when it is sent again,
and when the tile shows text instead. SVG snapshots cannot show sixel, so these tests
read the terminal output of a real (recorded) session."""

from __future__ import annotations

import re

import numpy as np

from console.core.privacy.masks import Mask, RectGeometry
from console.core.render.sixel_decode import decode_sixel, find_sixels
from tests.support.frames import gradient
from tests.ui.tiles.conftest import (
    SIXEL,
    Cover,
    StubSource,
    TileApp,
    bands,
    picture_cell,
    wait_until,
)

SIZE = (80, 30)
_IMAGE = re.compile(r"\x1b\[(\d+);(\d+)H(\x1bP[0-9;]*q.*?\x1b\\)", re.DOTALL)


def images(output: str) -> list[tuple[int, int, str]]:
    """Every sixel image in the output with the cell (x, y) the cursor was put on first."""
    return [(int(m[2]) - 1, int(m[1]) - 1, m[3]) for m in _IMAGE.finditer(output)]


async def test_each_image_is_written_at_its_tile_after_the_frames_text() -> None:
    sources = [StubSource(bands(160, 90, 6)), StubSource(bands(96, 96, 3))]
    app = TileApp(sources, SIXEL, recording=True)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        tiles = app.tiles
        await wait_until(pilot, lambda: all(t.image_shown for t in tiles), "the images")
        await pilot.pause(0.2)
        written = app.output
        for tile in tiles:
            assert tile.image is not None
            at = picture_cell(tile)
            mine = [dcs for x, y, dcs in images(written) if (x, y) == at]
            assert mine, f"no image at {at}"
            image = decode_sixel(mine[-1].encode())
            width, height = image.pixels.shape[1], image.pixels.shape[0]
            assert (width, height) == (tile.image.at.cols * 10, tile.image.at.rows * 20 // 6 * 6)
            assert height % 6 == 0 and image.painted.all()
            assert tile.render_line(tile.image.at.y).text.strip() == "", "cells under it blank"
        # Inside Textual's frame: the last write carrying an image holds text before it.
        chunk = next(c for c in reversed(app._driver.written) if "\x1bP" in c)  # type: ignore[union-attr]
        assert chunk.index("\x1bP") > 0 and not chunk.startswith("\x1b[?2026")
        assert len(find_sixels(written.encode())) == len(images(written)), "every DCS is placed"


async def test_a_new_frame_sends_a_new_image_and_nothing_else_of_the_tile() -> None:
    source = StubSource(bands(160, 90, 6))
    app = TileApp([source], SIXEL, recording=True)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.image_shown, "the image")
        await pilot.pause(0.3)
        sent = len(images(app.output))
        mark = len(app.output)
        source.show(bands(160, 90, 4))
        await wait_until(pilot, lambda: len(images(app.output)) > sent, "the next image")
        await pilot.pause(0.3)
        after = app.output[mark:]
        assert len(images(after)) == 1
        assert "▀" not in after, "the text picture under an image is not sent"


async def test_a_modal_in_front_hides_images_and_pictures_until_it_goes() -> None:
    app = TileApp([StubSource(gradient(160, 90)), StubSource(gradient(90, 90))], SIXEL,
                  recording=True)  # fmt: skip
    async with app.run_test(headless=False, size=SIZE) as pilot:
        tiles = app.tiles
        await wait_until(pilot, lambda: all(t.image_shown for t in tiles), "the images")
        await app.push_screen(Cover())
        await pilot.pause(0.3)
        assert not any(t.image_shown for t in tiles)
        assert all(t.behind and not t.render_line(t.image.at.y).text.strip() for t in tiles)
        mark = len(app.output)
        await pilot.pause(0.4)
        assert images(app.output[mark:]) == [], "no image while the modal is in front"
        app.pop_screen()
        await wait_until(pilot, lambda: all(t.image_shown for t in tiles), "the images back")
        await pilot.pause(0.2)
        back = images(app.output[mark:])
        assert {(x, y) for x, y, _ in back} == {picture_cell(t) for t in tiles}


async def test_a_toast_over_a_tile_turns_that_tile_to_text() -> None:
    app = TileApp([StubSource(gradient(156, 112))], SIXEL, recording=True)  # fills the tile
    app.CSS = "Grid { grid-size: 1; }"
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.image_shown, "the image")
        app.notify("Somebody lifted the masks", timeout=30)
        await wait_until(pilot, lambda: not tile.image_shown, "the text fallback")
        assert "▀" in "".join(tile.render_line(y).text for y in range(tile.content_size.height))
        app.clear_notifications()
        mark = len(app.output)
        await wait_until(pilot, lambda: tile.image_shown, "the image back")
        await pilot.pause(0.2)
        assert [(x, y) for x, y, _ in images(app.output[mark:])] == [picture_cell(tile)]


async def test_an_image_that_would_touch_the_last_row_is_drawn_as_text() -> None:
    app = TileApp([StubSource(bands(80, 60, 6))], SIXEL, recording=True)
    app.CSS = "Grid { grid-size: 1; } CameraTile { border: none; }"
    async with app.run_test(headless=False, size=(40, 15)) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames >= 1, "a frame")
        await pilot.pause(0.3)
        assert tile.image is not None
        assert tile.content_region.y + tile.image.at.y + tile.image.at.rows == 15
        assert not tile.image_shown and images(app.output) == []
        assert "▀" in "".join(tile.render_line(y).text for y in range(15))


async def test_a_resize_sends_the_image_again_at_the_new_size() -> None:
    app = TileApp([StubSource(bands(160, 90, 6))], SIXEL, recording=True)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.image_shown, "the image")
        first = tile.image
        assert first is not None
        mark = len(app.output)
        await pilot.resize_terminal(100, 40)
        await wait_until(
            pilot, lambda: tile.image_shown and tile.image is not None and tile.image != first,
            "the new image",
        )  # fmt: skip
        await pilot.pause(0.2)
        latest = images(app.output[mark:])[-1]
        assert latest[:2] == picture_cell(tile)
        assert decode_sixel(latest[2].encode()).pixels.shape[1] == tile.image.at.cols * 10


async def test_after_an_apply_the_image_on_screen_is_masked_again() -> None:
    window = Mask("window", "liftable", "solid", RectGeometry(0.0, 0.0, 0.5, 1.0), (0, 0, 255))
    source = StubSource(bands(160, 90, 6), masks=[window])
    app = TileApp([source], SIXEL, recording=True)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.image_shown, "the image")
        source.gate.on = True
        await wait_until(pilot, lambda: tile.lifted and tile.image_shown, "the lifted image")
        source.gate.on = False
        await wait_until(pilot, lambda: not tile.lifted, "the masked frame")
        await pilot.pause(0.3)
        last = decode_sixel(images(app.output)[-1][2].encode())
        left = last.pixels[:, : last.pixels.shape[1] // 2 - 1]
        assert np.all(left == (0, 0, 255)), "every pixel under the mask is the mask's red"

"""Kitty tiles in the bytes Textual writes: one picture per tile at its cell, and deleted
whenever text stands in, since a kitty picture sits above the text and would otherwise
stay on screen over a toast, a modal or the login screen."""

from __future__ import annotations

import re

from console.core.render.kitty_decode import parse_kitty
from tests.support.frames import gradient
from tests.ui.tiles.conftest import (
    KITTY,
    Cover,
    StubSource,
    TileApp,
    bands,
    picture_cell,
    wait_until,
)

SIZE = (80, 30)
_PLACED = re.compile(r"\x1b\[(\d+);(\d+)H\x1b_Ga=T,[^;]*?i=(\d+),")
_DELETED = re.compile(r"\x1b_Ga=d,d=I,i=(\d+),q=2\x1b\\")


def placed(output: str) -> list[tuple[int, int, int]]:
    """Each picture sent: the cell (x, y) the cursor was put on, and its image id."""
    return [(int(m[2]) - 1, int(m[1]) - 1, int(m[3])) for m in _PLACED.finditer(output)]


def deleted(output: str) -> list[int]:
    return [int(m) for m in _DELETED.findall(output)]


async def test_each_tile_places_its_own_picture_at_its_cell() -> None:
    app = TileApp([StubSource(bands(160, 90, 6)), StubSource(bands(96, 96, 3))], KITTY,
                  recording=True)  # fmt: skip
    async with app.run_test(headless=False, size=SIZE) as pilot:
        tiles = app.tiles
        await wait_until(pilot, lambda: all(t.image_shown for t in tiles), "the pictures")
        await pilot.pause(0.2)
        sent = placed(app.output)
        ids = {}
        for tile in tiles:
            at = picture_cell(tile)
            mine = {image_id for x, y, image_id in sent if (x, y) == at}
            assert len(mine) == 1, f"one image id at {at}, got {mine}"
            ids[at] = mine.pop()
            assert tile.render_line(tile.image.at.y).text.strip() == "", "cells under it blank"
        assert len(set(ids.values())) == len(tiles), "no two tiles share an image id"
        commands = [c for c in parse_kitty(app.output.encode()) if c.action == "T"]
        assert commands and all(c.keys["q"] == "2" for c in commands)


async def test_a_toast_deletes_the_covered_picture_and_it_comes_back() -> None:
    app = TileApp([StubSource(gradient(156, 112))], KITTY, recording=True)
    app.CSS = "Grid { grid-size: 1; }"
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.image_shown, "the picture")
        ((_, _, image_id),) = set(placed(app.output))
        mark = len(app.output)
        app.notify("Somebody lifted the masks", timeout=30)
        await wait_until(pilot, lambda: not tile.image_shown, "the text fallback")
        await pilot.pause(0.1)
        assert deleted(app.output[mark:]) == [image_id]
        assert "▀" in "".join(tile.render_line(y).text for y in range(tile.content_size.height))
        app.clear_notifications()
        mark = len(app.output)
        await wait_until(pilot, lambda: tile.image_shown, "the picture back")
        await pilot.pause(0.2)
        assert [(x, y) for x, y, _ in placed(app.output[mark:])] == [picture_cell(tile)]


async def test_a_modal_deletes_every_picture_until_it_goes() -> None:
    app = TileApp([StubSource(gradient(160, 90)), StubSource(gradient(90, 90))], KITTY,
                  recording=True)  # fmt: skip
    async with app.run_test(headless=False, size=SIZE) as pilot:
        tiles = app.tiles
        await wait_until(pilot, lambda: all(t.image_shown for t in tiles), "the pictures")
        ids = {image_id for _, _, image_id in placed(app.output)}
        mark = len(app.output)
        await app.push_screen(Cover())
        await pilot.pause(0.4)
        assert set(deleted(app.output[mark:])) == ids
        assert placed(app.output[mark:]) == [], "no picture while the modal is in front"
        app.pop_screen()
        await wait_until(pilot, lambda: all(t.image_shown for t in tiles), "the pictures back")
        await pilot.pause(0.2)
        assert {(x, y) for x, y, _ in placed(app.output[mark:])} == {picture_cell(t) for t in tiles}

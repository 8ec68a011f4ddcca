"""The mask editor's rect and polygon masks, masks of every shape created and removed,
level and colour, the real look, Show grid, and the save's mask history entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import numpy as np
import pytest
from rich.color import Color
from textual.pilot import Pilot

from console.cli import main
from console.core.audit.trail import Event
from console.core.privacy.masks import GridGeometry, PolygonGeometry, RectGeometry
from console.core.services import Services
from console.core.site.config import load_site
from console.core.site.edit import masks_text
from console.core.video.feed import BeneathMasks
from console.ui.app import VeilApp
from console.ui.screens.mask_editor import (
    GRID_LINE,
    INVALID,
    LIFTABLE,
    PERMANENT,
    MaskEditorScreen,
    cell_of,
    point_of,
)
from tests.ui.conftest import AppServices, log_in, logged_in, settle
from tests.ui.test_mask_editor import (
    ADMIN,
    SITE,
    admin_services,
    message,
    open_editor,
    read,
    status,
    write,
    write_site,
)

Cell = tuple[int, int]


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    return write_site(tmp_path)


@pytest.fixture
def services(make_services: AppServices, site_file: Path) -> Services:
    return admin_services(make_services, site_file)


async def walk(pilot: Pilot[None], editor: MaskEditorScreen, cell: Cell) -> None:
    """Move the cursor to `cell` with the arrow keys, 8 at a time with Ctrl (carrying a
    held point along)."""
    column, row = editor.canvas.cursor
    keys = []
    for distance, forward, back in (
        (cell[0] - column, "right", "left"),
        (cell[1] - row, "down", "up"),
    ):
        key = forward if distance > 0 else back
        jumps, steps = divmod(abs(distance), 8)
        keys += [f"ctrl+{key}"] * jumps + [key] * steps
    await pilot.press(*keys)
    assert editor.canvas.cursor == cell


async def add_points(pilot: Pilot[None], editor: MaskEditorScreen, *cells: Cell) -> None:
    """Space adds a point where the cursor is and holds it; space again puts it down."""
    for cell in cells:
        await walk(pilot, editor, cell)
        await pilot.press("space", "space")
        assert editor.canvas.held is None


def points(editor: MaskEditorScreen) -> list[Cell]:
    return [cell_of(point) for point in editor.draft.points]


def offset(editor: MaskEditorScreen, x: int, y: int) -> tuple[tuple[int, int], Cell]:
    """A mouse offset on the canvas (its border included) at picture cell (x, y), and
    the point cell it lands on."""
    cell = editor.canvas.cell_at(x, y)
    assert cell is not None
    return (x + 1, y + 1), cell


SQUARE = ((6, 6), (20, 6), (20, 20), (6, 20))


async def test_a_rect_s_corners_move_by_keys_as_one_undo_step_each(
    services: Services, site_file: Path
) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("r")
        assert editor.draft.current.id == "rect-1" and editor.draft.shape == "rect"
        assert points(editor) == [(16, 16), (47, 47)]
        assert message(editor) == "New mask rect-1: move its corners"
        await walk(pilot, editor, (16, 16))
        assert "point 1 of 4" in status(editor)
        await pilot.press("space")
        assert "moving it" in status(editor)
        await walk(pilot, editor, (10, 12))
        await pilot.press("space")
        assert points(editor) == [(10, 12), (47, 47)]
        await pilot.press("ctrl+z")  # the whole carry is one step
        assert points(editor) == [(16, 16), (47, 47)]
        await pilot.press("ctrl+y")
        await walk(pilot, editor, (47, 47))
        await pilot.press("space")
        await walk(pilot, editor, (4, 50))  # past the other corner: they swap
        await pilot.press("space")
        assert editor.draft.current.geometry == RectGeometry(
            *point_of((4, 12)), *point_of((10, 50))
        )
        await pilot.press("delete")
        assert message(editor) == "A rect keeps its two corners: x removes the mask"
        await walk(pilot, editor, (60, 60))  # off every corner: the nearest jumps there
        await pilot.press("space", "space")
        assert points(editor) == [(4, 12), (60, 60)]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved to" in message(editor)
    text = read(site_file)
    assert text.startswith("# Editor test site; this comment survives saves.")
    x0, y0 = point_of((4, 12))
    x1, y1 = point_of((60, 60))
    assert f"rect = [{x0}, {y0}, {x1}, {y1}]" in text
    saved = load_site(site_file).camera("lobby").masks
    assert [mask.id for mask in saved] == ["keypad", "rect-1"]
    assert saved[1].geometry == RectGeometry(x0, y0, x1, y1)


async def test_a_polygon_s_points_are_added_moved_and_deleted_by_keys(
    services: Services, site_file: Path
) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("p")
        assert editor.draft.shape == "polygon" and points(editor) == []
        assert "INVALID: expected at least 3 [x, y] points" in status(editor)
        await add_points(pilot, editor, *SQUARE)
        # each point went into the edge it lengthens least: the square, drawn the other way
        assert points(editor) == [(6, 6), (6, 20), (20, 20), (20, 6)]
        assert "INVALID" not in status(editor) and "point 2 of 4" in status(editor)
        await walk(pilot, editor, (20, 6))
        await pilot.press("space")
        await walk(pilot, editor, (17, 2))
        await pilot.press("space")
        assert points(editor) == [(6, 6), (6, 20), (20, 20), (17, 2)]
        await walk(pilot, editor, (6, 20))
        await pilot.press("delete")
        assert points(editor) == [(6, 6), (20, 20), (17, 2)]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved to" in message(editor)
    saved = load_site(site_file).camera("lobby").masks[1]
    assert saved.id == "polygon-1"
    drawn = [(6, 6), (20, 20), (17, 2)]
    assert saved.geometry == PolygonGeometry(tuple(point_of(c) for c in drawn))


async def test_a_crossing_polygon_is_red_and_refused_in_check_site_s_words(
    services: Services, site_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = read(site_file)
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("p")
        await add_points(pilot, editor, *SQUARE)
        await walk(pilot, editor, (6, 20))
        await pilot.press("space")
        await walk(pilot, editor, (24, 13))  # the last edge now crosses the second
        await pilot.press("space")
        assert "INVALID: expected edges that neither cross nor touch" in status(editor)
        canvas = editor.canvas
        tints = {canvas.tint((c, r)) for c in range(64) for r in range(64)}
        assert (INVALID, 0.5) in tints and (PERMANENT, 0.5) in tints  # the keypad stays purple
        await pilot.press("ctrl+s")
        await settle(pilot)
        refusal = message(editor)
        written = masks_text(editor.opened, "lobby", editor.draft.masks)
        await pilot.press("ctrl+z")  # the point back where it was: valid again
        assert "INVALID" not in status(editor)
    prefix = "Not saved: mask polygon-1 is invalid: "
    assert refusal.startswith(prefix)
    assert read(site_file) == before
    assert not (site_file.parent / "site.toml.1").exists()
    crossing = site_file.parent / "crossing.toml"
    write(crossing, written)
    capsys.readouterr()
    assert main(["check-site", str(crossing)]) != 0
    assert refusal.removeprefix(prefix) in capsys.readouterr().err


async def test_points_are_added_moved_and_deleted_by_mouse(services: Services) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        canvas = editor.canvas
        cols, rows = canvas.picture_size
        await pilot.press("r")
        here, cell = offset(editor, 2, 1)  # off both corners: the nearest comes here
        await pilot.click(canvas, here)
        assert points(editor) == [cell, (47, 47)]
        there, moved = offset(editor, cols // 3, rows // 2)
        await pilot.mouse_down(canvas, here)  # on the corner now: a drag moves it
        await pilot.hover(canvas, there)
        await pilot.mouse_up(canvas, there)
        assert points(editor) == [moved, (47, 47)] and canvas.held is None
        await pilot.press("ctrl+z")
        assert points(editor) == [cell, (47, 47)]

        await pilot.press("p")
        corners = [offset(editor, x, y) for x, y in [(4, 2), (cols - 5, 2), (cols // 2, rows - 3)]]
        for place, _ in corners:
            await pilot.click(canvas, place)
        first, second, third = (cell for _, cell in corners)
        assert points(editor) == [first, third, second]
        assert canvas.held is None and "INVALID" not in status(editor)
        there, moved = offset(editor, cols // 2, rows - 8)
        await pilot.mouse_down(canvas, corners[2][0])
        await pilot.hover(canvas, there)
        await pilot.mouse_up(canvas, there)
        assert points(editor) == [first, moved, second]
        await pilot.mouse_down(canvas, there, button=3)  # right button deletes
        await pilot.mouse_up(canvas, there)
        assert points(editor) == [first, second]
        assert "INVALID" in status(editor)


async def test_masks_of_every_shape_are_created_and_removed(
    services: Services, site_file: Path
) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("n")
        assert editor.draft.current.id == "grid-1" and "of 16x16" in status(editor)
        await pilot.press("right", "space", "k")
        await pilot.press("r", "p")
        await add_points(pilot, editor, *SQUARE[:3])
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved to" in message(editor)
        saved = load_site(site_file).camera("lobby").masks
        assert [mask.id for mask in saved] == ["keypad", "grid-1", "rect-1", "polygon-1"]
        assert saved[1].kind == "liftable"
        assert saved[1].geometry == GridGeometry(16, frozenset({(1, 0)}))
        for removed in ("polygon-1", "rect-1", "grid-1"):
            await pilot.press("x")
            assert message(editor) == f"Removed mask {removed} (ctrl+z brings it back)"
        assert editor.draft.current.id == "keypad"
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert [mask.id for mask in load_site(site_file).camera("lobby").masks] == ["keypad"]
    assert read(site_file) == SITE
    audit = [r for r in services.audit.records() if r.event == Event.MASKS_SAVED]
    assert '"added":["grid-1","rect-1","polygon-1"]' in audit[0].details
    assert '"removed":["grid-1","rect-1","polygon-1"]' in audit[1].details


async def test_level_and_colour_reach_the_site_file_with_its_comments(
    services: Services, site_file: Path
) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("c", "c")
        assert "colour #808080" not in status(editor) and "colour #ffffff" in status(editor)
        await pilot.press("n", "space", "s", "l", "l")
        assert "(permanent, blur, level 7)" in status(editor)
        await pilot.press("ctrl+s")
        await settle(pilot)
    text = read(site_file)
    assert text.startswith("# Editor test site; this comment survives saves.")
    assert 'color = "#ffffff"' in text and "level = 7" in text
    keypad, grid = load_site(site_file).camera("lobby").masks
    assert keypad.color == (255, 255, 255) and keypad.style == "solid"
    assert grid.style == "blur" and grid.level == 7


def triplet(color: Color | None) -> tuple[int, int, int]:
    assert color is not None
    return tuple(color.get_truecolor())  # type: ignore[return-value]


async def test_the_real_look_is_the_masking_stage_s_output(services: Services) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        canvas = editor.canvas
        await pilot.press("c", "c")  # the keypad solid white
        await pilot.press("r")  # a liftable rect, pixelated, with the points' overlay
        await pilot.press("k", "s", "s")
        tinted = canvas.render_line(0).crop(3, 4)  # in the keypad, off the cursor
        await pilot.press("v")
        assert "real look" in status(editor)
        source = canvas.source
        assert isinstance(source, BeneathMasks) and source.masks == editor.draft.masks
        frame = source.preview(160, 160)
        assert frame is not None
        keypad = frame.pixels[:10, :10]  # grid cell (0, 0) of 16x16
        assert (keypad == 255).all()
        bare = source.feed.beneath(160, 160)
        assert bare is not None
        rect = (slice(40, 120), slice(40, 120))
        assert not (frame.pixels[rect] == bare.pixels[rect]).all(axis=-1).any()
        beyond = (slice(130, 160), slice(130, 160))
        assert np.array_equal(frame.pixels[beyond], bare.pixels[beyond])
        shown = canvas.render_line(0).crop(3, 4)
        text, style, _ = next(iter(shown))
        assert style is not None and triplet(style.bgcolor) == (255, 255, 255)
        assert text == " " or triplet(style.color) == (255, 255, 255)
        tinted_style = next(iter(tinted)).style
        assert tinted_style is not None and triplet(tinted_style.bgcolor) != (255, 255, 255)
        tints = {canvas.tint((c, r)) for c in range(64) for r in range(64)}
        assert not tints & {(PERMANENT, 0.5), (LIFTABLE, 0.5)}  # no overlay over the look
        await pilot.press("v")
        assert isinstance(canvas.source, BeneathMasks) and canvas.source.masks == ()


async def test_show_grid_toggles_the_shaded_cells(services: Services) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        canvas = editor.canvas
        assert canvas.tint((1, 0)) == (GRID_LINE, 0.2) and canvas.tint((2, 0)) is None
        await pilot.press("number_sign")
        assert canvas.tint((1, 0)) is None
        assert canvas.tint((0, 0)) == (PERMANENT, 0.5)  # the masks stay
        await pilot.press("number_sign")
        assert canvas.tint((1, 0)) == (GRID_LINE, 0.2)


async def test_a_save_records_the_mask_history_under_the_administrator(
    services: Services, site_file: Path
) -> None:
    assert services.history is not None
    first = services.history.timeline("lobby").versions
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("r", "ctrl+s")
        await settle(pilot)
        assert "Saved to" in message(editor) and "mask history" not in message(editor)
    versions = services.history.timeline("lobby").versions
    assert len(versions) == len(first) + 1
    assert versions[-1].changed_by == "admin"
    assert versions[-1].masks == load_site(site_file).camera("lobby").masks


SnapCompare = Callable[..., bool]


def test_editor_rect_snapshot(snap_compare: SnapCompare, services: Services) -> None:
    async def rect(pilot: Pilot[None]) -> None:
        await log_in(pilot, ADMIN)
        editor = await open_editor(pilot)
        await pilot.press("r")
        await walk(pilot, editor, (16, 16))
        await pilot.press("space")
        await walk(pilot, editor, (10, 24))
        await pilot.pause(0.3)

    run_before: Callable[[Pilot[None]], Awaitable[None]] = rect
    assert snap_compare(VeilApp(services), terminal_size=(100, 36), run_before=run_before)


def test_editor_polygon_snapshot(snap_compare: SnapCompare, services: Services) -> None:
    async def polygon(pilot: Pilot[None]) -> None:
        await log_in(pilot, ADMIN)
        editor = await open_editor(pilot)
        await pilot.press("p", "k")
        await add_points(pilot, editor, (10, 8), (50, 12), (40, 50), (14, 40))
        await walk(pilot, editor, (50, 12))
        await pilot.pause(0.3)

    run_before: Callable[[Pilot[None]], Awaitable[None]] = polygon
    assert snap_compare(VeilApp(services), terminal_size=(100, 36), run_before=run_before)

"""The console's sixel wall through a lift: no text ever goes over a picture that is on
the terminal (issue 15).

xterm has no synchronized output, so cells Textual writes over an image show black
until the image written after them is decoded; on a four-tile wall every such repaint
blinked the wall for seconds. The paths that repainted the whole wall during a lift were
Textual's full refresh after a modal is removed, the app's `masks_lifted` reactive, the
UNMASKED border of each tile and a toast. These tests run the real console (fixed
frames, recorded terminal) and replay what it wrote the way a terminal applies it: a
tile's picture is on the terminal from its image on, and no later text may touch it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from rich.cells import cell_len
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._toast import Toast

from console.core.timebase.clock import FakeClock
from console.ui.app import LIFT_SAMPLE_INTERVAL, VeilApp
from console.ui.widgets.camera_tile import UNMASKED, CameraTile, has_liftable_masks
from console.ui.widgets.countdown import URGENT_SECONDS, LiftCountdown
from tests.ui.conftest import OPERATOR, SUPERVISOR, AppServices, log_in, settle
from tests.ui.tiles.conftest import SIXEL, RecordingDriver, wait_until

SIZE = (120, 40)
_TOKEN = re.compile(
    r"\x1b\[(\d+);(\d+)H"  # cursor position: where the text that follows goes
    r"|(\x1bP[0-9;]*q.*?\x1b\\)"  # a sixel image, drawn at the cursor
    r"|\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\n",  # other controls: no cells
    re.DOTALL,
)

Written = tuple[str, int, int, int]
"""("text", y, x0, x1) for cells a piece of text covers, ("image", y, x, 0) for an image."""


def written(output: str) -> Iterator[Written]:
    """What Textual's output does to the screen, in order."""
    y = x = 0
    at = 0
    for match in _TOKEN.finditer(output):
        text = output[at : match.start()]
        if text:
            yield ("text", y, x, x + cell_len(text))
            x += cell_len(text)
        at = match.end()
        if match[1]:
            y, x = int(match[1]) - 1, int(match[2]) - 1
        elif match[3]:
            yield ("image", y, x, 0)
    text = output[at:]
    if text:
        yield ("text", y, x, x + cell_len(text))


def solid(tile: CameraTile) -> Region:
    """The screen cells the tile's image covers to the last pixel."""
    assert tile.image is not None
    area = picture(tile)
    return Region(area.x, area.y, *tile.image.solid)


def picture(tile: CameraTile) -> Region:
    """The screen cells of the tile's image."""
    assert tile.image is not None
    content, at = tile.content_region, tile.image.at
    return Region(content.x + at.x, content.y + at.y, at.cols, at.rows)


def replay(output: str, tiles: list[CameraTile]) -> tuple[set[str], list[str]]:
    """The tiles whose picture the terminal shows at the end, and every text written over
    a picture that was on it."""
    areas = {tile.id or "": picture(tile) for tile in tiles}
    shown: set[str] = set()
    erased: list[str] = []
    for kind, y, x0, x1 in written(output):
        for name, area in areas.items():
            if kind == "image" and (x0, y) == area.offset:
                shown.add(name)
            elif kind == "text" and name in shown and area.overlaps(Region(x0, y, x1 - x0, 1)):
                erased.append(f"{name}: row {y}, cells {x0}..{x1}")
    return shown, erased


def output(app: object) -> str:
    assert isinstance(app, VeilApp)
    driver = app._driver
    assert isinstance(driver, RecordingDriver)
    return "".join(driver.written)


async def sixel_wall(pilot: Pilot[None]) -> list[CameraTile]:
    """Log the operator in and wait until every tile shows its image."""
    await log_in(pilot, OPERATOR)
    tiles = list(pilot.app.screen.query(CameraTile))
    await wait_until(pilot, lambda: all(tile.image_shown for tile in tiles), "the images")
    await pilot.pause(0.3)
    return tiles


async def authorize(pilot: Pilot[None]) -> int:
    """The supervisor's name and password in the open authorization, then Enter; what
    had been written before the Enter."""
    await pilot.press("ctrl+l")
    await pilot.pause()
    for index, value in enumerate(SUPERVISOR):
        if index:
            await pilot.press("tab")
        field = pilot.app.focused
        assert isinstance(field, Input)
        field.value = value
    mark = len(output(pilot.app))
    await pilot.press("enter")
    await settle(pilot)
    return mark


def sixel_console(make_services: AppServices) -> VeilApp:
    services = make_services()
    services.caps = SIXEL
    app = VeilApp(services)
    app.driver_class = RecordingDriver
    return app


async def test_after_the_authorization_closes_no_text_goes_over_a_picture(
    make_services: AppServices,
) -> None:
    """The modal's removal refreshes the whole screen (Textual), the lift flips the app's
    `masks_lifted` and puts UNMASKED on the tiles' borders: none of it may write a cell
    under an image that is back on the terminal."""
    app = sixel_console(make_services)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        tiles = await sixel_wall(pilot)
        mark = await authorize(pilot)
        liftable = [tile for tile in tiles if has_liftable_masks(tile.source)]
        await wait_until(pilot, lambda: all(tile.unmasked for tile in liftable), "the lift")
        await pilot.pause(1.0)
        assert len(liftable) == 3, "street, gate and garden have liftable masks"
        assert all(str(tile.border_subtitle) == UNMASKED for tile in liftable)
        shown, erased = replay(output(app)[mark:], tiles)
        assert shown == {tile.id for tile in tiles}, "every picture is back"
        assert erased == [], "text went over a picture on the terminal"


def covered(output: str, region: Region) -> set[tuple[int, int]]:
    """The cells of `region` that the output writes text on."""
    cells: set[tuple[int, int]] = set()
    for kind, y, x0, x1 in written(output):
        if kind == "text" and region.y <= y < region.bottom:
            cells.update((x, y) for x in range(max(x0, region.x), min(x1, region.right)))
    return cells


async def test_the_countdown_its_warning_and_their_toast_write_nothing_over_pictures(
    make_services: AppServices, clock: FakeClock
) -> None:
    """Through the last minute of a lift the countdown ticks and turns urgent, and the
    "Lift ending" toast comes and goes: no text goes over a tile's picture, except the
    tile under the toast, which shows its text picture meanwhile and its image again,
    over the toast's every cell, once the toast is gone. That image goes straight over
    the text picture (blanks first showed black in xterm while it decoded)."""
    app = sixel_console(make_services)
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        tiles = await sixel_wall(pilot)
        await authorize(pilot)
        await wait_until(pilot, lambda: len(app._notifications) > 0, "the lift's toast")
        app.clear_notifications()
        await wait_until(pilot, lambda: all(tile.image_shown for tile in tiles), "the images")
        await pilot.pause(0.5)
        mark = len(output(app))
        clock.advance(app.lift_remaining - URGENT_SECONDS - 3)
        for _ in range(5):  # ticks before and into the last minute: the toast comes
            clock.advance(1)
            await pilot.pause(LIFT_SAMPLE_INTERVAL)
        await wait_until(pilot, lambda: bool(app.screen.query(Toast)), "the toast")
        toasts = list(app.screen.query(Toast))
        assert ["return in" in str(toast.render()) for toast in toasts] == [True]
        toasted = Region.from_union([toast.region for toast in toasts])
        under = [tile for tile in tiles if picture(tile).overlaps(toasted)]
        assert under and not any(tile.image_shown for tile in under), "text under the toast"
        cleared = len(output(app))
        app.clear_notifications()
        await wait_until(pilot, lambda: all(tile.image_shown for tile in tiles), "the images")
        await pilot.pause(0.5)
        assert app.screen.query_one(LiftCountdown).has_class("-urgent")
        _, erased = replay(output(app)[mark:], [tile for tile in tiles if tile not in under])
        assert erased == [], "text went over a picture on the terminal"
        after = output(app)[cleared:]
        back, _ = replay(after, under)
        assert back == {tile.id for tile in under}, "the picture under the toast is back"
        blanked = {cell for tile in under for cell in covered(after, solid(tile))}
        assert blanked == set(), "the image went over the text picture, not over blanks"
        cells = covered(after, toasted) | {
            (x, y)
            for tile in under
            for x in range(picture(tile).x, picture(tile).right)
            for y in range(picture(tile).y, picture(tile).bottom)
        }
        assert all(
            (x, y) in cells
            for x in range(toasted.x, toasted.right)
            for y in range(toasted.y, toasted.bottom)
        ), "the toast left cells behind"


async def test_masks_back_over_an_image_drawn_over_lifted_text_blank_that_text_first(
    make_services: AppServices,
) -> None:
    """A tile back from its lifted text picture (a toast went) keeps that text on the
    terminal under its image; when the masks come back, every cell of it is blanked
    before the masked image, so no lifted cell can outlive the lift there."""
    app = sixel_console(make_services)
    async with app.run_test(headless=False, size=SIZE, notifications=True) as pilot:
        tiles = await sixel_wall(pilot)
        await authorize(pilot)
        liftable = [tile for tile in tiles if has_liftable_masks(tile.source)]
        await wait_until(pilot, lambda: all(tile.unmasked for tile in liftable), "the lift")
        await wait_until(pilot, lambda: bool(app.screen.query(Toast)), "the lift's toast")
        await pilot.pause(0.3)
        under = [tile for tile in tiles if not tile.image_shown]
        assert [tile for tile in under if tile.lifted], "a lifted tile under the toast"
        app.clear_notifications()
        await wait_until(pilot, lambda: all(tile.image_shown for tile in tiles), "the images")
        await pilot.pause(0.3)
        mark = len(output(app))
        app.services.gate.apply("operator")  # as F12 does, less its toast over the tile
        app.pump.wake()
        await wait_until(pilot, lambda: not any(tile.lifted for tile in tiles), "the masks")
        await pilot.pause(0.5)
        applied = output(app)[mark:]
        for tile in under:
            cells = solid(tile)
            every = {
                (x, y) for x in range(cells.x, cells.right) for y in range(cells.y, cells.bottom)
            }
            assert covered(applied, cells) == every, f"{tile.id}: its lifted text was blanked"
            shown, _ = replay(applied, [tile])
            assert shown == {tile.id}, f"{tile.id}: its masked image came"

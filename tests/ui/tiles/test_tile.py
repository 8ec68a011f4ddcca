"""The tile as the operator sees it: its state, its picture, and what it repaints when."""

from __future__ import annotations

from textual.geometry import Region
from textual.screen import ModalScreen

from console.core.privacy.masks import Mask, RectGeometry
from console.core.render.terminal import TerminalCaps
from console.core.render.tile import ColorDepth
from console.core.site.model import Camera
from console.core.video.feed import CameraFeed, FeedStatus
from console.ui.widgets.camera_tile import UNMASKED, CameraTile
from console.ui.widgets.tile_pump import TileUpdate
from tests.support.frames import FixedSource
from tests.ui.tiles.conftest import (
    ASCII,
    HALFBLOCK,
    Pixels,
    StubSource,
    TileApp,
    bands,
    solid,
    wait_until,
)

SIZE = (80, 30)
LIFTABLE = Mask("window", "liftable", "solid", RectGeometry(0.0, 0.0, 0.5, 0.5), (0, 0, 0))
PERMANENT = Mask("keypad", "permanent", "solid", RectGeometry(0.5, 0.5, 1.0, 1.0), (0, 0, 0))


def text(tile: CameraTile) -> str:
    """The tile's content as text, runs of blanks and line ends squeezed to one space."""
    lines = (tile.render_line(y).text for y in range(tile.content_size.height))
    return " ".join(" ".join(lines).split())


def cells(tile: CameraTile) -> list[list[tuple[str, object, object]]]:
    """Every content cell as (character, fg, bg)."""
    rows = []
    for y in range(tile.content_size.height):
        row = []
        for segment in tile.render_line(y):
            style = segment.style
            for char in segment.text:
                row.append((char, style.color if style else None, style.bgcolor if style else None))
        rows.append(row)
    return rows


async def test_a_camera_without_video_shows_its_state_and_why() -> None:
    lost = StubSource(None, "Street")
    lost.state = FeedStatus("lost", "cannot connect to rtsp://127.0.0.1/street")
    broken = StubSource(bands(64, 36, 4), "Gate")
    broken.failing = True
    app = TileApp([lost, broken], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        street, gate = app.tiles
        await wait_until(pilot, lambda: street.border_subtitle == "lost", "the lost state")
        assert street.border_title == "Street"
        assert "cannot connect to rtsp://127.0.0.1/street" in text(street)
        await wait_until(pilot, lambda: gate.border_subtitle == "masks-unavailable", "no masks")
        assert "video withheld" in text(gate)
        assert "▀" not in text(street) + text(gate), "no picture without video"


async def test_a_live_tile_draws_its_picture_and_loses_it_with_the_camera(
    gradient_picture: Pixels,
) -> None:
    source = StubSource(gradient_picture)
    app = TileApp([source], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1, "the first frame")
        assert tile.border_subtitle == ""
        assert "▀" in text(tile)
        source.state = FeedStatus("lost", "stream stopped; reconnecting")
        await wait_until(pilot, lambda: tile.border_subtitle == "lost", "the lost state")
        assert "▀" not in text(tile), "a lost camera's last picture must not linger"
        assert "stream stopped" in text(tile)


async def test_the_tile_redraws_when_the_version_changes_and_only_then() -> None:
    source = StubSource(solid(64, 36, (0, 0, 200)))
    app = TileApp([source], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1, "the first frame")
        red = {cell[2] for row in cells(tile) for cell in row}
        await pilot.pause(0.3)
        assert tile.frames == 1, "an unchanged source is not drawn again"
        previews = source.previews
        source.show(solid(64, 36, (0, 200, 0)))
        await wait_until(pilot, lambda: tile.frames == 2, "the second frame")
        assert source.previews == previews + 1
        green = {cell[2] for row in cells(tile) for cell in row}
        assert red != green


async def test_only_rows_whose_key_changed_are_repainted(monkeypatch: object) -> None:
    picture = bands(64, 36, 4)
    source = StubSource(picture)
    app = TileApp([source], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1 and not tile.repaint_pending, "a frame")
        await pilot.pause(0.1)  # focus styles applied: nothing else repaints the tile now
        repaints: list[tuple[Region, ...]] = []
        original = tile.refresh

        def spy(*regions: Region, **kwargs: bool) -> CameraTile:
            repaints.append(regions)
            return original(*regions, **kwargs)

        tile.refresh = spy  # type: ignore[method-assign]
        before = [tile.render_line(y).text for y in range(tile.content_size.height)]
        changed = picture.copy()
        changed[:3] = (255, 255, 255)  # the top band's first pixel rows only
        source.show(changed)
        await wait_until(pilot, lambda: tile.frames == 2 and not tile.repaint_pending, "a frame")
        after = [tile.render_line(y).text for y in range(tile.content_size.height)]
        rows = [region.y for regions in repaints for region in regions]
        left = tile.styles.gutter.left
        assert repaints == [tuple(Region(-left, y, tile.size.width, 1) for y in rows)]
        assert 0 < len(rows) < tile.content_size.height / 4
        assert before != after
        assert all(before[y] == after[y] or y in rows for y in range(len(before)))


async def test_unmasked_badge_while_the_picture_has_liftable_masks_off() -> None:
    source = StubSource(bands(64, 36, 4), masks=[LIFTABLE])
    app = TileApp([source], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1, "the first frame")
        assert not tile.unmasked and tile.border_subtitle == ""
        source.gate.on = True
        await wait_until(pilot, lambda: tile.border_subtitle == UNMASKED, "the badge")
        assert tile.has_class("-unmasked") and tile.lifted
        source.gate.on = False
        await wait_until(pilot, lambda: tile.border_subtitle == "", "the badge to go")
        assert not tile.has_class("-unmasked")


async def test_a_frame_masked_under_a_lift_is_not_shown_once_masks_are_back() -> None:
    source = StubSource(bands(64, 36, 4), masks=[LIFTABLE])
    app = TileApp([source], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        updates: list[TileUpdate] = []
        client = tile._client
        assert client is not None
        deliver = client.deliver
        client.deliver = lambda update: updates.append(update) or deliver(update)
        source.gate.on = True
        await wait_until(pilot, lambda: tile.lifted, "a lifted frame")
        late = next(u for u in updates if u.video is not None and u.video.lifted)
        shown = tile.frames
        source.gate.on = False  # the apply lands while `late` is on its way to the UI
        tile.on_camera_tile_painted(CameraTile.Painted(late))
        assert tile.frames == shown, "a frame masked under the ended lift was shown"
        await wait_until(pilot, lambda: tile.frames > shown and not tile.lifted, "masks back")


async def test_no_badge_for_a_camera_whose_masks_a_lift_cannot_remove(
    gradient_picture: Pixels,
) -> None:
    camera = Camera("door", "Door", "fixed", masks=(PERMANENT,))
    holder = StubSource(None)
    gate = holder.gate
    feed = CameraFeed(camera, gate, source_factory=lambda spec: FixedSource(gradient_picture))
    app = TileApp([], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        app.sources.append(holder)  # the lift state the pump follows is this gate's
        tile = CameraTile(feed, caps=HALFBLOCK)
        await app.query_one("Grid").mount(tile)
        gate.on = True
        await wait_until(pilot, lambda: tile.frames >= 1 and tile.lifted, "a lifted frame")
        assert tile.id == "tile-door"
        assert tile.border_subtitle == "" and not tile.unmasked


async def test_ascii_tiles_draw_characters_in_colour() -> None:
    app = TileApp([StubSource(bands(64, 36, 4))], ASCII)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1, "the first frame")
        drawn = cells(tile)
        assert "▀" not in text(tile)
        assert set(text(tile)) - {" "} <= set(".:-=+*#%@")
        assert len({fg for row in drawn for _, fg, _ in row if fg is not None}) >= 3


async def test_tiles_keep_the_picture_proportions(gradient_picture: Pixels) -> None:
    app = TileApp([StubSource(gradient_picture)], HALFBLOCK)
    async with app.run_test(size=(60, 40)) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1, "the first frame")
        lines = [tile.render_line(y).text for y in range(tile.content_size.height)]
        rows = [y for y, line in enumerate(lines) if "▀" in line]
        # 16:9 in 10x20 px cells: as wide as the tile, and 9/16 of that tall in pixels
        assert len(rows) == int(tile.content_size.width * 10 * 9 / 16 / 20)
        assert rows == list(range(rows[0], rows[-1] + 1)), "one block, centred"
        above, below = rows[0], len(lines) - 1 - rows[-1]
        assert abs(above - below) <= 1 and above > 0
        assert all(not lines[y].strip() for y in range(len(lines)) if y not in rows)


async def test_mono_tiles_have_no_colour() -> None:
    mono = TerminalCaps("ascii", ColorDepth.MONO, (10, 20), False, False, ["NO_COLOR"])
    app = TileApp([StubSource(bands(64, 36, 4))], mono)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1, "the first frame")
        base = tile.rich_style
        colours = {(fg, bg) for row in cells(tile) for _, fg, bg in row}
        assert colours == {(base.color, base.bgcolor)}
        assert any(char != " " for row in cells(tile) for char, _, _ in row)


async def test_behind_another_screen_a_tile_is_blank_and_renders_only_a_lift(
    gradient_picture: Pixels,
) -> None:
    source = StubSource(gradient_picture, masks=[LIFTABLE])
    app = TileApp([source], HALFBLOCK)
    async with app.run_test(size=SIZE) as pilot:
        (tile,) = app.tiles
        await wait_until(pilot, lambda: tile.frames == 1, "the first frame")
        await app.push_screen(ModalScreen())
        await pilot.pause(0.1)
        assert tile.behind and "▀" not in text(tile) and tile.border_title == "Stub"
        source.show(gradient_picture[::-1].copy())
        await pilot.pause(0.4)
        assert tile.frames == 1, "rendered a frame nobody sees"
        source.gate.on = True
        await wait_until(pilot, lambda: tile.lifted, "the lift, rendered at once")
        source.gate.on = False
        await wait_until(pilot, lambda: not tile.lifted, "the apply, rendered at once")
        app.pop_screen()
        await wait_until(pilot, lambda: not tile.behind and "▀" in text(tile), "the picture")

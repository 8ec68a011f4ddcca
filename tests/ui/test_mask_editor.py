"""The mask editor in the console: only for admins, painting, undo/redo, saving, audit."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from console.core.audit.trail import Event
from console.core.privacy.masks import GridGeometry
from console.core.services import Services
from console.core.site.config import load_site
from console.core.timebase.utc import format_utc
from console.core.video.last_recorded import RecordedBeneath
from console.core.video.segment_decoder import SegmentDecoder
from console.core.video.segment_files import index_camera
from console.ui.app import VeilApp
from console.ui.screens.mask_editor import MaskEditorScreen
from tests.conftest import DEMO
from tests.ui.conftest import SUPERVISOR, AppServices, log_in, logged_in, settle
from tests.ui.test_palette import palette_hits, search_palette

ADMIN = ("admin", "admin-pass-1234")

SITE = """\
# Editor test site; this comment survives saves.
[site]
name = "Editor test"

[roles.admin]
permissions = ["live", "admin"]

[roles.supervisor]
permissions = ["live", "playback", "export", "lift_privacy_masks", "audit"]

[[cameras]]
id = "lobby"
name = "Lobby"
source = "clips/lobby.mp4"

[[cameras.masks]]
id = "keypad"
kind = "permanent"
grid = "16x16"
cells = ["0,0"]
"""


def write_site(tmp_path: Path, text: str = SITE) -> Path:
    """site.toml in a folder of its own, the way the editor finds and saves it."""
    path = tmp_path / "site" / "site.toml"
    path.parent.mkdir()
    path.write_text(text)
    return path


def admin_services(
    make_services: AppServices, site: Path, *others: tuple[str, str, str]
) -> Services:
    """Services on `site` with the administrator and `others` (name, role, password)."""
    built = make_services(load_site(site), demo=False)
    for name, role, password in ((ADMIN[0], "admin", ADMIN[1]), *others):
        built.users.add("test", name, role, password)
    return built


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    return write_site(tmp_path)


@pytest.fixture
def services(make_services: AppServices, site_file: Path) -> Services:
    return admin_services(make_services, site_file, (SUPERVISOR[0], "supervisor", SUPERVISOR[1]))


async def open_editor(pilot: Pilot[None]) -> MaskEditorScreen:
    await search_palette(pilot, "edit privacy masks")
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MaskEditorScreen)
    return screen


def status(screen: MaskEditorScreen) -> str:
    return str(screen.query_one("#mask-editor-status", Static).render())


def message(screen: MaskEditorScreen) -> str:
    return str(screen.query_one("#mask-editor-message", Static).render())


def read(path: Path) -> str:
    return path.read_text()


def write(path: Path, text: str) -> None:
    """Another administrator's save, while the editor is open."""
    path.write_text(text)


def events(services: Services) -> list[str]:
    return [record.event for record in services.audit.records()]


async def test_a_role_without_admin_is_not_offered_the_editor(services: Services) -> None:
    async with logged_in(services, SUPERVISOR) as (app, pilot):
        assert "Edit privacy masks" not in await palette_hits(pilot, "edit privacy masks")
        app.action_edit_masks()
        await settle(pilot)
        assert not isinstance(app.screen, MaskEditorScreen)
    assert Event.MASK_EDITOR_OPENED not in events(services)


async def test_paint_and_save_writes_the_site_and_audits_the_diff(
    services: Services, site_file: Path
) -> None:
    async with logged_in(services, ADMIN) as (app, pilot):
        editor = await open_editor(pilot)
        assert "cell 0,0 of 16x16" in status(editor)
        await pilot.press("right", "right", "space")
        await pilot.press("plus", "plus", "down", "down", "down", "space")  # pen 3
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved to" in message(editor)
        saved = load_site(site_file).camera("lobby").masks
        assert isinstance(saved[0].geometry, GridGeometry)
        pen = {(c, r) for c in range(1, 4) for r in range(2, 5)}
        assert saved[0].geometry.cells == {(0, 0), (2, 0)} | pen
        assert read(site_file).startswith("# Editor test site; this comment survives")
        assert read(site_file.parent / "site.toml.1") == SITE
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, MaskEditorScreen)
    records = services.audit.records()
    names = [record.event for record in records]
    assert names.index(Event.MASK_EDITOR_OPENED) < names.index(Event.MASKS_SAVED)
    assert names.index(Event.MASKS_SAVED) < names.index(Event.MASK_EDITOR_CLOSED)
    save = next(record for record in records if record.event == Event.MASKS_SAVED)
    assert save.operator == "admin"
    assert '"changed":["keypad"]' in save.details and '"added":[]' in save.details


async def test_undo_and_redo_and_kind_and_grid(services: Services) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("right", "space")
        assert editor.draft.grid.cells == {(0, 0), (1, 0)}
        assert "coverage 0.8%" in status(editor)  # 2 of 256 cells
        await pilot.press("ctrl+z")
        assert editor.draft.grid.cells == {(0, 0)}
        await pilot.press("ctrl+y")
        assert editor.draft.grid.cells == {(0, 0), (1, 0)}
        await pilot.press("ctrl+y")
        assert message(editor) == "nothing to redo"
        await pilot.press("k")
        assert editor.draft.current.kind == "liftable"
        assert "(liftable, solid, colour #000000)" in status(editor)
        await pilot.press("g")
        assert "of 32x32" in status(editor) and len(editor.draft.grid.cells) == 8
        await pilot.press("shift+down", "shift+down", "shift+right", "space")
        assert len(editor.draft.grid.cells) == 10 and {(2, 2), (3, 2)} <= editor.draft.grid.cells
        await pilot.press("shift+left", "delete")  # a new rectangle from the cursor, erased
        assert editor.draft.grid.cells == {(c, r) for c in range(4) for r in range(2)}


async def test_a_site_changed_on_disk_is_not_overwritten_and_reload_starts_from_it(
    services: Services, site_file: Path
) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        other = SITE.replace('cells = ["0,0"]', 'cells = ["5,5"]')
        write(site_file, other)
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert message(editor).startswith("Not saved: ")
        assert "changed on disk" in message(editor)
        assert read(site_file) == other
        assert not (site_file.parent / "site.toml.1").exists()
        await pilot.press("ctrl+r")
        assert editor.draft.grid.cells == {(5, 5)}
        await pilot.press("space", "ctrl+s")
        await settle(pilot)
        assert "Saved to" in message(editor)
        assert load_site(site_file).camera("lobby").masks[0].geometry == GridGeometry(
            16, frozenset({(5, 5), (0, 0)})
        )
    assert events(services).count(Event.MASKS_SAVED) == 1  # the refused save is not one


async def test_erasing_a_mask_s_last_cell_removes_the_mask_from_the_site(
    services: Services, site_file: Path
) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        await pilot.press("space")  # erases the keypad's only cell: the mask goes
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved" in message(editor)
        assert load_site(site_file).camera("lobby").masks == ()


SnapCompare = Callable[..., bool]


def test_editor_snapshot(snap_compare: SnapCompare, services: Services) -> None:
    async def paint(pilot: Pilot[None]) -> None:
        await log_in(pilot, ADMIN)
        await open_editor(pilot)
        await pilot.press("right", "right", "down", "plus", "plus", "space", "k")
        await pilot.press("g", "down", "down", "down", "shift+right", "shift+right")
        await pilot.pause(0.3)

    run_before: Callable[[Pilot[None]], Awaitable[None]] = paint
    assert snap_compare(VeilApp(services), terminal_size=(100, 36), run_before=run_before)


async def test_veil_masks_edit_opens_the_editor_after_an_admin_login(services: Services) -> None:
    app = VeilApp(services, edit_camera="lobby")
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, ADMIN)
        await settle(pilot)
        assert isinstance(app.screen, MaskEditorScreen)
        assert app.screen.camera.id == "lobby"


async def test_veil_masks_edit_gives_other_roles_the_wall_only(services: Services) -> None:
    app = VeilApp(services, edit_camera="lobby")
    async with app.run_test(size=(120, 40)) as pilot:
        await log_in(pilot, SUPERVISOR)
        await settle(pilot)
        assert not isinstance(app.screen, MaskEditorScreen)
    assert Event.MASK_EDITOR_OPENED not in events(services)


def test_veil_masks_edit_refuses_an_unknown_camera_before_starting(
    site_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.cli import main

    code = main(
        ["masks", "edit", "--camera", "nope", "--site", str(site_file), "--data-dir", str(tmp_path)]
    )
    assert code == 1
    assert "no camera 'nope'" in capsys.readouterr().err


def at(screen: MaskEditorScreen, cell: tuple[int, int]) -> tuple[int, int]:
    """A mouse offset on the canvas (its border included) that lands on grid `cell`."""
    cols, rows = screen.canvas.picture_size
    x, y = next(
        (x, y) for y in range(rows) for x in range(cols) if screen.canvas.cell_at(x, y) == cell
    )
    return (x + 1, y + 1)


async def test_mouse_drag_paints_as_one_undo_step_and_right_button_erases(
    services: Services,
) -> None:
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        canvas = editor.canvas
        await pilot.mouse_down(canvas, at(editor, (4, 4)))
        await pilot.hover(canvas, at(editor, (6, 4)))
        await pilot.mouse_up(canvas, at(editor, (6, 4)))
        assert editor.draft.grid.cells == {(0, 0), (4, 4), (6, 4)}
        await pilot.press("ctrl+z")
        assert editor.draft.grid.cells == {(0, 0)}
        await pilot.mouse_down(canvas, at(editor, (0, 0)), button=3)
        await pilot.mouse_up(canvas, at(editor, (0, 0)))
        assert editor.draft.grid.cells == frozenset()


async def test_logging_out_of_the_editor_records_its_closing(services: Services) -> None:
    async with logged_in(services, ADMIN) as (app, pilot):
        await open_editor(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert not isinstance(app.screen, MaskEditorScreen)
    assert Event.MASK_EDITOR_CLOSED in events(services)


async def test_a_camera_that_is_down_gets_an_editor_saying_so(
    make_services: AppServices, site_file: Path
) -> None:
    services = make_services(load_site(site_file), dead=("lobby",), demo=False)
    services.users.add("test", ADMIN[0], "admin", ADMIN[1])
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        assert message(editor) == (
            "Camera lost: cannot connect to rtsp://127.0.0.1/x; no recorded frame either: "
            "editing without a picture."
        )
        assert editor.canvas.source is None
        assert (
            "No picture at this time"
            in editor.canvas.render_line(editor.canvas.content_size.height // 2).text
        )


async def test_a_camera_that_is_down_gets_an_editor_over_its_last_recorded_frame(
    make_services: AppServices, site_file: Path
) -> None:
    recordings = DEMO / "recordings" / "lobby"
    write(
        site_file,
        SITE.replace(
            'source = "clips/lobby.mp4"', f'source = "clips/lobby.mp4"\nrecordings = "{recordings}"'
        ),
    )
    services = make_services(load_site(site_file), dead=("lobby",), demo=False)
    services.users.add("test", ADMIN[0], "admin", ADMIN[1])
    index = index_camera(load_site(site_file).camera("lobby"))
    last = max(index.segments, key=lambda segment: segment.end)
    decoder = SegmentDecoder(last)
    pixels = decoder.read(last.frames - 1)
    decoder.close()
    moment = datetime.fromtimestamp(last.frame_time(last.frames - 1), UTC)
    async with logged_in(services, ADMIN) as (_, pilot):
        editor = await open_editor(pilot)
        assert message(editor) == (
            "Camera lost: cannot connect to rtsp://127.0.0.1/x; showing its last recorded "
            f"frame, of {format_utc(moment)}."
        )
        source = editor.canvas.source
        assert isinstance(source, RecordedBeneath) and source.masks == ()
        height, width = pixels.shape[:2]
        frame = source.preview(width, height)
        assert frame is not None and np.array_equal(frame.pixels, pixels)  # beneath the masks
        await pilot.press("v")  # the real look masks the recorded frame too
        source = editor.canvas.source
        assert isinstance(source, RecordedBeneath) and source.masks == editor.draft.masks
        real = source.preview(width, height)
        assert real is not None
        assert (real.pixels[: height // 16, : width // 16] == 0).all()  # the keypad, black


async def test_two_administrators_editing_at_once_lose_no_edit(
    make_services: AppServices, site_file: Path
) -> None:
    """Both open the editor; the first save goes in, the second is refused with a reload
    offered, and after the reload the second administrator's save keeps both edits."""
    first, second = (make_services(load_site(site_file), demo=False) for _ in range(2))
    first.users.add("test", ADMIN[0], "admin", ADMIN[1])
    apps = [VeilApp(services, edit_camera="lobby") for services in (first, second)]
    async with apps[0].run_test(size=(120, 40)) as one, apps[1].run_test(size=(120, 40)) as two:
        for pilot in (one, two):
            await log_in(pilot, ADMIN)
            await settle(pilot)
        mine, theirs = apps[0].screen, apps[1].screen
        assert isinstance(mine, MaskEditorScreen) and isinstance(theirs, MaskEditorScreen)
        await one.press("right", "space")
        await two.press("down", "space")
        await one.press("ctrl+s")
        await settle(one)
        assert "Saved to" in message(mine)
        await two.press("ctrl+s")
        await settle(two)
        assert message(theirs) == (
            f"Not saved: {site_file} changed on disk since the editor opened it; reload it "
            "and edit again (ctrl+r reloads it)"
        )
        assert load_site(site_file).camera("lobby").masks[0].geometry == GridGeometry(
            16, frozenset({(0, 0), (1, 0)})
        )
        await two.press("ctrl+r")
        assert message(theirs) == f"Reloaded {site_file}; unsaved edits were dropped"
        await two.press("space", "ctrl+s")  # the cursor is still on the cell it painted
        await settle(two)
        assert "Saved to" in message(theirs)
    assert load_site(site_file).camera("lobby").masks[0].geometry == GridGeometry(
        16, frozenset({(0, 0), (1, 0), (0, 1)})
    )
    assert read(site_file.parent / "site.toml.1") == SITE

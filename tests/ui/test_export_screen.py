"""The export screen: start, progress, cancel, extra masks drawn on the grid, clear errors."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, RadioSet, SelectionList, Static

from console.core.audit.trail import AuditLog
from console.core.evidence.batch import BatchProgress, BatchResult, export_batch
from console.core.evidence.keys import ExportKey
from console.core.evidence.request import ExportRequest
from console.core.privacy.masks import GridGeometry, rasterize
from console.core.services import Services
from console.core.timebase.clock import Clock
from console.ui.app import VeilApp
from console.ui.screens import export as export_screen
from console.ui.screens.export import ExportScreen
from console.ui.widgets.mask_grid import GRID, MaskGrid
from tests.ui.conftest import AppServices, demo_site, settle, with_role
from tests.ui.views_pilot import SIZE, open_wall, press

LOBBY_LAST = ("2026-11-27T10:01:00.000Z", "2026-11-27T10:01:05.000Z")
"""The lobby camera's latest recording: the range the screen proposes."""


def at(minute: int, second: float) -> float:
    return datetime(2026, 11, 27, 10, minute, 0, tzinfo=UTC).timestamp() + second


async def open_export(pilot: Pilot[None], user: tuple[str, str] | None = None) -> ExportScreen:
    await open_wall(pilot) if user is None else await open_wall(pilot, user)
    await press(pilot, "e")
    screen = pilot.app.screen
    assert isinstance(screen, ExportScreen)
    await settle(pilot)
    return screen


def field(screen: ExportScreen, name: str) -> Input:
    return screen.query_one(f"#export-{name}", Input)


def message(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-message", Static).render())


def progress_text(screen: ExportScreen) -> str:
    return str(screen.query_one("#export-progress-text", Static).render())


def exports(services: Services) -> list[str]:
    folder = services.paths.exports_dir
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


def read_json(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text())
    return data


def choose_png(screen: ExportScreen) -> None:
    radios = list(screen.query_one("#export-format", RadioSet).query("RadioButton"))
    radios[2].value = True  # type: ignore[attr-defined]


async def test_defaults_then_export_runs_to_the_end(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        assert screen.query_one("#export-cameras", SelectionList).selected == ["lobby"]
        assert (field(screen, "from").value, field(screen, "to").value) == LOBBY_LAST
        assert field(screen, "folder").value == str(services.paths.exports_dir)
        assert not services.paths.exports_dir.exists()
        field(screen, "reason").value = "case 12"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert progress_text(screen) == "50 / 50 frames · 100% · ETA 0:00 · Lobby entrance (1 of 1)"
        name = "lobby_20261127T100100Z-20261127T100105Z.mp4"
        assert exports(services) == [name, f"{name}.manifest.json"]
        assert f"Exported {services.paths.exports_dir / name} (50 frames)" in message(screen)
        manifest = read_json(services.paths.exports_dir / f"{name}.manifest.json")
        assert (manifest["operator"], manifest["reason"]) == ("operator", "case 12")
    records = [r for r in services.audit.records() if r.event == "export"]
    assert [(r.operator, r.reason) for r in records] == [("operator", "case 12")]


async def test_without_an_export_key_nothing_is_exported_and_the_screen_says_why(
    make_services: AppServices,
) -> None:
    services = make_services()
    services.paths.export_key.unlink()  # a real site before `veil keys init`
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "no export signing key" in message(screen)
        assert "veil keys init" in message(screen)
        assert not screen.running
    assert exports(services) == []
    assert not services.paths.exports_dir.exists()
    assert [r for r in services.audit.records() if r.event == "export"] == []


async def test_extra_mask_drawn_with_keys_is_burned_into_every_still(
    make_services: AppServices,
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        grid = screen.query_one(MaskGrid)
        grid.focus()
        await press(pilot, "right", "right", "down", "space", "right", "space")
        assert grid.cells == {(2, 1), (3, 1)}
        assert "2 of 16x16 cells" in str(screen.query_one("#export-mask-title", Static).render())
        assert screen.preview is not None
        preview = screen.preview.preview(160, 160)
        assert preview is not None
        inside = rasterize(GridGeometry(GRID, frozenset({(2, 1), (3, 1)})), 160, 160)
        assert (np.asarray(preview.pixels)[inside] == 0).all()  # the preview shows the block
        choose_png(screen)
        field(screen, "to").value = "2026-11-27T10:01:01Z"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        folder = services.paths.exports_dir / "lobby_20261127T100100Z-20261127T100101Z"
        stills = sorted(folder.glob("*.png"))
        assert len(stills) == 10
        block = rasterize(GridGeometry(GRID, frozenset({(2, 1), (3, 1)})), 640, 360)
        for still in stills:
            pixels = cv2.imread(str(still))
            assert (pixels[block] == 0).all()
        manifest = read_json(Path(f"{folder}.manifest.json"))
        assert manifest["extra_masks"][0]["geometry"] == {"grid": "16x16", "cells": ["2,1", "3,1"]}


async def test_mouse_toggles_cells(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        grid = screen.query_one(MaskGrid)
        await pilot.click(grid, offset=(1, 1))
        await settle(pilot)
        assert grid.cells == {(0, 0)}
        clicked = grid.cell_at(20, 10)
        assert clicked is not None and clicked != (0, 0)
        await pilot.click(grid, offset=(21, 11))  # the border is the first cell
        await settle(pilot)
        assert grid.cells == {(0, 0), clicked}
        await pilot.click(grid, offset=(1, 1))
        await settle(pilot)
        assert grid.cells == {clicked}


async def test_extra_masks_are_kept_per_camera(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        grid = screen.query_one(MaskGrid)
        grid.focus()
        await press(pilot, "space")
        cameras = screen.query_one("#export-cameras", SelectionList)
        cameras.focus()
        await press(pilot, "down")
        assert screen.mask_camera == "street"
        assert grid.cells == frozenset()
        await press(pilot, "up")
        assert screen.mask_camera == "lobby"
        assert grid.cells == {(0, 0)}


def held_batch(started: threading.Event) -> Callable[..., BatchResult]:
    """export_batch that holds after its first frame until the screen cancels."""

    def batch(
        requests: Sequence[ExportRequest],
        audit: AuditLog,
        key: ExportKey,
        progress: Callable[[BatchProgress], None],
        cancel: threading.Event,
        clock: Clock,
    ) -> BatchResult:
        def step(update: BatchProgress) -> None:
            progress(update)
            started.set()
            assert cancel.wait(30), "the screen never cancelled"

        return export_batch(requests, audit, key, step, cancel, clock)

    return batch


async def test_cancel_leaves_nothing_and_nothing_is_audited(
    make_services: AppServices, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = make_services()
    started = threading.Event()
    monkeypatch.setattr(export_screen, "export_batch", held_batch(started))
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await pilot.press("ctrl+s")  # no settling: the export holds until cancelled
        assert started.wait(30)
        await pilot.pause()
        assert screen.running
        assert progress_text(screen).startswith("1 / 50 frames · 2%")
        await pilot.press("escape")
        await settle(pilot)
        assert not screen.running
        assert message(screen) == "Cancelled: nothing partial was kept."
        assert exports(services) == []
        await press(pilot, "escape")
        assert app.screen is not screen
    assert [r for r in services.audit.records() if r.event == "export"] == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"from": "2026-11-27T10:01:05Z", "to": "2026-11-27T10:01:00Z"}, "the range is empty"),
        ({"from": "yesterday"}, "time range: 'yesterday' is not a time"),
        ({"folder": "{blocker}/exports"}, "cannot create the folder {blocker}/exports"),
    ],
)
async def test_form_errors_are_said_and_nothing_runs(
    make_services: AppServices, tmp_path: Path, change: dict[str, str], expected: str
) -> None:
    services = make_services()
    blocker = tmp_path / "blocker"
    blocker.write_text("a file where a folder should be")
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        for name, value in change.items():
            field(screen, name).value = value.format(blocker=blocker)
        await press(pilot, "ctrl+s")
        assert not screen.running
        assert expected.format(blocker=blocker) in message(screen)
        assert screen.query_one("#export-message").has_class("-error")
    assert exports(services) == []


async def test_no_camera_chosen(make_services: AppServices) -> None:
    app = VeilApp(make_services())
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        screen.query_one("#export-cameras", SelectionList).deselect_all()
        await press(pilot, "ctrl+s")
        assert message(screen) == "choose at least one camera"


async def test_existing_output_is_skipped_with_the_reason(make_services: AppServices) -> None:
    services = make_services()
    folder = services.paths.exports_dir
    folder.mkdir(parents=True)
    (folder / "lobby_20261127T100100Z-20261127T100105Z.mp4").write_text("earlier evidence")
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert "Skipped Lobby entrance:" in message(screen)
        assert "already exists; an export never overwrites a file" in message(screen)
    assert (
        folder / "lobby_20261127T100100Z-20261127T100105Z.mp4"
    ).read_text() == "earlier evidence"


async def test_unmasked_export_only_when_granted_and_ticked(make_services: AppServices) -> None:
    site = demo_site()
    role = site.roles["supervisor"]
    site = with_role(
        site, dataclasses.replace(role, permissions=role.permissions | {"export_unmasked"})
    )
    services = make_services(site=site)
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot, ("supervisor", "supervisor-demo"))
        box = screen.query_one("#export-unmasked", Checkbox)
        assert not box.display
        services.gate.lift("supervisor", "supervisor", "incident 7", 600)
        app.sample_lift()
        screen.query_one(SelectionList).deselect_all().select("street")
        await settle(pilot)
        assert box.display and not box.value
        field(screen, "from").value = "2026-11-27T10:01:00Z"
        field(screen, "to").value = "2026-11-27T10:01:01Z"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        box.value = True
        await settle(pilot)
        field(screen, "to").value = "2026-11-27T10:01:02Z"
        await press(pilot, "ctrl+s")
        await settle(pilot)
    manifests = sorted(services.paths.exports_dir.glob("*.manifest.json"))
    lifted = [read_json(path)["lifted_frames"] for path in manifests]
    assert lifted == [0, 20]


async def test_clock_times_are_on_the_day_of_the_range(make_services: AppServices) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_export(pilot)
        field(screen, "from").value = "10:00:11"
        field(screen, "to").value = "10:00:12.5"
        choose_png(screen)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert exports(services) == [
            "lobby_20261127T100011Z-20261127T100012Z",
            "lobby_20261127T100011Z-20261127T100012Z.manifest.json",
        ]
        assert "(15 frames)" in message(screen)

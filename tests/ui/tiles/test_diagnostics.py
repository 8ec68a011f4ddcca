"""The Diagnostics palette command: the detection's reasons and every tile's figures."""

from __future__ import annotations

from textual.app import App
from textual.widgets import DataTable, Static

from console.core.render.terminal import detect_terminal
from console.ui.diagnostics import DiagnosticsCommands, DiagnosticsScreen, describe
from tests.ui.tiles.conftest import HALFBLOCK, StubSource, TileApp, bands, wait_until


class DiagnosedApp(TileApp):
    COMMANDS = App.COMMANDS | {DiagnosticsCommands}


def test_the_description_gives_the_decision_each_reason_and_the_overrides() -> None:
    caps = detect_terminal(env={"COLORTERM": "truecolor", "VEIL_RENDER": "ascii"}, probe=None)  # type: ignore[arg-type]
    text = describe(caps)
    assert text.startswith("Tiles draw as ascii at truecolor colours, cells of 10x20 px.")
    for reason in caps.reasons:
        assert f"• {reason}" in text
    assert "VEIL_RENDER" in text and "--render" in text


async def test_the_palette_opens_diagnostics_with_a_row_per_tile() -> None:
    app = DiagnosedApp([StubSource(bands(64, 36, 4), "Lobby"), StubSource(None, "Gate")], HALFBLOCK)
    async with app.run_test(size=(110, 36)) as pilot:
        await wait_until(pilot, lambda: app.tiles[0].frames == 1, "a frame")
        app.action_command_palette()
        await pilot.pause()
        await pilot.press(*"diagnos")
        await app.screen.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DiagnosticsScreen), "the screen")
        screen = app.screen
        assert "• not detected" in str(
            screen.query_one("#terminal", Static).render()
        )  # no services
        table = screen.query_one(DataTable)
        rows = [table.get_row_at(index) for index in range(table.row_count)]
        assert [row[0] for row in rows] == ["Lobby", "Gate"]
        assert rows[0][1] == "halfblock"
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DiagnosticsScreen), "close")

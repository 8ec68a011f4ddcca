"""Sixel images stay on the terminal while the header's lift countdown ticks (issue 15).

A cell Textual writes over an image erases that part of it on the terminal until the
image comes again, and xterm takes long enough to decode a sixel that the tile is seen
black meanwhile. So a countdown tick must not make Textual write a single cell under an
image, and therefore no image is sent again for it.
"""

from __future__ import annotations

from textual.app import ComposeResult

from console.ui.app import VeilApp
from console.ui.widgets.header import VeilHeader
from tests.ui.tiles.conftest import SIXEL, StubSource, TileApp, bands, wait_until
from tests.ui.tiles.test_tile_sixel import images

SIZE = (80, 30)


class HeaderApp(TileApp):
    lift_remaining = VeilApp.lift_remaining
    """The console's own reactive, so the test follows its definition."""

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        yield from super().compose()


async def test_a_countdown_tick_repaints_no_cell_under_an_image() -> None:
    sources = [StubSource(bands(160, 90, 6)), StubSource(bands(96, 96, 3))]
    app = HeaderApp(sources, SIXEL, recording=True)
    async with app.run_test(headless=False, size=SIZE) as pilot:
        tiles = app.tiles
        await wait_until(pilot, lambda: all(t.image_shown for t in tiles), "the images")
        app.lift_remaining = 300.0
        await pilot.pause(0.5)
        mark = len(app.output)
        for second in range(299, 289, -1):
            app.lift_remaining = float(second)
            await pilot.pause(0.05)
        await pilot.pause(0.3)
        after = app.output[mark:]
        assert "04:50" in after, "the countdown ticked on the terminal"
        assert images(after) == [], "no image had to be sent again"

"""The parts behind a tile, without an app: its pace, its styles and strips, its jobs, its
stats."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rich.segment import Segment
from rich.style import Style

from console.core.privacy.masking import CameraMasker
from console.core.render.factory import make_renderer
from console.core.render.tile import ColorDepth
from console.core.video.feed import FeedStatus
from console.ui.widgets.pace import COOLDOWN, DECREASE, RECOVER_AFTER, Load, Pace
from console.ui.widgets.tile_pump import (
    HOLD_BACKLOG,
    TileClient,
    TileGeometry,
    TilePump,
    TileUpdate,
)
from console.ui.widgets.tile_stats import StatsBoard
from console.ui.widgets.tile_strips import Placement, StripMaker, StyleBook, segments
from tests.ui.tiles.conftest import StubSource, bands

CALM = Load(encode=0.001, lag=0.002, backlog=0)
BASE = Style(color="white", bgcolor="black")


@contextmanager
def counting_styles() -> Iterator[list[Style]]:
    """Every Rich Style made meanwhile, by its constructor or by `Style.from_color`.

    (Patching `Style.__new__` would count every path, but CPython cannot put a class's
    `__new__` back once it has been assigned.)
    """
    made: list[Style] = []
    init, from_color = Style.__init__, Style.from_color.__func__  # type: ignore[attr-defined]

    def counting_init(self: Style, *args: Any, **kwargs: Any) -> None:
        made.append(self)
        init(self, *args, **kwargs)

    def counting_from_color(cls: type[Style], *args: Any, **kwargs: Any) -> Style:
        style: Style = from_color(cls, *args, **kwargs)
        made.append(style)
        return style

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Style, "__init__", counting_init)
        patch.setattr(Style, "from_color", classmethod(counting_from_color))
        yield made


class TestPace:
    """Additive increase, multiplicative decrease, on smoothed symptoms."""

    def test_sustained_slow_encoding_slows_the_tile_down_once_per_cooldown(self) -> None:
        pace = Pace(cap=15.0)
        for step in range(4):
            pace.observe(step * 0.01, Load(0.2, 0.0, 0))
        assert pace.overloaded
        assert pace.fps == pytest.approx(15.0 * DECREASE)
        pace.observe(COOLDOWN + 0.01, Load(0.2, 0.0, 0))
        assert pace.fps == pytest.approx(15.0 * DECREASE**2)

    def test_one_spike_is_smoothed_away(self) -> None:
        pace = Pace(cap=15.0)
        for step in range(10):
            pace.observe(step * 0.1, CALM)
        pace.observe(1.0, Load(0.05, 0.0, 0))  # one garbage collection's worth
        assert not pace.overloaded and pace.fps == 15.0

    def test_a_full_writer_counts_as_overload(self) -> None:
        pace = Pace(cap=10.0)
        for step in range(8):
            pace.observe(step * 0.01, Load(0.001, 0.0, 40))
        assert pace.overloaded and pace.fps < 10.0

    def test_waiting_frames_are_noted_but_do_not_slow_the_tile(self) -> None:
        pace = Pace(cap=15.0)
        for step in range(20):
            pace.observe(step * 0.1, Load(0.001, 0.5, 0))
        assert pace.load.lag == pytest.approx(0.5, rel=0.01)
        assert not pace.overloaded and pace.fps == 15.0

    def test_never_below_the_floor_and_back_to_the_cap_when_calm(self) -> None:
        pace = Pace(cap=15.0, floor=1.0)
        now = 0.0
        for _ in range(60):
            now += COOLDOWN
            pace.observe(now, Load(1.0, 0.0, 0))
        assert pace.fps == 1.0
        for _ in range(400):
            now += RECOVER_AFTER / 4
            pace.observe(now, CALM)
        assert pace.fps == 15.0

    def test_bounds_must_make_sense(self) -> None:
        with pytest.raises(ValueError, match="floor"):
            Pace(cap=1.0, floor=2.0)


class TestStrips:
    def test_a_frame_makes_one_style_per_colour_pair_never_one_per_cell(self) -> None:
        picture = bands(80, 48, 4)
        picture[:, ::2] //= 2  # every other column darker: runs of one cell
        frame = CameraMasker("cam", []).preview(picture, 80, 48)
        tile = make_renderer("halfblock", ColorDepth.TRUECOLOR).render(frame, 80, 24, (10, 20))
        cells = 80 * 24
        pairs = {(fg, bg) for row in tile.rows for _, fg, bg in row}
        book = StyleBook(ColorDepth.TRUECOLOR, BASE)
        unshared = Style(color="white", bgcolor="rgb(1,2,3)")  # a shared book of its own
        with counting_styles() as made:
            first, full = StripMaker(ColorDepth.TRUECOLOR).strips(tile, 80, 24, FILL, unshared)
            assert full and len(first) == 24
            assert 0 < len(made) <= len(pairs) + 4 < cells / 50
            made.clear()
            for row in tile.rows:
                segments(row, book)
            assert 0 < len(made) <= len(pairs)
            made.clear()
            for row in tile.rows:
                segments(row, book)
            assert made == [], "a known pair is never made again"

    def test_strips_are_the_runs_with_their_colours(self) -> None:
        frame = CameraMasker("cam", []).preview(bands(6, 4, 2), 6, 4)
        tile = make_renderer("halfblock", ColorDepth.COLOR256).render(frame, 6, 2, (10, 20))
        book = StyleBook(ColorDepth.COLOR256, BASE)
        for row in tile.rows:
            made = segments(row, book)
            assert [(s.text, s.style.bgcolor.number) for s in made] == [  # type: ignore[union-attr]
                (text, bg) for text, _, bg in row
            ]
            assert all(type(s) is Segment and s.control is None for s in made)

    def test_only_changed_rows_are_rebuilt_and_a_new_layout_rebuilds_all(self) -> None:
        renderer = make_renderer("halfblock", ColorDepth.TRUECOLOR)
        picture = bands(20, 20, 5)
        masker = CameraMasker("cam", [])
        maker = StripMaker(ColorDepth.TRUECOLOR)
        at = Placement(2, 1, 20, 10)
        one = renderer.render(masker.preview(picture, 20, 20), 20, 10, (10, 20))
        rows, full = maker.strips(one, 24, 12, at, BASE)
        assert full and sorted(rows) == list(range(12))
        assert rows[0].text == " " * 24 and rows[11].text == " " * 24, "blank above, below"
        assert rows[1].text.startswith("  ") and rows[1].cell_length == 24
        picture[:2] = 255
        two = renderer.render(masker.preview(picture, 20, 20), 20, 10, (10, 20))
        rows, full = maker.strips(two, 24, 12, at, BASE)
        assert not full and sorted(rows) == [1]
        rows, full = maker.strips(two, 24, 12, Placement(0, 0, 20, 10), BASE)
        assert full and len(rows) == 12

    def test_the_book_stays_bounded_keeping_its_newest_styles(self) -> None:
        book = StyleBook(ColorDepth.TRUECOLOR, BASE, limit=100)
        for code in range(0, 250, 10):
            book.styles([(code + n, 0) for n in range(10)])
        assert len(book) <= 100
        newest = book.styles([(249, 0)])
        assert newest[0].color is not None and newest[0].color.triplet == (0, 0, 249)

    def test_a_pair_evicted_while_it_is_asked_for_is_made_again(self) -> None:
        book = StyleBook(ColorDepth.TRUECOLOR, BASE, limit=4)
        book.styles([(1, 1), (2, 2), (3, 3)])
        styles = book.styles([(1, 1), (4, 4), (5, 5)])
        assert [style.color.triplet for style in styles if style.color] == [
            (0, 0, 1),
            (0, 0, 4),
            (0, 0, 5),
        ]


FILL = Placement(0, 0, 80, 24)
GEOMETRY = TileGeometry(40, 12, (10, 20), BASE)


def run_job(client: TileClient) -> TileUpdate:
    updates: list[TileUpdate] = []
    client.deliver = lambda update: updates.append(update) or True
    client.geometry = GEOMETRY
    assert client.wants_frame(1e9)
    client.run()
    assert len(updates) == 1
    return updates[0]


class TestJobs:
    def test_a_job_delivers_the_picture_and_claims_the_tile_until_taken(self) -> None:
        source = StubSource(bands(64, 36, 4))
        client = TileClient(source, "halfblock", ColorDepth.TRUECOLOR, Pace(10), lambda u: True)
        update = run_job(client)
        assert update.video is not None and update.video.full
        assert update.status.state == "live" and update.title == "Stub"
        assert client.busy and not client.wants_frame(2e9), "busy until the UI takes it"
        client.busy = False
        assert not client.wants_frame(3e9), "nothing new to draw"
        source.show(bands(64, 36, 5))
        assert client.wants_frame(4e9)

    def test_a_source_that_breaks_during_a_job_shows_a_state_and_no_picture(self) -> None:
        class Broken(StubSource):
            def preview(self, width: int, height: int) -> None:
                raise RuntimeError("decoder exploded")

        client = TileClient(
            Broken(bands(8, 8, 2)), "halfblock", ColorDepth.TRUECOLOR, Pace(10), lambda u: True
        )
        update = run_job(client)
        assert update.video is None
        assert update.status == FeedStatus("error", "cannot draw: decoder exploded")

    def test_a_sixel_tile_renders_its_image_and_its_text_from_one_masked_frame(self) -> None:
        source = StubSource(bands(64, 36, 4))
        client = TileClient(source, "sixel", ColorDepth.TRUECOLOR, Pace(5), lambda u: True)
        update = run_job(client)
        assert update.video is not None and update.video.image is not None
        assert source.previews == 1
        at = update.video.image.at
        assert (at.cols, at.rows) == (40, 11) and (at.x, at.y) == (0, 0)
        assert update.video.image.payload.startswith('\x1bP0;0;0q"1;1;400;216')

    def test_a_tile_that_is_closed_stops_asking(self) -> None:
        source = StubSource(bands(8, 8, 2))
        client = TileClient(source, "halfblock", ColorDepth.TRUECOLOR, Pace(10), lambda u: False)
        client.geometry = GEOMETRY
        assert client.wants_frame(1e9)
        client.run()
        assert client.closed and not client.wants_frame(2e9)


def test_stats_lines_carry_running_totals_and_each_latency_once(tmp_path: Path) -> None:
    board = StatsBoard(tmp_path / "stats.jsonl")
    stats = board.add("tile-a", "Lobby")
    stats.presented(1.0, 0.004)
    stats.written(0.05)
    stats.written(0.07)
    board.dump(3)
    stats.presented(1.1, 0.006)
    board.dump(0)
    first, second = (json.loads(line) for line in board.path.read_text().splitlines())  # type: ignore[union-attr]
    assert first["backlog"] == 3
    assert first["tiles"]["tile-a"]["frames"] == 1
    assert first["tiles"]["tile-a"]["latency_ms"] == [50.0, 70.0]
    assert second["tiles"]["tile-a"]["frames"] == 2
    assert second["tiles"]["tile-a"]["latency_ms"] == []
    assert stats.encode_ms == pytest.approx(5.0)
    assert np.isclose(stats.latency_p95_ms, 70.0)


class TestPump:
    def test_a_full_terminal_queue_or_a_key_holds_new_frames_but_never_a_lift(self) -> None:
        source = StubSource(bands(64, 36, 4))
        backlog = {"writes": HOLD_BACKLOG}
        pump = TilePump(source.gate.lifted, lambda: backlog["writes"])
        delivered = threading.Event()
        updates: list[TileUpdate] = []

        def deliver(update: TileUpdate) -> bool:
            updates.append(update)
            client.busy = False  # taken at once, as the UI would
            delivered.set()
            return True

        client = TileClient(source, "halfblock", ColorDepth.TRUECOLOR, Pace(50), deliver)
        client.geometry = GEOMETRY
        pump.add(client)
        try:
            assert not delivered.wait(0.3), "a frame was started with the terminal's queue full"
            source.gate.on = True
            assert delivered.wait(5.0), "the lift waited behind the terminal's queue"
            assert updates[-1].video is not None and updates[-1].video.lifted
            delivered.clear()
            backlog["writes"] = 0
            pump.hush(0.3)
            source.show(bands(64, 36, 5))
            assert not delivered.wait(0.2), "a frame was started right after a key"
            assert delivered.wait(5.0), "the queue drained and the key passed, yet no frame"
        finally:
            pump.remove(client)

"""The paint tick keeps its rate on a busy wall."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast

import pytest
from textual.app import App

from console.ui.widgets import paint_tick
from console.ui.widgets.paint_tick import PAINT_HZ, PaintTick


class FakeApp:
    """Records the timers the tick asks for; the test fires them."""

    def __init__(self) -> None:
        self.timers: list[tuple[float, Callable[[], None]]] = []

    def set_timer(self, delay: float, callback: Callable[[], None], **_: Any) -> object:
        self.timers.append((delay, callback))
        return object()


class Tile:
    def __init__(self) -> None:
        self.painted = 0

    def paint(self) -> None:
        self.painted += 1


def test_a_request_after_a_late_tick_waits_only_for_the_rest_of_the_period(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Frames that land while a screen update is written are taken after it: timing the
    next tick from that first late request halved the wall's repaint rate."""
    now = [100.0]
    monkeypatch.setattr(paint_tick, "time", SimpleNamespace(monotonic=lambda: now[0]))
    app = FakeApp()
    tick = PaintTick(cast(App[object], app))
    tile = Tile()
    period = 1.0 / PAINT_HZ

    tick.request(tile)
    delay, fire = app.timers[-1]
    assert delay < 0.01, "the first frame after a quiet spell is painted at once"
    fire()
    assert tile.painted == 1

    now[0] += 0.8 * period  # a screen update kept the loop busy
    tick.request(tile)
    delay, fire = app.timers[-1]
    assert delay == pytest.approx(0.2 * period)
    now[0] += delay
    fire()
    assert tile.painted == 2

    now[0] += 3 * period
    tick.request(tile)
    assert app.timers[-1][0] < 0.01, "a tick long overdue comes at once"

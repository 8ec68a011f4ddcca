"""The transport turns the caller's clock into a recording time at the chosen speed."""

from __future__ import annotations

import pytest

from console.core.timebase.clock import FakeClock
from console.core.video.transport import SPEEDS, Transport


def test_paused_stays_and_playing_follows_the_clock() -> None:
    clock = FakeClock()
    transport = Transport(clock, 500.0)
    clock.advance(3)
    assert transport.position() == 500.0
    transport.play()
    clock.advance(2)
    assert transport.position() == 502.0
    transport.pause()
    clock.advance(10)
    assert transport.position() == 502.0


def test_speed_changes_keep_the_position_and_scale_what_follows() -> None:
    clock = FakeClock()
    transport = Transport(clock, 0.0)
    transport.play()
    clock.advance(4)
    transport.set_speed(8)
    assert transport.position() == 4.0
    clock.advance(1)
    assert transport.position() == 12.0
    transport.set_speed(0.25)
    clock.advance(4)
    assert transport.position() == 13.0


def test_seek_while_playing_continues_from_there() -> None:
    clock = FakeClock()
    transport = Transport(clock, 0.0)
    transport.play()
    clock.advance(5)
    transport.seek(100.0)
    clock.advance(1)
    assert transport.position() == 101.0


def test_faster_and_slower_step_through_the_speeds_and_stop_at_the_ends() -> None:
    transport = Transport(FakeClock())
    seen = []
    for _ in range(len(SPEEDS) + 1):
        transport.faster()
        seen.append(transport.speed)
    assert seen == [2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0]
    for _ in range(len(SPEEDS) + 1):
        transport.slower()
    assert transport.speed == 0.25


@pytest.mark.parametrize("speed", [0.1, 16.0, 0.0, -1.0])
def test_speeds_outside_the_range_are_refused(speed: float) -> None:
    transport = Transport(FakeClock())
    with pytest.raises(ValueError, match="0.25x to 8.0x"):
        transport.set_speed(speed)
    assert transport.speed == 1.0

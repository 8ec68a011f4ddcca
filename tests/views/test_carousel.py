"""Carousel slots: the camera on follows the clock, and pictures are the members' own."""

from __future__ import annotations

from collections.abc import Hashable

import numpy as np
import pytest

from console.core.privacy.masking import NEVER_LIFTED, CameraMasker, MaskedFrame
from console.core.site.model import Carousel
from console.core.timebase.clock import FakeClock
from console.core.video.feed import FeedStatus
from console.core.wall.carousel import CarouselSource

TOUR = Carousel("perimeter", "Perimeter", ("street", "gate", "garden"), 10.0)


class Member:
    """A member camera: a plain colour, so a test can tell which one is shown."""

    def __init__(self, title: str, level: int) -> None:
        self.title = title
        self.status = FeedStatus("live")
        self.version: Hashable = (title, 0)
        self.level = level

    def preview(self, width: int, height: int) -> MaskedFrame | None:
        pixels = np.full((height, width, 3), self.level, np.uint8)
        return CameraMasker(self.title, (), NEVER_LIFTED).preview(pixels, width, height)


def members() -> dict[str, Member]:
    return {
        "street": Member("Street", 10),
        "gate": Member("Gate", 20),
        "garden": Member("Garden", 30),
    }


def test_tour_switches_every_interval_and_wraps() -> None:
    clock = FakeClock(500.0)
    carousel = CarouselSource(TOUR, members(), clock)
    seen = []
    for _ in range(7):
        frame = carousel.preview(8, 4)
        assert frame is not None
        seen.append((carousel.current_id, int(frame.pixels[0, 0, 0])))
        clock.advance(5.0)
    assert seen == [
        ("street", 10),
        ("street", 10),
        ("gate", 20),
        ("gate", 20),
        ("garden", 30),
        ("garden", 30),
        ("street", 10),
    ]


def test_title_names_the_camera_and_the_time_to_the_switch() -> None:
    clock = FakeClock(0.0)
    carousel = CarouselSource(TOUR, members(), clock)
    assert carousel.title == "Perimeter: Street · next 10s"
    clock.advance(2.5)
    assert carousel.title == "Perimeter: Street · next 8s"
    assert carousel.remaining() == pytest.approx(7.5)
    clock.advance(7.5)
    assert carousel.title == "Perimeter: Gate · next 10s"


def test_version_changes_each_second_and_with_the_members_picture() -> None:
    clock = FakeClock(0.0)
    tour = members()
    carousel = CarouselSource(TOUR, tour, clock)
    first = carousel.version
    clock.advance(0.4)
    assert carousel.version == first
    tour["street"].version = ("Street", 1)
    assert carousel.version != first
    second = carousel.version
    clock.advance(0.6)
    assert carousel.version != second


def test_status_is_the_current_members() -> None:
    clock = FakeClock(0.0)
    tour = members()
    tour["gate"].status = FeedStatus("lost", "gate camera unreachable")
    carousel = CarouselSource(TOUR, tour, clock)
    assert carousel.status.state == "live"
    clock.advance(10)
    assert carousel.status == FeedStatus("lost", "gate camera unreachable")


def test_members_without_a_feed_are_left_out() -> None:
    tour = members()
    del tour["gate"]
    carousel = CarouselSource(TOUR, tour, FakeClock(0.0))
    assert [ident for ident, _ in carousel.members] == ["street", "garden"]
    with pytest.raises(ValueError, match="perimeter"):
        CarouselSource(TOUR, {}, FakeClock(0.0))

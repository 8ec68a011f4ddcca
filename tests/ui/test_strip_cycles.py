"""Strips the compositor leaves whole must be freed by reference counting alone."""

from __future__ import annotations

import gc

from rich.segment import Segment
from textual.strip import Strip

from console.ui import strip_cycles


def test_a_strip_its_cuts_leave_whole_needs_no_cycle_collection() -> None:
    strip_cycles.install()
    gc.collect()
    strip = Strip([Segment("abc"), Segment("def")], 6)
    assert strip.divide([6, 9]) == [strip]
    del strip
    assert gc.collect() == 0, "the strip was only freed by the cycle collector"


def test_other_cuts_divide_as_textual_does() -> None:
    strip_cycles.install()
    strip = Strip([Segment("abcdef")], 6)
    assert [part.text for part in strip.divide([2, 6])] == ["ab", "cdef"]
    assert [part.text for part in strip.divide([3])] == ["abc"]

"""`visible`: the one function that makes control characters printable, for every output."""

from __future__ import annotations

import unicodedata

from hypothesis import given

from console.text import visible
from tests.support.hostile_text import hostile_text

BIDI_CONTROLS = {"\u061c", "\u200e", "\u200f", *map(chr, range(0x202A, 0x202F))}
BIDI_CONTROLS |= set(map(chr, range(0x2066, 0x206A)))


def shown_raw(text: str) -> set[str]:
    """The characters in `text` that a terminal would act on rather than print."""
    return {
        c
        for c in text
        if unicodedata.category(c) == "Cc" or c in BIDI_CONTROLS or c in "\u2028\u2029"
    }


def test_controls_become_escapes_and_everything_else_stays() -> None:
    assert visible("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07"
    assert visible("a\nb\tc\rd\x00\x7f\x9b") == "a\\nb\\tc\\rd\\x00\\x7f\\x9b"
    assert visible("\u202erotarepo\u2028") == "\\u202erotarepo\\u2028"
    assert visible("[/] Dock [east] é 名前 🙂 \\x1b") == "[/] Dock [east] é 名前 🙂 \\x1b"


@given(hostile_text)
def test_nothing_a_terminal_acts_on_is_left(text: str) -> None:
    shown = visible(text)
    assert shown_raw(shown) == set()
    assert visible(shown) == shown
    if not shown_raw(text):
        assert shown == text

"""`visible`: the one function that makes control characters printable, for every output."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from console.text import visible
from tests.support.hostile_text import hostile_text

HIDDEN = {"Cc", "Cf", "Cs", "Zl", "Zp"}
"""Control, format (bidi, zero-width), surrogate, line and paragraph separator characters."""


def shown_raw(text: str) -> set[str]:
    """The characters in `text` that a terminal would act on rather than print."""
    return {c for c in text if unicodedata.category(c) in HIDDEN}


def test_controls_become_escapes_and_everything_else_stays() -> None:
    assert visible("\x1b]52;c;aGk=\x07") == "\\x1b]52;c;aGk=\\x07"
    assert visible("a\nb\tc\rd\x00\x7f\x9b") == "a\\nb\\tc\\rd\\x00\\x7f\\x9b"
    assert visible("\u202erotarepo\u2028") == "\\u202erotarepo\\u2028"
    assert visible("ad\u200bmin \U000e0041 \udcff") == "ad\\u200bmin \\U000e0041 \\udcff"
    assert visible("[/] Dock [east] é 名前 🙂 \\x1b") == "[/] Dock [east] é 名前 🙂 \\x1b"


@given(st.one_of(hostile_text, st.text(st.characters(categories=["Cf", "Cs", "Zl", "Zp"]))))
def test_nothing_a_terminal_acts_on_is_left(text: str) -> None:
    shown = visible(text)
    assert shown_raw(shown) == set()
    assert visible(shown) == shown
    if not shown_raw(text):
        assert shown == text

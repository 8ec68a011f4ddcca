"""Text as a hostile user or site file can write it: for the plain-text properties.

Arbitrary unicode, text made of markup and control characters (where the holes were),
and the exact strings the security review used.
"""

from __future__ import annotations

from hypothesis import strategies as st

REVIEWED = (
    "[/]",
    "[link=https://evil.example/]supervisor[/link]",
    "Gate [/]",
    "Dock [east]",
    "\x1b]52;c;aGVsbG8=\x07",  # OSC 52: writes the reader's clipboard
    "\x1b[2J\x1b[H",  # CSI 2J: clears the screen
    '=HYPERLINK("https://evil.example/","help")',
    "\u202erotarepo",  # a bidirectional override
    "row\nforged\trow\r",
    "[b]$accent[/b] [$accent]x[/] \\[/]",
    "\x9b31m",  # C1 CSI
)
"""The strings of the review (issue 10 section 4), and a few of their cousins."""

MARKUP_AND_CONTROLS = "[]/=\\@+-$#:link \x00\x07\x08\x1b\x7f\x85\x9b\n\r\t\u2028\u202e"

hostile_text = st.one_of(
    st.sampled_from(REVIEWED),
    st.text(max_size=40),
    st.text(alphabet=MARKUP_AND_CONTROLS, max_size=40),
)
"""One string from a person or a site file."""

"""Text from people and site files as the console shows it: plain, never markup.

Textual reads a `str` handed to a Label, a Static, a DataTable cell, an option, a
selection, a notification or a palette hit as content markup. A user name ``[/]`` then
crashes the widget with a MarkupError (forever, for an audit record), and
``[link=https://evil.example/]supervisor[/link]`` shows as "supervisor" carrying a
hidden link. So every string that did not come from Veil's own source reaches a widget
as `plain(text)`: a `Content` that is never parsed, with control characters shown as
escapes by `console.text.visible` (Textual passes ESC through to the terminal). The
app applies the same rule to notifications and the header (`VeilApp.notify`,
`VeilApp.format_title`), so a screen may pass those any text.

Input fields are the one place text is edited rather than shown, so a character there
cannot become four: every field is a `PlainInput`, which draws each control character
as one symbol (``␛`` for ESC) and keeps the value exactly as typed or pasted.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.highlighter import Highlighter
from rich.text import Text
from textual.content import Content
from textual.fuzzy import Matcher
from textual.widgets import Input

from console.text import visible


def plain(text: str) -> Content:
    """`text` as literal content, control characters visible."""
    return Content(visible(text))


def plain_cell(text: str) -> Text:
    """`text` for a DataTable cell: literal, control characters visible, like `plain`.

    A Rich `Text` rather than a `Content`: the table sizes its columns by measuring
    cells with Rich, which measures a `Content` as nothing, so every column stayed as
    narrow as its heading and cut the values off.
    """
    return Text(visible(text))


def plain_lines(lines: Iterable[str]) -> Content:
    """Each of `lines` as `plain` makes it, one below the other: a newline inside one of
    them stays visible as ``\\n`` and cannot forge a line of its own."""
    return Content("\n").join(plain(line) for line in lines)


def highlighted(matcher: Matcher, text: str) -> Content:
    """`plain(text)` with the palette's fuzzy match marked, as `Matcher.highlight` marks
    it (that one parses its candidate as markup)."""
    shown = visible(text)
    content = Content(shown)
    score, offsets = matcher.fuzzy_search.match(matcher.query, shown)
    if not score:
        return content
    for offset in offsets:
        if not shown[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


_PICTURES = {code: 0x2400 + code for code in range(0x20)} | {0x7F: 0x2421}
"""C0 controls as Unicode's control pictures (␀..␟), DEL as ␡; other controls as �."""


class ControlPictures(Highlighter):
    """Draws every character `visible` would escape as one symbol, so the cursor and the
    selection still fall on the characters of the value."""

    def highlight(self, text: Text) -> None:
        text.plain = "".join(
            c if visible(c) == c else chr(_PICTURES.get(ord(c), 0xFFFD)) for c in text.plain
        )


class PlainInput(Input):
    """The console's text field: Textual's `Input`, drawing control characters as symbols."""

    def __init__(
        self,
        value: str | None = None,
        placeholder: str = "",
        *,
        password: bool = False,
        select_on_focus: bool = True,
        id: str | None = None,  # noqa: A002 (Textual's name for it)
    ) -> None:
        super().__init__(
            value,
            placeholder,
            ControlPictures(),
            password,
            select_on_focus=select_on_focus,
            id=id,
        )

"""Text from people and site files, made safe to show: every control character visible.

User names, reasons, camera and mask names, key paths and file names reach terminals
(the console's widgets, every verb's output) and log files. A control character in one
of them is an instruction to whatever displays it: ESC starts a terminal sequence
(OSC 52 writes the clipboard, CSI 2J clears the screen), a newline forges a row in a
listing or a line in a log, a bidirectional override makes ``rotarepo`` read as
``operator``, a zero-width space makes two names look alike, and a lone surrogate (a
file name that was not UTF-8) cannot be printed at all. `visible` is the one place that
turns each of them into a printed escape (``\\x1b``, ``\\n``, ``\\u202e``): the console's
widgets (`console.ui.plain`), the verbs' output (`console.verbs.output`) and the log
files (`console.verbs.logs`) all show text through it.

Which characters: Unicode's control (Cc: C0, DEL, C1), format (Cf: the bidirectional
controls, zero-width characters, soft hyphen), surrogate (Cs), line separator (Zl) and
paragraph separator (Zp) categories. Everything else is printed as it is, backslashes
included, so ordinary text reads exactly as typed; the JSON forms (`veil audit show
--json`) keep every character exactly for whoever needs to tell a typed ``\\x1b`` from
an escaped ESC.
"""

from __future__ import annotations

import unicodedata

HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""The Unicode general categories `visible` escapes."""

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escaped(character: str) -> str:
    if character in _NAMED:
        return _NAMED[character]
    code = ord(character)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str) -> str:
    """`text` with every character of the `HIDDEN` categories as a visible escape."""
    if text.isprintable():  # the common case, and no printable character is hidden
        return text
    return "".join(_escaped(c) if unicodedata.category(c) in HIDDEN else c for c in text)

"""Text from people and site files, made safe to show: every control character visible.

User names, reasons, camera and mask names reach terminals (the console's widgets,
every verb's output) and log files. A control character in one of them is an
instruction to whatever displays it: ESC starts a terminal sequence (OSC 52 writes the
clipboard, CSI 2J clears the screen), a newline forges a row in a listing or a line in a
log, a bidirectional override makes ``rotarepo`` read as ``operator``. `visible` is the
one place that turns each of them into a printed escape (``\\x1b``, ``\\n``, ``\\u202e``):
the console's widgets (`console.ui.plain`), the verbs' output (`console.verbs.output`)
and the log files (`console.logs`) all show text through it.

Which characters: C0 (U+0000..U+001F), DEL, C1 (U+0080..U+009F), the line and paragraph
separators, and the Unicode bidirectional controls (terminals built on VTE reorder text
by them). Everything else is printed as it is, backslashes included, so ordinary text
reads exactly as typed; the JSON forms (`veil audit show --json`) keep every character
exactly for whoever needs to tell a typed ``\\x1b`` from an escaped ESC.
"""

from __future__ import annotations

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_BIDI = (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
_SEPARATORS = (0x2028, 0x2029)


def _escape(code: int) -> str:
    character = chr(code)
    if character in _NAMED:
        return _NAMED[character]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_CONTROLS = (*range(0x20), 0x7F, *range(0x80, 0xA0), *_BIDI, *_SEPARATORS)
_TABLE = {code: _escape(code) for code in _CONTROLS}
"""Every character `visible` replaces, and what with."""


def visible(text: str) -> str:
    """`text` with every control character (see the module docstring) as a visible escape."""
    return text.translate(_TABLE)

"""The line of a site file that sets a key path, for error messages.

No TOML library reports positions for semantic errors: tomllib gives none, tomlkit's item
positions are an open request, pydantic and msgspec give key paths only. So this scanner
walks the text as TOML reads it: strings (basic and literal, one-line and multi-line) and
comments are skipped whole, arrays and inline tables are followed element by element,
`[table]` and `[[array]]` headers count only outside values, and dotted and quoted keys
are split as TOML splits them.

It runs only on text tomllib has accepted, and a line is given only when it is certain:
should the scanner meet anything it does not expect, it gives no lines at all rather than
possibly wrong ones. A problem then names the file and the key path without a line.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = frozenset(",]}#\r\n")
_LAST_STEP = re.compile(r"(\[\d+\]|\.[^.\[\]]+)$")


def key_lines(text: str) -> dict[str, int]:
    """Map key paths such as `cameras[1].masks[0].cells[2]` to the line that sets them.

    Table paths map to their header (or to the first dotted key that opens them), list
    entries to the line their value starts on.
    """
    try:
        return _Scanner(text).scan()
    except (_Unexpected, RecursionError):
        return {}


def line_of(lines: Mapping[str, int], path: str) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one.

    A key that is missing or wrong as a whole is best shown where its table starts.
    """
    while path:
        if path in lines:
            return lines[path]
        trimmed = _LAST_STEP.sub("", path)
        if trimmed == path:
            break
        path = trimmed
    return None


class _Unexpected(Exception):
    """Text the scanner does not follow; its lines would not be certain."""


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[str, int] = {}
        self.entries: dict[str, int] = {}
        """How many `[[path]]` tables each array of tables has had so far."""

    # -- characters -----------------------------------------------------------------------

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos : self.pos + count]

    def advance(self, count: int = 1) -> None:
        self.line += self.text.count("\n", self.pos, self.pos + count)
        self.pos += count

    def expect(self, token: str) -> None:
        if self.peek(len(token)) != token:
            raise _Unexpected(f"line {self.line}: expected {token!r}")
        self.advance(len(token))

    def skip_spaces(self) -> None:
        while self.peek() in (" ", "\t") and self.pos < len(self.text):
            self.advance()

    def skip_blank(self) -> None:
        """Spaces, line breaks and comments, as between the elements of an array."""
        while True:
            char = self.peek()
            if char and char in " \t\r\n":
                self.advance()
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.advance((len(self.text) if end < 0 else end) - self.pos)
            else:
                return

    def end_of_line(self) -> None:
        self.skip_spaces()
        if self.peek() == "#":
            end = self.text.find("\n", self.pos)
            self.advance((len(self.text) if end < 0 else end) - self.pos)
        if self.peek() not in ("", "\n") and self.peek(2) != "\r\n":
            raise _Unexpected(f"line {self.line}: expected the end of the line")

    # -- the document ---------------------------------------------------------------------

    def scan(self) -> dict[str, int]:
        prefix = ""
        while True:
            self.skip_blank()
            if not self.peek():
                return self.lines
            if self.peek(2) == "[[":
                prefix = self.array_header()
            elif self.peek() == "[":
                prefix = self.table_header()
            else:
                self.key_value(prefix)
            self.end_of_line()

    def table_header(self) -> str:
        line = self.line
        self.expect("[")
        self.skip_spaces()
        parts = self.key()
        self.expect("]")
        path = self.indexed(parts, line)
        self.lines.setdefault(path, line)
        return path

    def array_header(self) -> str:
        line = self.line
        self.expect("[[")
        self.skip_spaces()
        parts = self.key()
        self.expect("]]")
        base = _join(self.indexed(parts[:-1], line), parts[-1])
        index = self.entries.get(base, 0)
        self.entries[base] = index + 1
        self.lines.setdefault(base, line)
        path = f"{base}[{index}]"
        self.lines.setdefault(path, line)
        return path

    def indexed(self, parts: list[str], line: int) -> str:
        """The path of a header's tables: a part naming an array of tables means its
        latest entry, as in TOML. Tables it opens on the way start on `line`."""
        path = ""
        for part in parts:
            path = _join(path, part)
            if path in self.entries:
                path = f"{path}[{self.entries[path] - 1}]"
            self.lines.setdefault(path, line)
        return path

    def key_value(self, prefix: str) -> None:
        line = self.line
        path = prefix
        for part in self.key():
            path = _join(path, part)
            self.lines.setdefault(path, line)
        self.expect("=")
        self.skip_spaces()
        self.value(path)

    # -- keys -----------------------------------------------------------------------------

    def key(self) -> list[str]:
        """A dotted key's parts, unquoted as TOML reads them; ends past trailing spaces."""
        parts = [self.simple_key()]
        self.skip_spaces()
        while self.peek() == ".":
            self.advance()
            self.skip_spaces()
            parts.append(self.simple_key())
            self.skip_spaces()
        return parts

    def simple_key(self) -> str:
        start = self.pos
        if self.peek() == '"':
            self.basic_string()
            quoted = self.text[start : self.pos]
            return str(tomllib.loads(f"k = {quoted}")["k"])
        if self.peek() == "'":
            self.literal_string()
            return self.text[start + 1 : self.pos - 1]
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            raise _Unexpected(f"line {self.line}: expected a key")
        self.advance(match.end() - start)
        return match.group()

    # -- values ---------------------------------------------------------------------------

    def value(self, path: str) -> None:
        if self.peek(3) in ('"""', "'''"):
            self.multiline_string(self.peek(3))
        elif self.peek() == '"':
            self.basic_string()
        elif self.peek() == "'":
            self.literal_string()
        elif self.peek() == "[":
            self.array(path)
        elif self.peek() == "{":
            self.inline_table(path)
        else:
            self.scalar()

    def basic_string(self) -> None:
        self.expect('"')
        while (char := self.peek()) != '"':
            if char in ("", "\n"):
                raise _Unexpected(f"line {self.line}: unterminated string")
            self.advance(2 if char == "\\" else 1)
        self.advance()

    def literal_string(self) -> None:
        self.expect("'")
        end = self.text.find("'", self.pos)
        if end < 0 or "\n" in self.text[self.pos : end]:
            raise _Unexpected(f"line {self.line}: unterminated string")
        self.advance(end + 1 - self.pos)

    def multiline_string(self, quotes: str) -> None:
        """Up to two quotes may stand right before the closing three, as part of the text."""
        self.expect(quotes)
        mark = quotes[0]
        while self.peek():
            if mark == '"' and self.peek() == "\\":
                self.advance(2)
            elif self.peek(3) == quotes:
                run = 3
                while run < 5 and self.text[self.pos + run : self.pos + run + 1] == mark:
                    run += 1
                self.advance(run)
                return
            else:
                self.advance()
        raise _Unexpected("unterminated multi-line string")

    def array(self, path: str) -> None:
        self.expect("[")
        index = 0
        while True:
            self.skip_blank()
            if self.peek() == "]":
                break
            element = f"{path}[{index}]"
            self.lines.setdefault(element, self.line)
            self.value(element)
            self.skip_blank()
            if self.peek() != ",":
                break
            self.advance()
            index += 1
        self.expect("]")

    def inline_table(self, path: str) -> None:
        self.expect("{")
        while True:
            self.skip_blank()
            if self.peek() == "}":
                break
            self.key_value(path)
            self.skip_blank()
            if self.peek() != ",":
                break
            self.advance()
        self.expect("}")

    def scalar(self) -> None:
        """A number, boolean or date-time: up to what ends a value (a date-time may hold
        a space between date and time)."""
        start = self.pos
        while self.peek() and self.peek() not in _SCALAR_END:
            self.advance()
        if not self.text[start : self.pos].strip():
            raise _Unexpected(f"line {self.line}: expected a value")

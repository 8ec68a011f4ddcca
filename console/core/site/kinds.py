"""The kinds of value a site file's keys hold, each able to say what it expects.

A kind's `expected` phrase is what the configuration reference (README) states for every
key of that kind, and what a simple kind's error says when a value does not fit, so the
two cannot disagree. `convert` turns a parsed TOML value into the model's value, or
reports what was expected and returns None. It never raises: a site file is untrusted
input, and every problem in it is collected, not just the first.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import unicodedata
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Generic, TypeVar, cast
from urllib.parse import parse_qs, urlsplit

from console.core.privacy.masks import GRID_SIZES, PolygonGeometry, RectGeometry, crossing_edges
from console.core.site.durations import format_duration, parse_duration

T = TypeVar("T")

Report = Callable[[str, str], None]
"""Where a kind says what is wrong: (key path, what was expected)."""

PATTERN_NAMES = ("bars", "gradient", "checker")
"""Synthetic pictures a camera may show as `pattern:NAME`; `console.core.video.patterns`
draws them."""

NETWORK_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")

_ID = re.compile(r"[a-z0-9-]+")
_FRIGATE_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_CELL = re.compile(r"(\d+)(?:-(\d+))?,(\d+)(?:-(\d+))?")
_COLOUR = re.compile(r"#([0-9a-fA-F]{6})")
_GRID = re.compile(r"(\d+)x(\d+)")


class Kind(ABC, Generic[T]):
    """What one key may hold."""

    placeholder = "..."
    """How an example of this kind is written where a message shows one (`name = "..."`)."""

    @property
    @abstractmethod
    def expected(self) -> str:
        """What a value must be, as the reference and the error messages say it."""

    @abstractmethod
    def convert(self, value: object, path: str, report: Report) -> T | None:
        """The model's value, or None after reporting what was wrong at `path`."""

    def show(self, value: T) -> str:
        """`value` as an administrator writes it in the site file."""
        return str(value)


class Simple(Kind[T]):
    """A kind whose only error is 'expected <what>, got <this>'."""

    def convert(self, value: object, path: str, report: Report) -> T | None:
        converted = self.parse(value)
        if converted is None:
            report(path, f"expected {self.expected}, got {describe(value)}")
        return converted

    @abstractmethod
    def parse(self, value: object) -> T | None:
        """The model's value, or None when `value` is not one."""


class Text(Simple[str]):
    """Printable text: names shown in the console and written into the audit trail."""

    placeholder = '"..."'
    expected = "a non-empty string of printable text"

    def parse(self, value: object) -> str | None:
        if isinstance(value, str) and value.strip() and value.isprintable():
            return value
        return None

    def show(self, value: str) -> str:
        return f'"{value}"'


PLAN_MAX_COLS = 240
PLAN_MAX_ROWS = 120
"""A text plan larger than this would not fit any terminal beside its preview."""


class PlanText(Simple[str]):
    """A floor plan drawn in characters, one per terminal cell, as a multi-line string.

    Wide characters (CJK, emoji) take two cells and combining marks none, so either would
    shift every marker after it on its row: only characters of one cell are allowed. No
    tabs either: how wide a tab is depends on the terminal. Trailing blank lines go.
    """

    placeholder = '''"""..."""'''
    expected = (
        f"a multi-line string of printable one-cell characters (no tabs), at most "
        f"{PLAN_MAX_COLS} columns and {PLAN_MAX_ROWS} lines"
    )

    def parse(self, value: object) -> str | None:
        if not isinstance(value, str) or not value.strip():
            return None
        lines = value.replace("\r\n", "\n").rstrip("\n ").split("\n")
        if len(lines) > PLAN_MAX_ROWS or any(len(line) > PLAN_MAX_COLS for line in lines):
            return None
        if not all(_one_cell(char) for line in lines for char in line):
            return None
        return "\n".join(lines)


def _one_cell(char: str) -> bool:
    return (
        char.isprintable()
        and unicodedata.east_asian_width(char) not in ("W", "F")
        and not unicodedata.combining(char)
    )


class Identifier(Simple[str]):
    """An id that appears in paths, views, audit records and file names, so it is kept plain."""

    placeholder = '"..."'
    expected = "an id of a-z, 0-9 and '-' (at most 64)"

    def parse(self, value: object) -> str | None:
        if isinstance(value, str) and _ID.fullmatch(value) and len(value) <= 64:
            return value
        return None


class FrigateName(Simple[str]):
    """A camera name as Frigate allows it; it becomes one folder of the recordings tree."""

    placeholder = '"..."'
    expected = "a Frigate camera name of A-Z, a-z, 0-9, '_' and '-' (at most 64)"

    def parse(self, value: object) -> str | None:
        if isinstance(value, str) and _FRIGATE_NAME.fullmatch(value):
            return value
        return None

    def show(self, value: str) -> str:
        return f'"{value}"'


class DatabaseUrl(Kind[str]):
    """A libpq URL of the site's PostgreSQL database, without a password.

    A site file is copied around, committed and attached to tickets, so a password in it
    would leak with it: a URL holding one (``user:secret@`` or ``?password=``) is an
    error that says where passwords go instead.
    """

    placeholder = '"postgresql://veil-console@db.example/veil"'
    expected = "a postgresql:// URL (user, host, database; no password)"

    def convert(self, value: object, path: str, report: Report) -> str | None:
        if not isinstance(value, str) or not value.isprintable():
            report(path, f"expected {self.expected}, got {describe(value)}")
            return None
        try:
            parts = urlsplit(value)
            query = parse_qs(parts.query)
            has_password = parts.password is not None
        except ValueError:
            report(path, f"expected {self.expected}, got {describe(value)}")
            return None
        if parts.scheme not in ("postgresql", "postgres") or not parts.path.strip("/"):
            report(path, f"expected {self.expected}, got {describe(value)}")
            return None
        if has_password or "password" in query:
            report(
                path,
                "must not hold a password (the site file is copied around): put it in the "
                "console account's PGPASSFILE or ~/.pgpass, or in the keyring with "
                "`python3 -m keyring set veil database:ROLE`",
            )
            return None
        return value

    def show(self, value: str) -> str:
        return f'"{value}"'


ANCHOR_KEY_PREFIX = "ed25519:"
"""How an ``[audit] anchor_key`` starts; `veil anchor init` prints the whole line."""


class AnchorKey(Simple[bytes]):
    """The audit anchor's Ed25519 public key, pinned in the site file, which an
    administrator installs out of the console account's reach."""

    placeholder = '"ed25519:..."'
    expected = f"{ANCHOR_KEY_PREFIX}<base64 of 32 bytes>, as `veil anchor init` prints it"

    def parse(self, value: object) -> bytes | None:
        if not isinstance(value, str) or not value.startswith(ANCHOR_KEY_PREFIX):
            return None
        try:
            raw = base64.b64decode(value.removeprefix(ANCHOR_KEY_PREFIX), validate=True)
        except binascii.Error:
            return None
        return raw if len(raw) == 32 else None

    def show(self, value: bytes) -> str:
        return f'"{ANCHOR_KEY_PREFIX}{base64.b64encode(value).decode("ascii")}"'


class Boolean(Simple[bool]):
    expected = "true or false"

    def parse(self, value: object) -> bool | None:
        return value if isinstance(value, bool) else None

    def show(self, value: bool) -> str:
        return "true" if value else "false"


class Number(Simple[float]):
    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    @property
    def expected(self) -> str:
        return f"a number from {self.low:g} to {self.high:g}"

    def parse(self, value: object) -> float | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            # float() of an int past ~1e308 raises; such a number is out of range anyway
            number = float(value) if isinstance(value, float) or abs(value) < 2**1000 else math.inf
            if math.isfinite(number) and self.low <= number <= self.high:
                return number
        return None

    def show(self, value: float) -> str:
        return f"{value:g}"


class Integer(Simple[int]):
    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    @property
    def expected(self) -> str:
        return f"a whole number from {self.low} to {self.high}"

    def parse(self, value: object) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool):
            return value if self.low <= value <= self.high else None
        return None


class Choice(Simple[str]):
    def __init__(self, *options: str) -> None:
        self.options = options

    @property
    def expected(self) -> str:
        return f"one of {', '.join(self.options)}"

    def parse(self, value: object) -> str | None:
        return value if isinstance(value, str) and value in self.options else None

    def show(self, value: str) -> str:
        return f'"{value}"'


class Colour(Simple[tuple[int, int, int]]):
    """Written as #RRGGBB like everywhere else; held as BGR, the order frames are in."""

    expected = 'a colour "#RRGGBB"'

    def parse(self, value: object) -> tuple[int, int, int] | None:
        if isinstance(value, str) and (match := _COLOUR.fullmatch(value)):
            rgb = int(match.group(1), 16)
            return (rgb & 0xFF, (rgb >> 8) & 0xFF, rgb >> 16)
        return None

    def show(self, value: tuple[int, int, int]) -> str:
        blue, green, red = value
        return f'"#{red:02x}{green:02x}{blue:02x}"'


class GridSize(Simple[int]):
    """A square grid as the commercial client offers them."""

    expected = f"one of {', '.join(f'{n}x{n}' for n in GRID_SIZES)}"

    def parse(self, value: object) -> int | None:
        if isinstance(value, str) and (match := _GRID.fullmatch(value)):
            cols, rows = int(match.group(1)), int(match.group(2))
            if cols == rows and cols in GRID_SIZES:
                return cols
        return None


class Duration(Kind[float]):
    """Seconds, written as "90s", "10m", "2h" or "1h30m"."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = low, high

    @property
    def expected(self) -> str:
        return f"a duration from {_spell(self.low)} to {_spell(self.high)}"

    def convert(self, value: object, path: str, report: Report) -> float | None:
        if isinstance(value, str):
            try:
                seconds = parse_duration(value)
            except ValueError as error:
                report(path, str(error))
                return None
            if self.low <= seconds <= self.high:
                return seconds
        report(path, f"expected {self.expected}, got {describe(value)}")
        return None

    def show(self, value: float) -> str:
        return f'"{format_duration(value)}"'


class DurationOrOff(Duration):
    """A duration, or "off" (0.0) for a feature a site may leave unused."""

    @property
    def expected(self) -> str:
        return f'"off" or {super().expected}'

    def convert(self, value: object, path: str, report: Report) -> float | None:
        if isinstance(value, str) and value.strip().lower() == "off":
            return 0.0
        if isinstance(value, str):
            try:
                seconds = parse_duration(value)
            except ValueError:
                seconds = -1.0
            if self.low <= seconds <= self.high:
                return seconds
        report(path, f"expected {self.expected}, got {describe(value)}")
        return None

    def show(self, value: float) -> str:
        return '"off"' if value == 0 else super().show(value)


class TextList(Kind[list[str]]):
    expected = "a list of strings"

    def convert(self, value: object, path: str, report: Report) -> list[str] | None:
        if not isinstance(value, list):
            report(path, f"expected {self.expected}, got {describe(value)}")
            return None
        text = Text()
        items = [text.convert(item, f"{path}[{index}]", report) for index, item in enumerate(value)]
        return None if any(item is None for item in items) else cast(list[str], items)


class ChoiceList(Kind[list[str]]):
    """A list of names from a fixed set; each unknown one is reported where it stands."""

    def __init__(self, noun: str, options: frozenset[str]) -> None:
        self.noun, self.options = noun, sorted(options)

    @property
    def expected(self) -> str:
        return f"a list of {self.noun}s: {', '.join(self.options)}"

    def convert(self, value: object, path: str, report: Report) -> list[str] | None:
        names = TextList().convert(value, path, report)
        unknown = False
        for index, name in enumerate(names or []):
            if name not in self.options:
                unknown = True
                report(
                    f"{path}[{index}]",
                    f"unknown {self.noun} {name!r}; expected one of: {', '.join(self.options)}",
                )
        return None if unknown else names


class Source(Kind[str]):
    """Where a camera's pictures come from. Never a URL with credentials in it: those would
    sit in a plain file that many people read; they belong in the OS keyring."""

    placeholder = '"..."'
    expected = (
        "a video file (relative to the site file), rtsp://, rtsps://, http(s)://, "
        f"device:N or pattern:NAME ({', '.join(PATTERN_NAMES)})"
    )

    def convert(self, value: object, path: str, report: Report) -> str | None:
        text = Text().convert(value, path, report)
        if text is None:
            return None
        lowered = text.lower()
        if lowered.startswith(NETWORK_SCHEMES):
            authority = text.split("://", 1)[1].split("/", 1)[0]
            if "@" in authority:
                report(
                    path,
                    "expected a URL without user:password (keep credentials in the OS keyring "
                    'and name the entry with credential = "...")',
                )
                return None
            return text
        if lowered.startswith("device:"):
            if text[7:].isdigit():
                return text
            report(path, f'expected "device:N" with a device number, got {text!r}')
            return None
        if lowered.startswith("pattern:"):
            if text[8:] in PATTERN_NAMES:
                return text
            report(path, f"expected one of pattern:{', pattern:'.join(PATTERN_NAMES)}")
            return None
        if "://" in text:
            report(path, "expected rtsp://, http(s)://, device:N, pattern:NAME or a file path")
            return None
        return text


class Cells(Kind[frozenset[tuple[int, int]]]):
    """Cells of a mask's grid. Which cells exist depends on the grid beside them, so the
    validator converts with `Cells(size)` of that grid."""

    def __init__(self, size: int) -> None:
        self.size = size

    expected = 'a non-empty list of "col,row" cells or "c0-c1,r0-r1" ranges on the grid'

    def convert(
        self, value: object, path: str, report: Report
    ) -> frozenset[tuple[int, int]] | None:
        if not isinstance(value, list) or not value:
            report(path, f"expected a non-empty list of cells, got {describe(value)}")
            return None
        cells: set[tuple[int, int]] = set()
        for index, item in enumerate(value):
            cells.update(self._range(item, f"{path}[{index}]", report))
        return frozenset(cells) if cells else None

    def _range(self, item: object, path: str, report: Report) -> set[tuple[int, int]]:
        size = self.size
        match = _CELL.fullmatch(item.replace(" ", "")) if isinstance(item, str) else None
        if match is not None:
            first_col, last_col, first_row, last_row = match.groups()
            c0, r0 = int(first_col), int(first_row)
            c1 = int(last_col) if last_col is not None else c0
            r1 = int(last_row) if last_row is not None else r0
            if c0 <= c1 < size and r0 <= r1 < size:
                return {(c, r) for c in range(c0, c1 + 1) for r in range(r0, r1 + 1)}
        report(
            path,
            f'expected "col,row" or "c0-c1,r0-r1" with ascending values from 0 to {size - 1}, '
            f"got {describe(item)}",
        )
        return set()


def _coordinates(value: object, path: str, count: int, report: Report) -> list[float] | None:
    if not isinstance(value, list) or len(value) != count:
        report(path, f"expected {count} numbers from 0 to 1, got {describe(value)}")
        return None
    unit = Number(0.0, 1.0)
    numbers = [unit.convert(item, f"{path}[{i}]", report) for i, item in enumerate(value)]
    return None if any(n is None for n in numbers) else cast(list[float], numbers)


class Rect(Kind[RectGeometry]):
    expected = "[x0, y0, x1, y1], normalised 0..1, with x0 < x1 and y0 < y1"

    def convert(self, value: object, path: str, report: Report) -> RectGeometry | None:
        numbers = _coordinates(value, path, 4, report)
        if numbers is None:
            return None
        x0, y0, x1, y1 = numbers
        if not (x0 < x1 and y0 < y1):
            report(path, f"expected x0 < x1 and y0 < y1 (a rectangle with area), got {numbers}")
            return None
        return RectGeometry(x0, y0, x1, y1)


class Polygon(Kind[PolygonGeometry]):
    expected = (
        "at least 3 [x, y] points, normalised 0..1, that enclose an area with edges that "
        "neither cross nor touch"
    )

    def convert(self, value: object, path: str, report: Report) -> PolygonGeometry | None:
        if not isinstance(value, list) or len(value) < 3:
            report(path, f"expected at least 3 [x, y] points, got {describe(value)}")
            return None
        points = [_coordinates(item, f"{path}[{i}]", 2, report) for i, item in enumerate(value)]
        if any(point is None for point in points):
            return None
        pairs = tuple((p[0], p[1]) for p in cast(list[list[float]], points))
        doubled_area = sum(
            x0 * y1 - x1 * y0
            for (x0, y0), (x1, y1) in zip(pairs, pairs[1:] + pairs[:1], strict=True)
        )
        if abs(doubled_area) < 1e-9:
            report(path, "expected a polygon that encloses an area; these points enclose none")
            return None
        if crossed := crossing_edges(pairs):
            (a, b), (c, d) = crossed
            report(
                path,
                f"expected edges that neither cross nor touch, but edge {a}-{b} meets edge "
                f"{c}-{d} (points counted from 0); where they overlap the fill would leave a "
                "hole: draw one polygon per area",
            )
            return None
        return PolygonGeometry(pairs)


def is_identifier(name: str) -> bool:
    """Whether `name` may name a table entry (a role): the id alphabet, any length."""
    return _ID.fullmatch(name) is not None


def describe(value: object) -> str:
    """A short, safe description of a bad value for an error message."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if len(repr(value)) <= 24 else "a huge number"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a table"
    if value is None:
        return "nothing"
    return type(value).__name__


def _spell(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"

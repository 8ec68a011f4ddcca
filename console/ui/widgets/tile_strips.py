"""A rendered tile's rows as Textual strips: one segment per run, one Style per colour pair.

Building a Rich `Style` costs microseconds and a tile has hundreds of cells per row, so
styles are never made per cell: a `StyleBook` keeps one per (foreground, background)
code pair, and the tile's runs become segments that share them. Textual caches each
style's escape sequence on the object, so a reused style is also never formatted twice.
The book is bounded: a long-running wall of live video would otherwise collect every
colour it ever showed.

Rows are only rebuilt when their key changed since the frame before, which is what lets
the tile repaint only those rows.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import TypeVar

from rich.color import Color, ColorType
from rich.color_triplet import ColorTriplet
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, Run

_Key = TypeVar("_Key")
_Value = TypeVar("_Value")

STYLE_LIMIT = 32768
"""Styles a book keeps; beyond it the oldest half go. Kept modest: every style and
colour is one more object for each full garbage collection to walk."""


class StyleBook:
    """The styles of one colour depth over one base style, made on first use.

    Shared by the tiles of an app (they show similar colours) and used from the pump's
    threads, hence the lock; one call styles a whole frame's runs.
    """

    def __init__(self, depth: ColorDepth, base: Style, limit: int = STYLE_LIMIT) -> None:
        self.depth = depth
        self.base = base
        """Supplies the colours of DEFAULT codes: the tile's own text and background."""
        self.limit = limit
        self._styles: dict[tuple[int, int], Style] = {}
        self._colors: dict[int, Color | None] = {DEFAULT: None}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._styles)

    def styles(self, pairs: list[tuple[int, int]]) -> list[Style]:
        """The style of each (fg, bg) pair; the loops over pairs run in C."""
        with self._lock:
            wanted = set(pairs)
            if len(self._styles) + len(wanted.difference(self._styles)) > self.limit:
                _forget_oldest(self._styles, self.limit // 2)
                _forget_oldest(self._colors, self.limit)
                self._colors[DEFAULT] = None
            missing = wanted.difference(self._styles)  # after eviction: it may drop wanted ones
            base, color = self.base, self._color
            for fg, bg in missing:
                self._styles[fg, bg] = Style.from_color(
                    color(fg) or base.color, color(bg) or base.bgcolor
                )
            return list(map(self._styles.__getitem__, pairs))

    def _color(self, code: int) -> Color | None:
        """The colour of a code (None for DEFAULT), made once: `Color.from_rgb` is slow."""
        color = self._colors.get(code)
        if color is None and code != DEFAULT:
            if self.depth is ColorDepth.TRUECOLOR:
                triplet = ColorTriplet(code >> 16, (code >> 8) & 0xFF, code & 0xFF)
                color = Color(f"#{code:06x}", ColorType.TRUECOLOR, None, triplet)
            else:
                color = Color.from_ansi(code)
            self._colors[code] = color
        return color


def _forget_oldest(cache: dict[_Key, _Value], keep: int) -> None:
    """Drop the entries made first until `keep` remain (dicts keep insertion order)."""
    for key in list(islice(cache, max(0, len(cache) - keep))):
        del cache[key]


_books: dict[tuple[ColorDepth, Style], StyleBook] = {}
_books_lock = threading.Lock()


def style_book(depth: ColorDepth, base: Style) -> StyleBook:
    """The book shared by every tile drawing at `depth` over `base`."""
    with _books_lock:
        book = _books.get((depth, base))
        if book is None:
            if len(_books) >= 16:  # themes and depths come and go; stay bounded
                _books.clear()
            book = _books[depth, base] = StyleBook(depth, base)
        return book


def segments(runs: list[Run], book: StyleBook) -> list[Segment]:
    """One segment per run, built without a Python-level step per run.

    A tile frame has hundreds of runs, and on a wall that is tens of thousands of
    segments a second: constructing each `Segment` through its Python-level
    constructor dominated the frame. `tuple.__new__` over zipped columns makes the same
    (text, style, control) tuples entirely in C.
    """
    if not runs:
        return []
    texts, fgs, bgs = zip(*runs, strict=True)
    styles = book.styles(list(zip(fgs, bgs, strict=True)))
    columns = zip(texts, styles, repeat(None))
    return list(map(tuple.__new__, repeat(Segment), columns))


def blank_strip(width: int, base: Style) -> Strip:
    return Strip([Segment(" " * width, base)], width) if width > 0 else Strip.blank(0)


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a picture sits inside the tile's content area, in cells."""

    x: int
    y: int
    cols: int
    rows: int


@dataclass
class StripMaker:
    """Turns one tile's successive frames into strips, remembering the rows it last made."""

    depth: ColorDepth
    _keys: list[bytes] | None = field(default=None, init=False)
    _layout: tuple[int, int, Placement, Style] | None = field(default=None, init=False)

    def forget(self) -> None:
        """The next frame rebuilds every row (after a frame without video, or a resize)."""
        self._keys = None
        self._layout = None

    def strips(
        self, tile: RenderedTile, width: int, height: int, at: Placement, base: Style
    ) -> tuple[dict[int, Strip], bool]:
        """Strips of the rows that changed since the previous call, and whether that is all.

        The content area is `width` x `height` cells; the picture (`tile`) sits at `at`,
        and the cells around it are blank in `base`.
        """
        layout = (width, height, at, base)
        full = self._keys is None or self._layout != layout
        previous = self._keys if not full else None
        keys = [b""] * height
        book = style_book(self.depth, base)
        left = Segment(" " * at.x, base) if at.x else None
        right_width = width - at.x - at.cols
        right = Segment(" " * right_width, base) if right_width > 0 else None
        changed: dict[int, Strip] = {}
        pictured: list[int] = []
        for y in range(height):
            row = y - at.y
            if 0 <= row < len(tile.rows):
                keys[y] = tile.row_keys[row]
            if previous is not None and previous[y] == keys[y]:
                continue
            if 0 <= row < len(tile.rows):
                pictured.append(y)
            else:
                changed[y] = blank_strip(width, base)
        runs = tile.rows.runs_of([y - at.y for y in pictured])
        for y, row_runs in zip(pictured, runs, strict=True):
            line = segments(row_runs, book)
            if left is not None:
                line.insert(0, left)
            if right is not None:
                line.append(right)
            changed[y] = Strip(line, width)
        self._keys = keys
        self._layout = layout
        return changed, full

"""The playback timeline: per camera, what was recorded and where the gaps are.

One row per camera under a time ruler. A column is drawn recorded when any footage
falls in it, damaged when its gap holds a segment that could not be read (the message
is in the tiles and the status line), and empty otherwise. The playhead is a bright
bar through every row; export marks show on the ruler and shade the range between.
Only the playhead moves while playing, so the bars are computed once per window and
width and the playhead is drawn over them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from enum import Enum

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from console.core.video.recording_index import NO_RECORDING, Gap, RecordingIndex, Span
from console.text import visible

LABEL_WIDTH = 16
"""Cells for the camera names on the left."""
TICK_GAP = 14
"""Fewest cells between two ruler labels."""
TICK_STEPS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600)
"""Seconds between ruler labels, the smallest that leaves TICK_GAP cells is used."""
MAX_WINDOW = 6 * 3600.0
"""Longest stretch shown at once; beyond it the window follows the playhead."""


class Cell(Enum):
    RECORDED = "█"
    DAMAGED = "╳"
    EMPTY = "·"


def columns(index: RecordingIndex, start: float, end: float, width: int) -> list[Cell]:
    """What each of `width` columns over [start, end) shows for one camera."""
    step = (end - start) / width
    cells: list[Cell] = []
    for column in range(width):
        pieces = index.timeline(start + column * step, start + (column + 1) * step)
        if any(isinstance(piece, Span) for piece in pieces):
            cells.append(Cell.RECORDED)
        elif any(isinstance(piece, Gap) and piece.message != NO_RECORDING for piece in pieces):
            cells.append(Cell.DAMAGED)
        else:
            cells.append(Cell.EMPTY)
    return cells


def fit_window(indexes: Sequence[RecordingIndex], moment: float) -> tuple[float, float]:
    """Everything recorded, with a little margin; at most MAX_WINDOW around `moment`."""
    spans = [span for index in indexes for span in index.spans()]
    if not spans:
        return (moment - 60.0, moment + 60.0)
    start = min(span.start for span in spans)
    end = max(span.end for span in spans)
    margin = max(1.0, (end - start) * 0.02)
    start, end = start - margin, end + margin
    if end - start > MAX_WINDOW:
        start = moment - MAX_WINDOW / 2
        end = moment + MAX_WINDOW / 2
    return (start, end)


def clock_label(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%H:%M:%S")


def ticks(start: float, end: float, width: int) -> list[tuple[int, str]]:
    """(column, label) for ruler labels at round times (every 10 s, every minute...)."""
    per_column = (end - start) / width
    step = next((s for s in TICK_STEPS if s / per_column >= TICK_GAP), TICK_STEPS[-1])
    labels = []
    moment = math.ceil(start / step) * step
    while moment < end:
        column = int((moment - start) / per_column)
        if column + 9 <= width:
            labels.append((column, "╵" + clock_label(moment)))
        moment += step
    return labels


class Timeline(Widget):
    """Recorded spans and gaps of each camera, the playhead and the export marks."""

    DEFAULT_CSS = """
    Timeline { height: auto; padding: 0 1; }
    Timeline > .timeline--ruler { color: $text-muted; }
    Timeline > .timeline--label { color: $text; }
    Timeline > .timeline--recorded { color: $success; }
    Timeline > .timeline--damaged { color: $error; }
    Timeline > .timeline--empty { color: $text-disabled; }
    Timeline > .timeline--playhead { color: $warning; text-style: bold; }
    Timeline > .timeline--marked { background: $primary 40%; }
    """
    COMPONENT_CLASSES = {
        "timeline--ruler",
        "timeline--label",
        "timeline--recorded",
        "timeline--damaged",
        "timeline--empty",
        "timeline--playhead",
        "timeline--marked",
    }

    moment: reactive[float] = reactive(0.0)
    """The playhead, POSIX seconds."""
    mark_in: reactive[float | None] = reactive(None)
    mark_out: reactive[float | None] = reactive(None)

    def __init__(self, rows: Sequence[tuple[str, RecordingIndex]]) -> None:
        super().__init__()
        self.rows = list(rows)
        """(camera name, its recordings) per row."""
        self.window = fit_window([index for _, index in self.rows], 0.0)
        """The time range across the bars."""
        self._bars_for: tuple[tuple[float, float], int] | None = None
        self._bars_cache: list[list[Cell]] = []

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return 1 + len(self.rows)

    def watch_moment(self, moment: float) -> None:
        start, end = self.window
        if not start <= moment < end:
            self.window = fit_window([index for _, index in self.rows], moment)
            if not self.window[0] <= moment < self.window[1]:
                half = (end - start) / 2
                self.window = (moment - half, moment + half)

    def _bars(self, width: int) -> list[list[Cell]]:
        key = (self.window, width)
        if self._bars_for != key:
            self._bars_for = key
            self._bars_cache = [columns(index, *self.window, width) for _, index in self.rows]
        return self._bars_cache

    def _column(self, moment: float | None, width: int) -> int | None:
        start, end = self.window
        if moment is None or not start <= moment < end:
            return None
        return int((moment - start) / (end - start) * width)

    def render_line(self, y: int) -> Strip:
        width = self.content_size.width - LABEL_WIDTH
        if width <= 0:
            return Strip.blank(self.content_size.width)
        if y == 0:
            return self._ruler(width)
        if y > len(self.rows):
            return Strip.blank(self.content_size.width)
        name, _ = self.rows[y - 1]
        cells = self._bars(width)[y - 1]
        playhead = self._column(self.moment, width)
        marked = self._marked(width)
        label = self.get_component_rich_style("timeline--label")
        segments = [Segment(set_cell_size(visible(name), LABEL_WIDTH - 1) + " ", label)]
        styles = {
            Cell.RECORDED: self.get_component_rich_style("timeline--recorded"),
            Cell.DAMAGED: self.get_component_rich_style("timeline--damaged"),
            Cell.EMPTY: self.get_component_rich_style("timeline--empty"),
        }
        shade = self.get_component_rich_style("timeline--marked")
        head = self.get_component_rich_style("timeline--playhead")
        for column, cell in enumerate(cells):
            if column == playhead:
                text, style = "┃", head
            else:
                text, style = cell.value, styles[cell]
            if column in marked:
                style = style + Style(bgcolor=shade.bgcolor)
            segments.append(Segment(text, style))
        return Strip(segments).simplify()

    def _marked(self, width: int) -> range:
        first = self._column(self.mark_in, width)
        last = self._column(self.mark_out, width)
        if self.mark_in is None and self.mark_out is None:
            return range(0)
        start, end = self.window
        if first is None:
            first = 0 if self.mark_in is None or self.mark_in < start else width
        if last is None:
            last = width - 1 if self.mark_out is None or self.mark_out >= end else -1
        return range(first, last + 1)

    def _ruler(self, width: int) -> Strip:
        start, end = self.window
        chars = [" "] * width
        for column, label in ticks(start, end, width):
            chars[column : column + len(label)] = label
        for moment, mark in ((self.mark_in, "["), (self.mark_out, "]")):
            at = self._column(moment, width)
            if at is not None:
                chars[at] = mark
        ruler = self.get_component_rich_style("timeline--ruler")
        return Strip([Segment(" " * LABEL_WIDTH, ruler), Segment("".join(chars), ruler)])

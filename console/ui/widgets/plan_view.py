"""The Smart map's plan on screen: a `MapPicture` drawn cell by cell, items selectable.

The picture is composed by the core (`console.core.map.picture`) for the widget's size
and the cameras' states; this widget only turns its cells into strips (plain segments:
a plan's characters and the site's names are never markup) and maps keys and clicks to
items. Arrows move the selection to the nearest item that way, a click selects the item
under it (or next to it), Enter or a second click on the selected item activates it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import groupby

import numpy as np
import numpy.typing as npt
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.strip import Strip
from textual.widget import Widget

from console.core.map.picture import Item, MapPicture, compose, step
from console.core.map.plan import PlanCells, PlanUnavailable, load_picture, plan_cells
from console.core.render.terminal import TerminalCaps
from console.core.render.tile import ColorDepth
from console.core.site.model import SiteMap
from console.ui.plain import plain
from console.ui.widgets.tile_strips import style_book

SELECTED = Style(reverse=True, bold=True)


class PlanView(Widget, can_focus=True):
    """One map's plan with its markers; posts `Selected` and `Activated`."""

    DEFAULT_CSS = """
    PlanView { width: 1fr; height: 1fr; border: round $secondary; }
    PlanView:focus { border: round $accent; }
    """

    BINDINGS = [
        Binding("up", "move(0, -1)", "Select", key_display="←↑↓→", show=False),
        Binding("down", "move(0, 1)", "Select", show=False),
        Binding("left", "move(-1, 0)", "Select", show=False),
        Binding("right", "move(1, 0)", "Select", show=False),
        Binding("enter", "activate", "Open", show=False),
    ]

    @dataclass
    class Selected(Message):
        item: Item | None

    @dataclass
    class Activated(Message):
        item: Item

    def __init__(self, site_map: SiteMap, caps: TerminalCaps, states: Mapping[str, str]) -> None:
        super().__init__(id="plan")
        self.site_map = site_map
        self.caps = caps
        self.states: Mapping[str, str] = dict(states)
        self.selected: Item | None = None
        self.picture: MapPicture | None = None
        self.problem = ""
        """Why the plan cannot be drawn (its picture went missing since the site loaded)."""
        self._pixels: npt.NDArray[np.uint8] | None = None
        self._plan: tuple[tuple[int, int], PlanCells] | None = None

    @property
    def ascii_only(self) -> bool:
        return self.caps.render == "ascii" or self.caps.colors is ColorDepth.MONO

    def on_mount(self) -> None:
        self.border_title = plain(self.site_map.name)
        if self.site_map.image is not None:
            try:
                self._pixels = load_picture(self.site_map.image)
            except PlanUnavailable as error:
                self.problem = str(error)
        self._redraw()

    def on_resize(self) -> None:
        self._redraw()

    def show_states(self, states: Mapping[str, str]) -> None:
        """Redraw when a camera's state changed since the last picture."""
        if dict(states) != self.states:
            self.states = dict(states)
            self._redraw()

    def _redraw(self) -> None:
        """A new picture for the current size, states and selection."""
        cols, rows = self.content_size
        if cols <= 0 or rows <= 0 or self.problem:
            self.picture = None
            self.refresh()
            return
        size = (cols, rows)
        if self._plan is None or (self._plan[0] != size and self.site_map.text is None):
            caps = self.caps
            self._plan = (
                size,
                plan_cells(
                    self.site_map,
                    cols,
                    rows,
                    caps.cell_px,
                    caps.render,
                    caps.colors,
                    self._pixels,
                ),
            )
        self.picture = compose(
            self.site_map,
            self._plan[1],
            cols,
            rows,
            self.caps.cell_px,
            self.caps.colors,
            self.states,
            self.selected,
            self.ascii_only,
        )
        items = self.picture.items
        if self.selected not in items:
            moved = next((i for i in items if self.selected and i.id == self.selected.id), None)
            self.select(moved or (items[0] if items else None))
        self.refresh()

    def select(self, item: Item | None) -> None:
        if item == self.selected and self.picture is not None:
            return
        self.selected = item
        self.post_message(self.Selected(item))
        self._redraw()

    def action_move(self, dx: int, dy: int) -> None:
        if self.picture is not None:
            self.select(step(self.picture.items, self.selected, dx, dy))

    def action_activate(self) -> None:
        if self.selected is not None:
            self.post_message(self.Activated(self.selected))

    def on_click(self, event: events.Click) -> None:
        if self.picture is None:
            return
        offset = event.get_content_offset(self)
        if offset is None:
            return
        item = self.picture.item_at(offset.x, offset.y)
        if item is None:
            return
        if item == self.selected or event.chain > 1:
            self.post_message(self.Activated(item))
        self.select(item)

    def render_line(self, y: int) -> Strip:
        base = self.rich_style
        width = self.content_size.width
        picture = self.picture
        if picture is None or y >= len(picture.chars):
            text = self.problem if y == self.content_size.height // 2 else ""
            return Strip([Segment(text[:width].center(width), base)], width)
        book = style_book(self.caps.colors, Style(color=base.color, bgcolor=base.bgcolor))
        chars, fg, bg = picture.chars[y], picture.fg[y].tolist(), picture.bg[y].tolist()
        selected = self.selected.col if self.selected and self.selected.row == y else -1
        cells = list(zip(range(len(chars)), fg, bg, strict=True))
        runs = []
        for (codes, _), group in groupby(
            cells, key=lambda cell: ((cell[1], cell[2]), cell[0] == selected)
        ):
            columns = [cell[0] for cell in group]
            runs.append((chars[columns[0] : columns[-1] + 1], codes, columns[0] == selected))
        styles = book.styles([codes for _, codes, _ in runs])
        segments = [
            Segment(text, style + SELECTED if chosen else style)
            for (text, _, chosen), style in zip(runs, styles, strict=True)
        ]
        return Strip(segments, width)

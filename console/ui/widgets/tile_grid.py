"""A side x side grid of tiles with keyboard focus: the wall and playback both use it.

Each slot is a `Slot` holding either a `CameraTile` for a `TileSource` (a live feed,
a carousel, a recording) or an `EmptySlot`. The tiles draw whatever their source
gives them, which is always a `MaskedFrame`, so the grid itself never touches video.
Arrow keys move the focus within the grid, and Enter or a click asks for the hotspot
of the slot; the screen decides what that means.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from console.core.video.feed import TileSource
from console.ui.widgets.camera_tile import CameraTile


class EmptySlot(Static, can_focus=True):
    """A slot with nothing assigned; focusable so it can be given a camera."""

    DEFAULT_CSS = """
    EmptySlot {
        width: 1fr;
        height: 1fr;
        border: round $panel;
        content-align: center middle;
        color: $text-muted;
    }
    EmptySlot:focus { border: round $accent; }
    """


class Slot(Container):
    """One cell of the grid; knows its position so focus and clicks map to a slot."""

    DEFAULT_CSS = """
    Slot { width: 1fr; height: 1fr; }
    """

    def __init__(self, index: int, source: TileSource | None, empty: str = "empty") -> None:
        super().__init__(id=f"slot-{index}")
        self.index = index
        """Position in reading order, from 0."""
        self.source = source
        self.empty = empty
        """What an empty slot says about itself."""

    def compose(self) -> ComposeResult:
        if self.source is None:
            yield EmptySlot(f"Slot {self.index + 1}: {self.empty}")
        else:
            yield CameraTile(self.source)

    @property
    def body(self) -> Widget:
        """The tile or the empty placeholder: the widget that takes focus."""
        return self.children[0]


class TileGrid(Widget):
    """The tiles of one layout, in reading order."""

    DEFAULT_CSS = """
    TileGrid { layout: grid; height: 1fr; grid-gutter: 0 1; }
    """

    BINDINGS = [
        Binding("up", "move(0, -1)", "Focus", key_display="←↑↓→", show=False),
        Binding("down", "move(0, 1)", "Focus", show=False),
        Binding("left", "move(-1, 0)", "Focus", show=False),
        Binding("right", "move(1, 0)", "Focus", show=False),
        Binding("enter", "choose", "Hotspot"),
    ]
    """Arrow keys move between tiles; Enter opens the focused tile large."""

    @dataclass
    class Chosen(Message):
        """The operator asked for the hotspot of a slot (Enter or a click)."""

        grid: TileGrid
        index: int

        @property
        def control(self) -> TileGrid:
            return self.grid

    def __init__(
        self, side: int, sources: Sequence[TileSource | None], empty: str = "empty"
    ) -> None:
        super().__init__()
        self.side = side
        self.sources = list(sources)
        self.empty = empty
        """What empty slots say: "empty", or why the screen shows nothing there."""
        self._focus_after = 0

    def compose(self) -> ComposeResult:
        self.styles.grid_size_columns = self.side
        self.styles.grid_size_rows = self.side
        for index in range(self.side * self.side):
            source = self.sources[index] if index < len(self.sources) else None
            yield Slot(index, source, self.empty)

    def on_mount(self) -> None:
        self.focus_slot(self._focus_after)

    async def show(self, side: int, sources: Sequence[TileSource | None], focus: int) -> None:
        """Rebuild the grid for a new layout or new contents, focusing slot `focus`."""
        self.side = side
        self.sources = list(sources)
        self._focus_after = focus
        await self.recompose()
        self.focus_slot(focus)

    @property
    def slots(self) -> list[Slot]:
        return list(self.query_children(Slot))

    @property
    def focused_index(self) -> int:
        """The slot holding the focus, or the one that last did."""
        focused = self.screen.focused
        for slot in self.slots:
            if focused is not None and (focused is slot or slot in focused.ancestors):
                return slot.index
        return self._focus_after

    def focus_slot(self, index: int) -> None:
        slots = self.slots
        if not slots:
            return
        index = min(max(index, 0), len(slots) - 1)
        self._focus_after = index
        slots[index].body.focus()

    def action_move(self, dx: int, dy: int) -> None:
        index = self.focused_index
        column = min(max(index % self.side + dx, 0), self.side - 1)
        row = min(max(index // self.side + dy, 0), self.side - 1)
        self.focus_slot(row * self.side + column)

    def action_choose(self) -> None:
        self.post_message(self.Chosen(self, self.focused_index))

    def on_click(self, event: events.Click) -> None:
        widget = event.widget
        while widget is not None and not isinstance(widget, Slot):
            widget = widget.parent if isinstance(widget.parent, Widget) else None
        if isinstance(widget, Slot):
            self.focus_slot(widget.index)
            self.post_message(self.Chosen(self, widget.index))

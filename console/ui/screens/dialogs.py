"""Two small typed modals the views screens share: pick one of a list, or type a value.

Both dismiss with the chosen value, or None when the operator presses Escape, so a
caller's callback reads `T | None` (Textual's typed `ModalScreen`).

Like every modal, they hide the wall rather than dim it (see `veil.tcss`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from console.ui.plain import PlainInput, plain

T = TypeVar("T")

_DIALOG_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 64;
    height: auto;
    max-height: 80%;
    padding: 1 2;
    border: round $primary;
    background: $surface;
}}
{name} .dialog-title {{ text-style: bold; margin-bottom: 1; }}
{name} .dialog-error {{ color: $text-error; height: auto; }}
{name} OptionList {{ height: auto; max-height: 20; }}
"""


class ChoiceScreen(ModalScreen[T | None], Generic[T]):
    """A titled list; Enter or a click picks an entry."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="ChoiceScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    """Escape closes the list without choosing."""

    def __init__(self, title: str, choices: Sequence[tuple[str, T]], highlight: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        """(label, value) in display order."""
        self.highlight = highlight

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(plain(self.title_text), classes="dialog-title")
            options = [Option(plain(label), id=str(n)) for n, (label, _) in enumerate(self.choices)]
            yield OptionList(*options)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = min(self.highlight, max(0, len(self.choices) - 1))
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)


class AskScreen(ModalScreen[T | None], Generic[T]):
    """One input; Enter parses it, and a value that does not parse says why and stays."""

    DEFAULT_CSS = _DIALOG_CSS.format(name="AskScreen")
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    """Escape closes without a value."""

    def __init__(
        self, title: str, parse: Callable[[str], T], value: str = "", placeholder: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.parse = parse
        """Turns the text into the result; raises ValueError with a message for the operator."""
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(plain(self.title_text), classes="dialog-title")
            yield PlainInput(self.value, placeholder=self.placeholder, select_on_focus=True)
            yield Label("", classes="dialog-error")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        try:
            result = self.parse(event.value)
        except ValueError as error:
            self.query_one(".dialog-error", Label).update(plain(str(error)))
            return
        self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)

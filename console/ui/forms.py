"""What the login screen and the authorization modal share: fields that keep up with typing.

Textual hands each key to the focused widget's queue as it arrives and moves focus on
Tab or Enter only once that key has bubbled back up from the widget. When keys come in
a burst (a fast typist, a paste, an SSH link that batches keystrokes), everything
typed after a Tab therefore lands in the field before it: a supervisor's password
would appear, in clear, in the user-name field. In a `Form`, Tab, Shift+Tab and Enter
on any field but the last are priority bindings, acted on in arrival order before
later keys are handed out; Enter on the last field goes through the field as usual,
after the characters typed before it.

Enter on the last field submits once every field is filled, and otherwise moves to the
first empty one, so a half-filled form is never sent to scrypt.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.widgets import Input


class Form(Vertical):
    """A column of inputs (and buttons) in which focus moves in step with the keys."""

    BINDINGS = [
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
        Binding("enter", "next_field", show=False, priority=True),
    ]
    """Focus moves the moment these keys arrive (see the module docstring)."""

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "next_field":
            fields = list(self.query(Input))
            return self.screen.focused in fields[:-1]
        return True

    def action_next_field(self) -> None:
        self.screen.focus_next(Input)


def first_empty(form: DOMNode) -> Input | None:
    """The first input in `form` (in screen order) that is still empty, or None."""
    for field in form.query(Input):
        if not field.value.strip():
            return field
    return None


def set_busy(form: DOMNode, busy: bool) -> None:
    """Disable the inputs and the submit button (class ``submit``) of `form`.

    For while a check runs in a worker, or while attempts are locked; a Cancel button
    stays usable.
    """
    for widget in form.query("Input, Button.submit"):
        widget.disabled = busy

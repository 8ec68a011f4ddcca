"""What the login screen and the authorization modal share: Enter fills, then submits.

Both ask for a name and a password (and maybe a reason). Enter in any field moves to
the first field still empty and submits only once every field is filled, so an
operator can type name, Enter, password, Enter or use Tab, and a half-filled form is
never sent to scrypt.
"""

from __future__ import annotations

from textual.dom import DOMNode
from textual.widgets import Input


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

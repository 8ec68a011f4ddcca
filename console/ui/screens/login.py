"""The login screen: the console's first and last screen, with no video behind it.

Nothing of a camera is shown until someone has logged in. The password is checked in a
thread worker, because scrypt deliberately takes a large fraction of a second and the
screen (and the panic key) must stay responsive meanwhile. The screen dismisses with
the logged-in `User`; the app then shows the wall, always masked.

The password leaves its field as a `Secret` and the worker has a fixed description, so
neither a crash screen's locals nor the worker list can show what was typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from console.core.access.demo import DemoUser
from console.core.access.passwords import Secret
from console.core.access.session import LoginOutcome, LoginResult, Sessions
from console.core.access.users import User
from console.ui.forms import Form, first_empty, set_busy
from console.ui.plain import PlainInput, plain, plain_lines
from console.ui.widgets.footer import VeilFooter
from console.ui.widgets.header import VeilHeader


class LoginScreen(Screen[User]):
    """User name (focused first), password, Enter to log in."""

    DEFAULT_CSS = """
    LoginScreen { align: center middle; }
    LoginScreen #login {
        width: 56;
        height: auto;
        padding: 1 2;
        border: round $primary;
        background: $surface;
    }
    LoginScreen #login-title { text-style: bold; margin-bottom: 1; }
    LoginScreen Input { margin-bottom: 1; }
    LoginScreen #login-message { color: $text-muted; height: auto; }
    LoginScreen #login-message.-error { color: $text-error; }
    LoginScreen #login-submit { width: 100%; margin-top: 1; }
    LoginScreen #demo-users {
        margin-top: 1;
        padding: 0 1;
        border: dashed $secondary;
        color: $text-muted;
    }
    """

    AUTO_FOCUS = "#login-name"

    @dataclass
    class Checked(Message):
        """The worker's answer to one login attempt."""

        result: LoginResult

    def __init__(
        self, sessions: Sessions, demo_users: Sequence[DemoUser] = (), message: str = ""
    ) -> None:
        super().__init__()
        self.sessions = sessions
        self.demo_users = tuple(demo_users)
        """Listed on the screen; only `veil --demo` passes any."""
        self.message = message
        """Shown above the form at first, e.g. why the last session ended."""

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        with Form(id="login"):
            yield Label("Log in to view cameras", id="login-title")
            yield PlainInput(placeholder="User name", id="login-name")
            yield PlainInput(placeholder="Password", password=True, id="login-password")
            yield Label(plain(self.message), id="login-message")
            yield Button("Log in", variant="primary", id="login-submit", classes="submit")
            if self.demo_users:
                lines = [
                    f"{user.name} / {user.password}  ({user.role})" for user in self.demo_users
                ]
                yield Static(plain_lines(["Demo users (demo only):", *lines]), id="demo-users")
        yield VeilFooter()

    @on(Input.Submitted)
    @on(Button.Pressed, "#login-submit")
    def _submit(self) -> None:
        empty = first_empty(self)
        if empty is not None:
            empty.focus()
            return
        name = self.query_one("#login-name", Input).value
        password_field = self.query_one("#login-password", Input)
        password = Secret(password_field.value)
        password_field.clear()
        self._say("Checking…")
        set_busy(self, True)
        self._check(name, password)

    @work(thread=True, exclusive=True, group="login", description="checking a login")
    def _check(self, name: str, password: Secret) -> None:
        self.post_message(self.Checked(self.sessions.login(name, password)))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        result = message.result
        if result.outcome is LoginOutcome.OK and result.user is not None:
            self.dismiss(result.user)
            return
        set_busy(self, False)
        self._say(result.message, error=True)
        self.query_one("#login-password", Input).focus()

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#login-message", Label)
        message.update(plain(text))
        message.set_class(error, "-error")

"""The "Authorization required" modal: a second person's password before masks lift.

It also asks for the reason or case id when the site requires one, which makes it the
one place any lift request is completed, with or without a supervisor. The password
field is masked, cleared after every try and never logged; it travels as a `Secret`
under a worker with a fixed description, so no crash screen or worker list shows it.
The check runs in a thread worker (scrypt is slow on purpose) so the console, and the
panic key, stay responsive. Refusals leave the modal open with the core's one-sentence
reason, so the operator can retry or cancel; a lockout of the operator's account shows
the time left, read from the failure records in the users database, and unlocks the form
when it runs out.

The result is the `ActiveLift` now in force, or None when the operator cancelled.

Like every modal, it hides the wall rather than dim it (see `veil.tcss`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from console.core.access.authorization import AuthorizationResult, LiftService
from console.core.access.lift import ActiveLift
from console.core.access.passwords import Secret
from console.core.access.users import User
from console.ui.forms import Form, first_empty, set_busy
from console.ui.plain import PlainInput, plain
from console.ui.widgets.countdown import mm_ss

LOCK_SAMPLE_INTERVAL = 0.5
"""Seconds between readings of the lockout's time left while it is shown."""


class AuthorizationScreen(ModalScreen[ActiveLift | None]):
    """Supervisor name and password (and a reason if the site wants one), or Cancel."""

    DEFAULT_CSS = """
    AuthorizationScreen { align: center middle; }
    AuthorizationScreen #authorization {
        width: 60;
        height: auto;
        padding: 1 2;
        border: thick $warning;
        background: $surface;
    }
    AuthorizationScreen #authorization-title { text-style: bold; color: $text-warning; }
    AuthorizationScreen #authorization-help { margin: 1 0; color: $text-muted; }
    AuthorizationScreen Input { margin-bottom: 1; }
    AuthorizationScreen #authorization-message { width: 100%; color: $text-muted; height: auto; }
    AuthorizationScreen #authorization-message.-error { color: $text-error; }
    AuthorizationScreen #authorization-buttons { height: auto; margin-top: 1; }
    AuthorizationScreen #authorization-buttons Button { width: 1fr; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    """Escape leaves without lifting, unless a check is running."""

    @dataclass
    class Answered(Message):
        """The worker's answer to one request."""

        result: AuthorizationResult

    def __init__(self, lifts: LiftService, operator: User) -> None:
        super().__init__()
        self.lifts = lifts
        self.operator = operator
        self.needs_supervisor = not lifts.may_lift(operator)
        """False when the operator's own role may lift and only a reason is asked."""
        self.needs_reason = lifts.site.require_lift_reason
        self._checking = False
        self._locked = False

    def compose(self) -> ComposeResult:
        with Form(id="authorization"):
            if self.needs_supervisor:
                yield Label("Authorization required", id="authorization-title")
                yield Static(
                    "Your role may not lift privacy masks. A supervisor can authorize "
                    "the lift with their user name and password.",
                    id="authorization-help",
                )
            else:
                yield Label("Lift privacy masks", id="authorization-title")
                yield Static("This site records a reason for every lift.", id="authorization-help")
            if self.needs_reason:
                yield PlainInput(placeholder="Reason or case id", id="authorization-reason")
            if self.needs_supervisor:
                yield PlainInput(placeholder="Supervisor user name", id="authorization-supervisor")
                yield PlainInput(
                    placeholder="Supervisor password", password=True, id="authorization-password"
                )
            yield Label("", id="authorization-message")
            with Horizontal(id="authorization-buttons"):
                yield Button(
                    "Authorize" if self.needs_supervisor else "Lift",
                    variant="warning",
                    id="authorization-submit",
                    classes="submit",
                )
                yield Button("Cancel", id="authorization-cancel")

    def on_mount(self) -> None:
        self._lock_timer = self.set_interval(LOCK_SAMPLE_INTERVAL, self.refresh_lock, pause=True)
        self.refresh_lock()
        if not self._locked:
            self.query(Input).first().focus()

    def refresh_lock(self) -> None:
        """Show the lockout's time left, or unlock the form once it has run out."""
        left = self.lifts.locked_for(self.operator.name)
        if left > 0:
            self._locked = True
            set_busy(self, True)
            self._say(
                f"Too many failed attempts: authorization is locked. Try again in {mm_ss(left)}.",
                error=True,
            )
            self._lock_timer.resume()
        elif self._locked:
            self._locked = False
            self._lock_timer.pause()
            set_busy(self, False)
            self._say("You may try again.")
            self._focus_next()

    @on(Input.Submitted)
    @on(Button.Pressed, "#authorization-submit")
    def _submit(self) -> None:
        if self._checking or self._locked:
            return
        empty = first_empty(self)
        if empty is not None:
            empty.focus()
            return
        reason = self._value("#authorization-reason")
        supervisor = self._value("#authorization-supervisor")
        password = Secret(self._value("#authorization-password"))
        if self.needs_supervisor:
            self.query_one("#authorization-password", Input).clear()
        self._checking = True
        set_busy(self, True)
        self._say("Checking…")
        self._check(reason, supervisor, password, self.lifts.controller.epoch)

    @work(
        thread=True,
        exclusive=True,
        group="authorization",
        description="checking a lift request",
    )
    def _check(self, reason: str, supervisor: str, password: Secret, epoch: int) -> None:
        """`epoch` is the session epoch when the operator pressed Authorize: a request
        begins there, and the panic key or a logout since voids it."""
        if self.needs_supervisor:
            result = self.lifts.authorize(self.operator, supervisor, password, reason, epoch)
        else:
            result = self.lifts.lift_self(self.operator, reason, epoch)
        self.post_message(self.Answered(result))

    @on(Answered)
    def _answered(self, message: Answered) -> None:
        self._checking = False
        result = message.result
        if result.lift is not None:
            self.dismiss(result.lift)
            return
        set_busy(self, False)
        self._say(result.message, error=True)
        self.refresh_lock()
        if not self._locked:
            self._focus_next()

    @on(Button.Pressed, "#authorization-cancel")
    def action_cancel(self) -> None:
        if not self._checking:
            self.dismiss(None)

    def _value(self, selector: str) -> str:
        found = self.query(selector)
        return found.only_one(Input).value if found else ""

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#authorization-message", Label)
        message.update(plain(text))
        message.set_class(error, "-error")

    def _focus_next(self) -> None:
        empty = first_empty(self)
        (empty or self.query_one("#authorization-submit", Button)).focus()

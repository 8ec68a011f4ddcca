"""The Veil console application: login, the wall, and lifting and applying privacy masks.

The app owns the session (who is logged in) and mirrors the core's lift state into
reactives the header, footer and palette follow. It never decides whether a frame is
masked: every camera's masker asks the `LiftController` (`services.gate`) on every
frame, so a lift ends on time even if this app's timers never fire again.

Keys, chosen to reach the console from any terminal and over SSH (no Alt or Super,
nothing a terminal or tmux usually takes for itself):

- ``ctrl+l`` lifts (only while masks are applied and someone is logged in);
- ``f12``, or ``ctrl+backslash`` where F12 is taken (some desktops and laptops keep
  function keys), applies masks: the panic key. It is an app-level priority binding,
  so it works from every screen, the palette and every modal, even while a password
  is being checked;
- ``ctrl+o`` logs out (masks back, session closed, back to the login screen);
- ``ctrl+q`` quits (the session is closed first).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen

from console.core.access.authorization import AuthorizationResult
from console.core.access.demo import DEMO_USERS
from console.core.access.lift import ActiveLift, LiftEnd
from console.core.access.users import User
from console.core.audit.trail import AuditUnavailable
from console.core.services import Services
from console.text import visible
from console.ui import strip_cycles, terminal_input
from console.ui.commands import PrivacyCommands
from console.ui.diagnostics import DiagnosticsCommands
from console.ui.screens.audit import AuditScreen
from console.ui.screens.authorization import AuthorizationScreen
from console.ui.screens.login import LoginScreen
from console.ui.screens.wall import WallScreen
from console.ui.session_guard import SessionGuard
from console.ui.widgets.countdown import URGENT_SECONDS, mm_ss
from console.ui.widgets.tile_pump import TilePump

LIFT_SAMPLE_INTERVAL = 0.25
"""Seconds between readings of the lift; the countdown shows whole seconds."""
KEY_HUSH = 0.2
"""Seconds after a key during which tiles start no new frame (lifts and applies still
do): the key's effect then has the UI thread and the interpreter to itself, and a
held-still wall for a fifth of a second is not something an operator notices."""


class VeilApp(App[None]):
    """An operator console: camera wall with privacy masks applied unless lifted."""

    CSS_PATH = "veil.tcss"
    TITLE = "Veil"
    COMMANDS = App.COMMANDS | {PrivacyCommands, DiagnosticsCommands}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        Binding("ctrl+l", "lift_masks", "Lift masks", id="lift-masks"),
        Binding(
            "f12,ctrl+backslash",
            "apply_masks",
            "Apply masks",
            key_display="F12",
            priority=True,
            id="apply-masks",
        ),
        Binding("ctrl+o", "logout", "Log out", id="logout"),
    ]
    """Application-wide bindings; see the module docstring for why these keys."""

    user: reactive[User | None] = reactive(None, bindings=True)
    """Who is logged in; None on the login screen."""
    masks_lifted: reactive[bool] = reactive(False, bindings=True)
    """Whether a lift was in force at the last sample."""
    lift_remaining: reactive[float] = reactive(0.0)
    """Seconds left on the lift at the last sample; every countdown follows it."""

    def __init__(self, services: Services, *, guard: SessionGuard | None = None) -> None:
        strip_cycles.install()
        terminal_input.install()
        super().__init__()
        self.services = services
        """Sources, masks, users, lift and audit: everything the screens act on."""
        self.guard = guard
        """Ends the session on a fatal signal or a lost terminal; the CLI passes one."""
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self.sub_title = services.site.name
        self._warned_lift: int | None = None
        self._applies = 0
        """How often masks were applied; a lift asked for before the latest apply is void."""
        self._lift_pending = False
        """A lift is being asked for (authorization open or a lift being recorded)."""

    async def on_event(self, event: events.Event) -> None:
        pump = TilePump.existing(self) if isinstance(event, events.Key) else None
        if pump is not None:
            pump.hush(KEY_HUSH)
        await super().on_event(event)

    def on_mount(self) -> None:
        self._event_loop = asyncio.get_running_loop()
        if self.guard is not None:
            self.guard.start(self._end_from_outside, self._exit_from_outside)
        self.services.start()
        self.set_interval(LIFT_SAMPLE_INTERVAL, self.sample_lift)
        self._show_login()

    def on_unmount(self) -> None:
        self.services.stop()

    async def action_quit(self) -> None:
        """Close the session (masks back, audited) before leaving."""
        self._close_session("quit")
        await super().action_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The one place deciding what is offered: footer, keys and palette all ask here."""
        if action == "lift_masks":
            return self.user is not None and not self.services.gate.lifted()
        if action == "apply_masks":  # also while a lift is being asked for: it voids it
            return self.services.gate.lifted() or self._lift_pending
        if action == "logout":
            return self.user is not None
        if action == "audit_trail":
            return self._may("audit")
        return True

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification is plain text, whatever the caller asks for: messages carry
        user, camera and view names, and error texts quoting them (see `console.ui.plain`).
        Screens' `notify` comes here too."""
        super().notify(
            visible(message), title=visible(title), severity=severity, timeout=timeout, markup=False
        )

    def format_title(self, title: str, sub_title: str) -> Content:
        """The header's text (site name, user and role), control characters visible;
        Textual's own formatting already takes both as plain text."""
        return super().format_title(visible(title), visible(sub_title))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette commands, except "Screenshot": it would write pictures of
        the wall (unmasked ones during a lift) to a file, past the `export` permission,
        the export's burned-in masks and the audit. Exports are the way out."""
        for command in super().get_system_commands(screen):
            if command.title != "Screenshot":
                yield command

    def watch_user(self, user: User | None) -> None:
        site = self.services.site.name
        self.sub_title = f"{site} · {user.name} ({user.role})" if user else site

    def sample_lift(self) -> None:
        """Mirror the controller's lift into the reactives, and tell the operator about it."""
        gate = self.services.gate
        active = gate.current()
        remaining = max(0.0, active.deadline - gate.clock()) if active else 0.0
        ended = self.masks_lifted and active is None
        self.masks_lifted = active is not None
        self.lift_remaining = remaining
        if active and remaining <= URGENT_SECONDS and self._warned_lift != active.started_seq:
            self._warned_lift = active.started_seq
            self.notify(
                f"Privacy masks return in {mm_ss(remaining)}.",
                title="Lift ending",
                severity="warning",
            )
        if ended and gate.last_end is LiftEnd.EXPIRED:
            self.notify("The lift expired: privacy masks are back on.", title="Masks applied")
        if gate.unrecorded is not None:
            self.notify(f"The expiry is not in the audit: {gate.unrecorded}", severity="error")
            gate.unrecorded = None

    def action_lift_masks(self) -> None:
        """Lift at once when the operator may and no reason is asked; else ask first."""
        user = self.user
        if user is None:
            return
        lifts = self.services.lifts
        self._lift_pending = True
        if lifts.may_lift(user) and not lifts.site.require_lift_reason:
            self._lift_self(user, self._applies)
        else:
            asked_at = self._applies
            self.push_screen(
                AuthorizationScreen(lifts, user), lambda lift: self._lifted(lift, asked_at)
            )

    @dataclass
    class SelfLiftAnswered(Message):
        """The answer to an operator's own lift, from the worker that recorded it."""

        result: AuthorizationResult
        asked_at: int
        """`VeilApp._applies` when the lift was asked for."""

    @work(thread=True, exclusive=True, group="lift")
    def _lift_self(self, user: User, asked_at: int) -> None:
        """In a worker: the "lift started" record may wait on another console's write."""
        result = self.services.lifts.lift_self(user, "")
        self.post_message(self.SelfLiftAnswered(result, asked_at))

    @on(SelfLiftAnswered)
    def _self_lift_answered(self, message: SelfLiftAnswered) -> None:
        result = message.result
        if result.lift is None:
            self.notify(result.message, title="Masks stay on", severity="error")
        self._lifted(result.lift, message.asked_at)

    def _lifted(self, lift: ActiveLift | None, asked_at: int) -> None:
        """A lift arrived; if masks were applied (the panic key) while it was being
        checked, that later decision wins and the lift ends at once."""
        self._lift_pending = False
        self.refresh_bindings()  # Apply was offered while the lift was pending
        if lift is not None and asked_at != self._applies:
            self.action_apply_masks()
            return
        self.sample_lift()
        if lift is None:
            return
        by = "" if lift.authorizer == lift.operator else f", authorized by {lift.authorizer}"
        self.notify(
            f"Liftable masks are off for {mm_ss(self.lift_remaining)}{by}.",
            title="Privacy masks lifted",
            severity="warning",
        )

    def action_apply_masks(self) -> None:
        """Masks back at once (the controller clears the lift before it writes the record)."""
        self._applies += 1
        gate = self.services.gate
        operator = self.user.name if self.user else ""
        try:
            applied = gate.apply(operator)
        except AuditUnavailable as error:
            self.notify(f"Masks applied, but not recorded: {error}", severity="error")
        else:
            if applied:
                self.notify("Privacy masks applied.", title="Masks applied")
        self.sample_lift()

    def action_logout(self) -> None:
        self._close_session("logout")
        self.sample_lift()
        self._show_login("Logged out; privacy masks are applied.")

    def action_audit_trail(self) -> None:
        self.push_screen(AuditScreen(self.services.audit))

    def _show_login(self, message: str = "") -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        demo_users = DEMO_USERS if self.services.demo else ()
        self.push_screen(LoginScreen(self.services.sessions, demo_users, message), self._logged_in)

    def _logged_in(self, user: User | None) -> None:
        if user is None:
            return
        self.user = user
        self.push_screen(WallScreen(self.services))

    def _close_session(self, cause: str) -> None:
        """Masks back and the session closed in the audit; a no-op when nobody is logged in."""
        user = self.user
        if user is None:
            return
        self.user = None
        try:
            self.services.sessions.logout(user, cause)
        except AuditUnavailable as error:
            self.notify(f"Masks applied, but the logout is not recorded: {error}", severity="error")

    def _end_from_outside(self, cause: str) -> None:
        """In the guard's thread (the event loop may be wedged on a dead terminal):
        masks back and the session closed in the audit with `cause`."""
        user = self.user
        if user is not None:
            self.services.sessions.logout(user, cause)
        else:
            self.services.gate.end_session(cause)

    def _exit_from_outside(self, code: int) -> None:
        """From the guard's thread: leave in order, if the event loop still runs."""
        if self._event_loop is not None:
            with suppress(RuntimeError):  # the loop is already closed: the app has left
                self._event_loop.call_soon_threadsafe(lambda: self.exit(return_code=code))

    def _may(self, permission: str) -> bool:
        user = self.user
        if user is None:
            return False
        role = self.services.site.roles.get(user.role)
        return role is not None and permission in role.permissions

"""The Veil console application: login, the wall, and lifting and applying privacy masks.

The app owns the session (who is logged in) and mirrors the core's lift state into
reactives the header, footer and palette follow. It never decides whether a frame is
masked: every camera's masker asks the `LiftController` (`services.gate`) on every
frame, so a lift ends on time even if this app's timers never fire again. A lift a
supervisor ends from elsewhere is ended in the core too (`services.lift_watch`, a
thread following the audit); the app's sampling then says who ended it.

The UI thread never waits on the audit or the users store. Apply, logout and expiry put
masks back at once and queue their records (`AuditLog.post`); lifts, logins and account
checks run in thread workers. Once a second the app re-reads the logged-in account in a
worker: a user disabled, removed or given another role is logged out (masks back,
audited with the cause) within two seconds, and so is a console idle for the site's
``[auth] idle_logout``. Acts that take effect (a lift, an authorization, an export, the
audit viewer) re-read the account themselves before they do; screens that only open
(playback, the export form) rely on the once-a-second check.

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
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandListItem, SimpleProvider
from textual.content import Content
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.theme import ThemeProvider
from textual.widget import AwaitMount

from console.core.access.authorization import AuthorizationResult, Outcome
from console.core.access.demo import DEMO_USERS
from console.core.access.lift import ActiveLift, LiftEnd
from console.core.access.users import AccountChanged, User, UsersUnavailable
from console.core.audit.trail import AuditUnavailable, Event
from console.core.search.run import prepare_workers
from console.core.services import Services, SiteApplied
from console.core.site.durations import format_duration
from console.core.site.edit import open_site
from console.core.site.problems import SiteError
from console.core.video.feed import CameraFeed
from console.text import visible
from console.ui import strip_cycles, terminal_input
from console.ui.commands import PrivacyCommands
from console.ui.diagnostics import DiagnosticsCommands
from console.ui.screens.audit import AuditScreen
from console.ui.screens.authorization import AuthorizationScreen
from console.ui.screens.lifts import ActiveLiftsScreen
from console.ui.screens.login import LoginScreen
from console.ui.screens.mask_editor import MaskEditorScreen
from console.ui.screens.palette import PLACEHOLDER, Palette
from console.ui.screens.wall import WallScreen
from console.ui.session_guard import SessionGuard
from console.ui.widgets.camera_tile import CameraTile
from console.ui.widgets.countdown import URGENT_SECONDS, mm_ss
from console.ui.widgets.tile_pump import TilePump

LIFT_SAMPLE_INTERVAL = 0.25
"""Seconds between readings of the lift; the countdown shows whole seconds."""
SESSION_CHECK_INTERVAL = 1.0
"""Seconds between checks of the session: idle time, and the account re-read from the
store (so a changed account is noticed within two seconds, read time included)."""
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
    masks_lifted: reactive[bool] = reactive(False, bindings=True, repaint=False)
    """Whether a lift was in force at the last sample. It repaints nothing itself, for the
    reason `lift_remaining` does not: the footer follows it through the bindings."""
    lift_remaining: reactive[float] = reactive(0.0, repaint=False)
    """Seconds left on the lift at the last sample; every countdown follows it.

    No repaint of its own: an app reactive that repaints dirties the whole screen, and on
    a sixel wall every image was then written again (seen black in xterm while it
    decoded) once a second for as long as the lift lasted (issue 15). The countdowns
    repaint their own cells."""

    def __init__(
        self,
        services: Services,
        *,
        guard: SessionGuard | None = None,
        edit_camera: str | None = None,
    ) -> None:
        strip_cycles.install()
        terminal_input.install()
        prepare_workers()  # smart search's process pool, before Textual captures stderr
        super().__init__()
        self.services = services
        """Sources, masks, users, lift and audit: everything the screens act on."""
        self.guard = guard
        """Ends the session on a fatal signal or a lost terminal; the CLI passes one."""
        self.edit_camera = edit_camera
        """`veil masks edit`: the camera whose mask editor opens after an admin's login."""
        self._event_loop: asyncio.AbstractEventLoop | None = None
        self.sub_title = services.site.name
        self._warned_lift: int | None = None
        self._lift_pending = False
        """A lift is being asked for (authorization open or a lift being recorded)."""
        self._session = 0
        """Counts logins and logouts: an account check's answer about an earlier
        session must not end the current one."""
        self._last_input = services.clock()
        """When the terminal last sent a key or mouse event (`services.clock`)."""
        self._checking_account = False
        self._told_backlog = False
        """The operator was told that audit records are waiting to be written."""
        self._told_watch = False
        """The operator was told that the lift watch cannot read the audit."""
        self.pump = TilePump.install(self, services.gate.lifted)
        """Renders every tile, following the very gate the maskers ask."""
        self.palette = Palette()
        """The command palette, built once and reused on every opening."""

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = self.services.clock()
            if isinstance(event, events.Key):
                self.pump.hush(KEY_HUSH)
        await super().on_event(event)

    def on_mount(self) -> None:
        self._event_loop = asyncio.get_running_loop()
        self.install_screen(self.palette, "palette")
        if self.guard is not None:
            self.guard.start(self._end_from_outside, self._exit_from_outside)
        self.services.start()
        self.services.watch_site(self._site_report)
        self.set_interval(LIFT_SAMPLE_INTERVAL, self.sample_lift)
        self.set_interval(SESSION_CHECK_INTERVAL, self.check_session)
        self._show_login()

    def _site_report(self, result: SiteApplied | SiteError) -> None:
        """From the watcher's thread: the masks already changed; tell the operator."""
        with suppress(RuntimeError):  # the app is closing
            self.call_from_thread(self._site_changed, result)

    def _site_changed(self, result: SiteApplied | SiteError) -> None:
        """Problems go to administrators only, as plain text: the file is not trusted."""
        if isinstance(result, SiteError):
            if self._is_admin():
                self.notify(
                    f"The site file was not applied; the last valid masks stay in force.\n{result}",
                    title="Site file problem",
                    severity="error",
                    timeout=30,
                    markup=False,
                )
            return
        if result.masks_changed:
            self.notify(
                "New privacy masks in force: " + ", ".join(result.masks_changed),
                title="Site file changed",
                markup=False,
            )
        if result.restart_needed:
            self.notify(
                "Cameras, roles, carousels or settings changed: restart the console to apply them.",
                title="Restart needed",
                severity="warning",
                markup=False,
            )

    def _is_admin(self) -> bool:
        user = self.user
        role = self.services.site.roles.get(user.role) if user is not None else None
        return role is not None and "admin" in role.permissions

    def on_unmount(self) -> None:
        self.services.stop()

    async def action_quit(self) -> None:
        """Close the session (masks back, audited) before leaving."""
        self._close_session("quit")
        await super().action_quit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The one place deciding what is offered: footer, keys and palette all ask here."""
        if action == "lift_masks":
            idle = not self._lift_pending and not self.services.gate.lifted()
            return self.user is not None and idle
        if action == "apply_masks":  # also while a lift is being asked for: it voids it
            return self.services.gate.lifted() or self._lift_pending
        if action == "logout":
            return self.user is not None
        if action in ("audit_trail", "active_lifts"):
            return self._may("audit")
        if action == "edit_masks":
            return self._may("admin")
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

    def action_command_palette(self) -> None:
        """Ctrl+P, and the header's icon: the console's palette, a screen built once
        (see `console.ui.screens.palette` for why not Textual's)."""
        if self.use_command_palette:
            self.palette.open()

    def search_themes(self) -> None:
        """The "Theme" command's list of themes, in the same palette."""
        self.palette.open([ThemeProvider], "Search for themes…")

    def search_commands(
        self, commands: Sequence[CommandListItem], placeholder: str = PLACEHOLDER
    ) -> AwaitMount:
        """Textual's ad-hoc command lists, in the same palette."""
        return self.palette.open([SimpleProvider(self.screen, list(commands))], placeholder)

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
        elif ended and gate.last_end is LiftEnd.REMOTE:
            self.pump.wake()
            self.notify(
                f"Lift ended by {gate.ended_by}: privacy masks are back on.",
                title="Masks applied",
                severity="warning",
                timeout=30,
            )
        self._tell_watch(active is not None)
        self._tell_backlog()

    def _tell_watch(self, lifted: bool) -> None:
        """Say once while lifted that the audit cannot be read: a supervisor's end of
        this lift would not arrive until it can (the lift still ends at its deadline)."""
        watch = self.services.lift_watch
        problem = watch.problem if watch is not None and lifted else None
        if problem is not None and not self._told_watch:
            self._told_watch = True
            self.notify(
                f"The audit cannot be read, so a supervisor's end of this lift would not "
                f"reach this console yet; the lift still ends on time: {problem}",
                title="Audit unreadable",
                severity="error",
            )
        elif problem is None:
            self._told_watch = False

    def _tell_backlog(self) -> None:
        """Say once when records wait for the audit, and once when they are written."""
        backlog = self.services.audit.backlog()
        if backlog.error is not None and not self._told_backlog:
            self._told_backlog = True
            self.notify(
                f"Masks are applied, but {backlog.count} audit record(s) are not written yet "
                f"(retrying): {backlog.error}",
                title="Audit waiting",
                severity="error",
            )
        elif backlog.count == 0 and self._told_backlog:
            self._told_backlog = False
            self.notify("The audit records that were waiting are written.", title="Audit")

    def check_session(self) -> None:
        """Once a second: log an idle console out, and have the account read again."""
        user = self.user
        if user is None:
            return
        idle = self.services.site.auth_idle_logout
        if idle and self.services.clock() - self._last_input >= idle:
            self._log_out(
                "idle",
                f"Logged out after {format_duration(idle)} without input; "
                "privacy masks are applied.",
            )
            return
        if not self._checking_account:
            self._checking_account = True
            self._check_account(user, self._session)

    @dataclass
    class AccountLost(Message):
        """The logged-in account was changed by an administrator; from a worker."""

        change: AccountChanged
        session: int
        """`VeilApp._session` of the session whose account it was."""

    @work(thread=True, group="account")
    def _check_account(self, user: User, session: int) -> None:
        """In a worker: the users store is a file another process may be writing."""
        try:
            self.services.users.recheck(user)
        except AccountChanged as change:
            self.post_message(self.AccountLost(change, session))
        except UsersUnavailable:
            pass  # cannot tell; every privileged act reads again and refuses meanwhile
        finally:
            self._checking_account = False

    @on(AccountLost)
    def _account_lost(self, message: AccountLost) -> None:
        if message.session == self._session and self.user is not None:
            change = message.change
            self._log_out(change.cause, f"Logged out: {change}; privacy masks are applied.")

    def action_lift_masks(self) -> None:
        """Lift at once when the operator may and no reason is asked; else ask first."""
        user = self.user
        if user is None:
            return
        lifts = self.services.lifts
        self._lift_pending = True
        if lifts.may_lift(user) and not lifts.site.require_lift_reason:
            self._lift_self(user, self.services.gate.epoch)
        else:
            self.push_screen(AuthorizationScreen(lifts, user), self._lifted)

    @dataclass
    class SelfLiftAnswered(Message):
        """The answer to an operator's own lift, from the worker that recorded it."""

        result: AuthorizationResult

    @work(thread=True, exclusive=True, group="lift")
    def _lift_self(self, user: User, epoch: int) -> None:
        """In a worker: the "lift started" record may wait on another console's write.
        `epoch` is the session epoch of the key press: a logout or an apply since voids
        the lift (see `console.core.access.lift`)."""
        result = self.services.lifts.lift_self(user, "", epoch)
        self.post_message(self.SelfLiftAnswered(result))

    @on(SelfLiftAnswered)
    def _self_lift_answered(self, message: SelfLiftAnswered) -> None:
        result = message.result
        if result.lift is None and result.outcome is not Outcome.VOIDED:
            self.notify(result.message, title="Masks stay on", severity="error")
        self._lifted(result.lift)

    def _lifted(self, lift: ActiveLift | None) -> None:
        """A lift request was answered. A lift voided by an apply or a logout while it
        was being recorded never started (the core saw to it), so there is nothing to
        undo here."""
        self._lift_pending = False
        self.refresh_bindings()  # Apply was offered while the lift was pending
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
        """Masks back at once, any lift still being asked for voided; the record is
        queued, so this never waits on the audit (another console may hold it)."""
        operator = self.user.name if self.user else ""
        applied = self.services.gate.apply(operator)
        self.pump.wake()
        if applied:
            self.notify("Privacy masks applied.", title="Masks applied")
        self.sample_lift()

    def action_logout(self) -> None:
        self._log_out("logout", "Logged out; privacy masks are applied.")

    def action_audit_trail(self) -> None:
        if self.user is not None:
            self._open_audit_screen(self.user, self._session, self._audit_trail_screen)

    def action_active_lifts(self) -> None:
        if self.user is not None:
            self._open_audit_screen(self.user, self._session, self._active_lifts_screen)

    def _audit_trail_screen(self, viewer: User) -> Screen[None]:
        return AuditScreen(self.services.audit)

    def _active_lifts_screen(self, viewer: User) -> Screen[None]:
        return ActiveLiftsScreen(self.services, viewer)

    @work(thread=True, group="account")
    def _open_audit_screen(
        self, user: User, session: int, screen: Callable[[User], Screen[None]]
    ) -> None:
        """Reading the audit is a privileged act: the account is read again first."""
        try:
            self.services.users.recheck(user)
        except AccountChanged as change:
            self.post_message(self.AccountLost(change, session))
            return
        except UsersUnavailable as error:
            self.call_from_thread(self.notify, f"Cannot check users: {error}", severity="error")
            return
        self.call_from_thread(self._show_audit_screen, session, screen)

    def _show_audit_screen(self, session: int, screen: Callable[[User], Screen[None]]) -> None:
        user = self.user
        if session == self._session and user is not None and self._may("audit"):
            self.push_screen(screen(user))

    def action_edit_masks(self) -> None:
        """The editor for the focused tile's camera (else the first), opened only once
        its opening is in the audit: it shows the picture beneath the masks."""
        user = self.user
        if user is None or not self._may("admin"):
            return
        focused = self.focused
        source = focused.source if isinstance(focused, CameraTile) else None
        feed = source if isinstance(source, CameraFeed) else None
        camera_id = feed.camera.id if feed else self.services.site.cameras[0].id
        self.open_mask_editor(camera_id)

    def open_mask_editor(self, camera_id: str) -> None:
        user = self.user
        if user is None:
            return
        try:
            opened = open_site(self.services.site.path)
            camera = opened.site.camera(camera_id)
        except (SiteError, KeyError) as error:
            self.notify(str(error), title="Mask editor", severity="error", markup=False)
            return
        try:
            self.services.audit.append(
                Event.MASK_EDITOR_OPENED,
                operator=user.name,
                details={"camera": camera_id, "site": str(opened.path), "sha256": opened.sha256},
            )
        except AuditUnavailable as error:
            self.notify(f"The editor stays closed: {error}", severity="error", markup=False)
            return
        feed = self.services.feeds.get(camera_id)
        self.push_screen(
            MaskEditorScreen(
                opened, camera, feed, self.services.audit, user.name, self.services.history
            )
        )

    def _show_login(self, message: str = "") -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        demo_users = DEMO_USERS if self.services.demo else ()
        self.push_screen(LoginScreen(self.services.sessions, demo_users, message), self._logged_in)

    def _logged_in(self, user: User | None) -> None:
        if user is None:
            return
        self.user = user
        self._session += 1
        self._last_input = self.services.clock()
        self.push_screen(WallScreen(self.services))
        if self.edit_camera is None:
            return
        if self._may("admin"):
            self.open_mask_editor(self.edit_camera)
        else:
            self.notify(
                "The mask editor needs a role holding admin.", title="Mask editor", severity="error"
            )

    def _log_out(self, cause: str, message: str) -> None:
        """Masks back, the session closed in the audit with `cause`, the login screen."""
        self._close_session(cause)
        self.sample_lift()
        self._show_login(message)

    def _close_session(self, cause: str) -> None:
        """Masks back and the session closed in the audit; a no-op when nobody is logged in."""
        user = self.user
        if user is None:
            return
        self.user = None
        self._session += 1
        self.services.sessions.logout(user, cause)
        self.pump.wake()

    def _end_from_outside(self, cause: str) -> None:
        """In the guard's thread (the event loop may be wedged on a dead terminal):
        masks back and the session closed in the audit with `cause`; the process is
        about to end, so this waits for the records (`AuditUnavailable` when they
        cannot be written)."""
        user = self.user
        if user is not None:
            self.services.sessions.logout(user, cause)
        else:
            self.services.gate.end_session(cause)
        self.services.audit.flush()

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

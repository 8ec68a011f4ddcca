"""The site's active lifts, for roles holding `audit`, with a way to end one.

The same reading of the site's audit as `veil lifts` (`console.core.access.site_lifts`):
every console's lifts, wherever it runs. Reading runs in a thread worker (the audit
grows for years), on opening and on "r"; the time left is recomputed each second from
what was read, without reading again.

Ending one ("e") is offered only to a role that may end lifts (`lift_privacy_masks` or
`admin`). A viewer without it is simply not offered the action: borrowing a
supervisor's password here, as the lift dialog does, would put a second person's
password into a screen for an act that only ever puts masks back, and the supervisor
can end the lift from their own console or `veil lifts end`. The end asks for a
reason, re-reads the viewer's account first (as every privileged act does), and is
recorded before the lifted console follows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from console.core.access.lockout import format_seconds
from console.core.access.site_lifts import LiftNotActive, active_lifts, end_lift, may_end
from console.core.access.users import AccountChanged, User, UsersUnavailable
from console.core.audit.open_lifts import OpenLift
from console.core.audit.trail import AuditUnavailable
from console.core.services import Services
from console.core.timebase.utc import WallClock, system_now
from console.ui.plain import plain, plain_cell
from console.ui.screens.dialogs import AskScreen
from console.ui.widgets.header import VeilHeader

COLUMNS = ("id", "console host", "operator", "authorizer", "time left", "reason", "started (UTC)")


def time_left(remaining: float | None) -> str:
    if remaining is None:
        return "unknown"
    return format_seconds(remaining) if remaining > 0 else "ran out, end not recorded"


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise ValueError("Give a reason: it goes into the audit with your name.")
    return reason


class ActiveLiftsScreen(Screen[None]):
    """Every active lift of the site in a table; Enter or "e" ends the selected one."""

    DEFAULT_CSS = """
    ActiveLiftsScreen #lifts-status { padding: 0 1; height: auto; }
    ActiveLiftsScreen #lifts-status.-broken { background: $error; color: auto 90%; }
    ActiveLiftsScreen DataTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reload", "Reload"),
        Binding("e", "end_lift", "End lift"),
    ]

    @dataclass
    class Loaded(Message):
        """What the worker read: the lifts, or why they could not be read."""

        lifts: list[OpenLift]
        error: str = ""

    def __init__(self, services: Services, user: User, now: WallClock = system_now) -> None:
        super().__init__()
        self.services = services
        self.user = user
        """The viewer, whose role decides whether "End lift" is offered."""
        self.now = now
        """What the time left is counted to (a fixed moment in snapshots)."""
        self.lifts: list[OpenLift] = []

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        yield Label("Reading the audit…", id="lifts-status")
        yield DataTable(id="lifts-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.set_interval(1.0, self._show_rows)
        self.action_reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "end_lift":
            return may_end(self.services.site, self.user) and bool(self.lifts)
        return True

    def action_reload(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="active-lifts")
    def _read(self) -> None:
        try:
            loaded = self.Loaded(active_lifts(self.services.audit))
        except AuditUnavailable as error:
            loaded = self.Loaded([], str(error))
        self.post_message(loaded)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        status = self.query_one("#lifts-status", Label)
        if message.error:
            status.update(plain(f"Cannot read the audit: {message.error}"))
        else:
            count = len(message.lifts)
            status.update(f"{count} active lift{'' if count == 1 else 's'} on this site.")
        status.set_class(bool(message.error), "-broken")
        self.lifts = message.lifts
        self._show_rows()
        self.refresh_bindings()

    def _show_rows(self) -> None:
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear()
        now = self.now()
        for lift in self.lifts:
            started = lift.started
            cells = (
                str(started.seq),
                lift.host or "?",
                started.operator,
                started.authorizer,
                time_left(lift.remaining(now)),
                started.reason,
                started.time[:19].replace("T", " "),
            )
            table.add_row(*(plain_cell(cell) for cell in cells), key=str(started.seq))
        if self.lifts:
            table.move_cursor(row=min(row, len(self.lifts) - 1))

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_end_lift()

    def action_end_lift(self) -> None:
        table = self.query_one(DataTable)
        if not self.lifts or not may_end(self.services.site, self.user):
            return
        lift = self.lifts[min(table.cursor_row, len(self.lifts) - 1)]
        started = lift.started
        title = f"End lift {started.seq} of {started.operator} on {lift.host or '?'}: why?"

        def answered(reason: str | None) -> None:
            if reason is not None:
                self._end(started.seq, reason)

        self.app.push_screen(AskScreen(title, _reason, placeholder="reason"), answered)

    @work(thread=True, group="active-lifts-end")
    def _end(self, seq: int, reason: str) -> None:
        """The account read again, then the record that ends the lift."""
        try:
            user = self.services.users.recheck(self.user)  # the same role, or it raises
            end_lift(self.services.audit, seq, user.name, reason, self.services.gate.host)
        except (AccountChanged, UsersUnavailable, LiftNotActive, AuditUnavailable) as error:
            self.app.call_from_thread(
                self.notify, f"Lift {seq} not ended: {error}", severity="error"
            )
        else:
            self.app.call_from_thread(
                self.notify, f"Lift {seq} ended: its console puts the masks back."
            )
        self.app.call_from_thread(self.action_reload)

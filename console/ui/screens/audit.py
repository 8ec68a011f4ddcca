"""The in-app audit viewer, for roles holding the `audit` permission.

The same records and chain check as `veil audit show` / `veil audit verify`, newest
first, so a supervisor can answer "who lifted the masks, when, and who allowed it"
without leaving the console. Reading and verifying run in a thread worker: the log
grows for years, and the wall keeps its frame rate meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label

from console.core.audit.trail import AuditLog, AuditRecord, AuditUnavailable, Verification
from console.ui.plain import plain, plain_cell
from console.ui.widgets.header import VeilHeader

COLUMNS = ("#", "time (UTC)", "event", "operator", "authorizer", "reason", "outcome", "details")


class AuditScreen(Screen[None]):
    """Every audit record in a table, with the chain's verification above it."""

    DEFAULT_CSS = """
    AuditScreen #audit-status { padding: 0 1; height: auto; }
    AuditScreen #audit-status.-broken { background: $error; color: auto 90%; }
    AuditScreen DataTable { height: 1fr; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("r", "reload", "Reload"),
    ]
    """Leave the viewer, or read the log again."""

    @dataclass
    class Loaded(Message):
        """What the worker read: the records and the chain check, or why it could not."""

        records: list[AuditRecord]
        verification: Verification | None
        error: str = ""

    def __init__(self, audit: AuditLog) -> None:
        super().__init__()
        self.audit = audit

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        yield Label("Reading the audit trail…", id="audit-status")
        yield DataTable(id="audit-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.action_reload()

    def action_reload(self) -> None:
        self._read()

    @work(thread=True, exclusive=True, group="audit-viewer")
    def _read(self) -> None:
        try:
            loaded = self.Loaded(self.audit.records(), self.audit.verify())
        except AuditUnavailable as error:
            loaded = self.Loaded([], None, str(error))
        self.post_message(loaded)

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        status = self.query_one("#audit-status", Label)
        verification = message.verification
        if verification is None:
            status.update(plain(f"Cannot read the audit trail: {message.error}"))
        elif verification.ok:
            status.update(f"{verification.records} records; the chain is intact.")
        else:
            status.update(
                plain(f"{verification.records} records; CHAIN BROKEN: {verification.problem}")
            )
        status.set_class(verification is None or not verification.ok, "-broken")
        table = self.query_one(DataTable)
        table.clear()
        for record in reversed(message.records):
            cells = (
                str(record.seq),
                record.time,
                record.label,
                record.operator,
                record.authorizer,
                record.reason,
                record.outcome,
                "" if record.details == "{}" else record.details,
            )
            table.add_row(*(plain_cell(cell) for cell in cells))

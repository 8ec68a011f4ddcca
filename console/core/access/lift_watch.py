"""Following the audit while lifted, so a lift ended elsewhere ends here within a second.

A supervisor ends a lift by writing a record that names it (`site_lifts.end_lift`);
this console learns of it by reading the audit's tail: every `POLL_INTERVAL` while a
lift is in force, only the records after the last one it has read (an indexed range
read of a few rows, about a millisecond). While masks are applied it reads nothing.
On PostgreSQL the wait between reads ends early when another console commits an audit
record (LISTEN/NOTIFY, `AuditLog.wait_for_append`); the SQLite audit, which several
consoles on one host share, has no notifications, so there the wait is the whole
interval. Either way what ends a lift is the read of what the record says, never the
notification, and polling stays as the fallback when notifications are lost.

Whatever record names the lift in force ends it, as `open_lifts` reads the trail: a
console agrees with its audit. The reading starts again from the lift's own "lift
started" record whenever the lift in force changes, so an end written between the
record and the lift taking effect (or while another lift was in force) is not skipped.

Fail closed, in both directions: a poll that cannot read the audit ends nothing and
extends nothing (the lift still ends at its deadline, and no new lift is granted while
the audit cannot be written); `problem` says so, for the console to show.
"""

from __future__ import annotations

import threading

from console.core.access.lift import LiftController
from console.core.audit.open_lifts import ended_lifts
from console.core.audit.trail import AuditUnavailable

POLL_INTERVAL = 0.25
"""Seconds between reads of the tail: with the UI's own sampling (`LIFT_SAMPLE_INTERVAL`)
masks are back and the notice shown well within the 1 s the site is promised."""


class LiftWatch:
    """A thread reading the audit's tail while this console's lift is in force."""

    def __init__(self, controller: LiftController, interval: float = POLL_INTERVAL) -> None:
        self.controller = controller
        self.interval = interval
        self.problem: AuditUnavailable | None = None
        """Why the last read failed; None once a read succeeds (or while nothing is lifted)."""
        self._watching: int | None = None
        """The "lift started" seq of the lift being followed."""
        self._cursor = 0
        """The last record read for it."""
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start following (again, after `stop`: a console's app may be run twice)."""
        if self._thread is not None:
            return
        self._stop = threading.Event()  # its own: a thread still waiting from before ends
        self._thread = threading.Thread(
            target=self._run, args=(self._stop,), name="lift-watch", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stop.set()
            thread.join(timeout=2)

    def poll(self) -> bool:
        """One read; True when it ended the lift in force."""
        active = self.controller.current()
        if active is None:
            self._watching = None
            self.problem = None
            return False
        if active.started_seq != self._watching:
            self._watching = self._cursor = active.started_seq
        try:
            records = self.controller.audit.records_after(self._cursor)
        except AuditUnavailable as error:
            self.problem = error
            return False
        self.problem = None
        for record in records:
            self._cursor = record.seq
            if active.started_seq in ended_lifts(record):
                return self.controller.end_remotely(active.started_seq, record)
        return False

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self.controller.audit.wait_for_append(self.interval)
                if stop.is_set():
                    return
                self.poll()
            except Exception:  # noqa: BLE001 (a watch that dies would never end a lift again)
                stop.wait(self.interval)

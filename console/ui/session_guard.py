"""Ending the session when the world outside ends it: a fatal signal or a lost terminal.

However the console is ended, the audit must say "session ended while lifted" with the
true cause, and that cannot be left to Textual's event loop:

- on a hang-up, Textual's input thread fails on the dead terminal and the app ends
  itself, often before a loop callback for SIGHUP has run, so the session used to be
  closed by `veil`'s last-resort ``finally`` and recorded as a "crash";
- a terminal that stalls and then closes leaves the loop blocked for good on Textual's
  full output queue, where no loop callback runs again;
- a wrapper that ignores SIGHUP leaves a dead terminal and no signal at all.

So a thread of its own does it. Signals reach that thread through
`signal.set_wakeup_fd`: Python's C-level handler writes the signal's number into a pipe
in whichever thread the kernel interrupted, so the thread wakes at once, whatever the
main thread is doing. Between signals it checks the terminal. The first cause seen is
the cause. A hang-up kills the terminal and sends SIGHUP a few microseconds apart, so a
dead terminal is given a moment for its signal to arrive before it is called "terminal
lost". Every closing path (this thread and `veil`'s ``finally``) asks `cause` under the
same lock, so they agree on it and never run at the same time.

The guard lives until the process ends: a signal during `veil`'s own shutdown must
still end the session with its cause. There is one per process, since the wakeup fd is.
"""

from __future__ import annotations

import os
import select
import signal
import threading
import time
from collections.abc import Callable, Sequence
from typing import TextIO

from console.core.audit.trail import AuditUnavailable

TERMINAL_CHECK_INTERVAL = 1.0
"""Seconds between checks that the terminal is still there, when no signal comes."""
SIGNAL_GRACE = 0.2
"""Seconds a dead terminal waits for its hang-up signal before it is "terminal lost"."""
FORCED_EXIT_AFTER = 3.0
"""Seconds an orderly exit after a fatal signal may take before the process just ends.

Textual's shutdown writes to the terminal, which a hang-up has taken away, and can then
wait forever on its full output queue; the session is closed by then, so nothing is lost.
"""
TERMINAL_LOST = "terminal lost"


def exit_code(cause: str) -> int:
    """The process's exit status for a cause: 128 + the signal, as if it had not been
    caught; a terminal lost without a signal ends as if the hang-up had come."""
    if cause == TERMINAL_LOST:
        return 128 + signal.SIGHUP
    return 128 + signal.Signals[cause]


def terminal_alive(stream: TextIO) -> bool:
    """The stream is still our controlling terminal (a hang-up makes both checks fail)."""
    try:
        fd = stream.fileno()
        os.tcgetpgrp(fd)
        return os.isatty(fd)
    except (OSError, ValueError):
        return False


def _noted(signum: int, frame: object) -> None:
    """The Python-level handler: the signal's byte in the wakeup pipe is its handling."""


class SessionGuard:
    """Watches for fatal signals and a lost terminal, and ends the session once."""

    def __init__(
        self,
        signals: Sequence[signal.Signals],
        terminal: TextIO | None,
        *,
        terminal_alive: Callable[[TextIO], bool] = terminal_alive,
        exit_now: Callable[[int], object] = os._exit,
        forced_exit_after: float = FORCED_EXIT_AFTER,
    ) -> None:
        self.signals = frozenset(signals)
        """Signals after which the session is closed (the CLI passes SIGHUP, SIGTERM)."""
        self.terminal = terminal
        """The controlling terminal to watch; None or not a terminal: signals only."""
        self._alive = terminal_alive
        self._exit_now = exit_now
        """Ends the process without cleanup; tests pass a recorder."""
        self._forced_exit_after = forced_exit_after
        self.unrecorded: AuditUnavailable | None = None
        """Why the guard's closing of the session is not in the audit, for `veil` to say."""
        self._cause: str | None = None
        self._lock = threading.Lock()
        self._pipe: int | None = None

    def start(self, close: Callable[[str], None], request_exit: Callable[[int], None]) -> None:
        """Install the handlers and start watching; main thread only (Python's rule).

        `close(cause)` ends the session (masks back, audited; raising `AuditUnavailable`
        when the record cannot be written) from the guard's thread; `request_exit(code)`
        asks the app to leave in order, and must not block. After a signal the process
        ends `forced_exit_after` seconds later if the app has not; a lost terminal ends
        it at once, as nothing can be drawn.
        """
        read_fd, write_fd = os.pipe()
        os.set_blocking(read_fd, False)
        os.set_blocking(write_fd, False)
        self._pipe = read_fd
        signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        for signum in self.signals:
            signal.signal(signum, _noted)
        watch_terminal = self.terminal is not None and self._alive(self.terminal)
        threading.Thread(
            target=self._run,
            args=(read_fd, watch_terminal, close, request_exit),
            name="session guard",
            daemon=True,
        ).start()

    def cause(self) -> str | None:
        """Why the session is ending ("SIGHUP", "SIGTERM", "terminal lost"), or None.

        Waits while the guard's thread is closing the session, so a caller that then
        closes it too finds it closed and records nothing twice.
        """
        with self._lock:
            self._take_signals()
            return self._cause

    def _run(
        self,
        pipe: int,
        watch_terminal: bool,
        close: Callable[[str], None],
        request_exit: Callable[[int], None],
    ) -> None:
        cause = None
        try:
            while cause is None:
                select.select([pipe], [], [], TERMINAL_CHECK_INTERVAL)
                with self._lock:
                    cause = self._notice(pipe, watch_terminal)
                    if cause is not None:
                        try:
                            close(cause)
                        except AuditUnavailable as error:
                            self.unrecorded = error
        finally:
            if cause is not None:
                self._leave(cause, request_exit)

    def _notice(self, pipe: int, watch_terminal: bool) -> str | None:
        """The cause, once there is one; the caller holds the lock."""
        self._take_signals()
        if self._cause is None and watch_terminal and not self._terminal_alive():
            select.select([pipe], [], [], SIGNAL_GRACE)
            self._take_signals()
            self._cause = self._cause or TERMINAL_LOST
        return self._cause

    def _leave(self, cause: str, request_exit: Callable[[int], None]) -> None:
        code = exit_code(cause)
        if cause == TERMINAL_LOST:
            self._exit_now(code)
            return
        request_exit(code)
        time.sleep(self._forced_exit_after)
        self._exit_now(code)

    def _terminal_alive(self) -> bool:
        return self.terminal is not None and self._alive(self.terminal)

    def _take_signals(self) -> None:
        """Read what the wakeup pipe holds; the first fatal signal becomes the cause."""
        if self._pipe is None:
            return
        try:
            received = os.read(self._pipe, 512)
        except BlockingIOError:
            return
        for signum in received:
            if self._cause is None and signum in self.signals:
                self._cause = signal.Signals(signum).name

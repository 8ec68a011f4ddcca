"""The session guard names the true cause of an ending, whichever evidence it sees first.

A hang-up kills the terminal and sends SIGHUP microseconds apart. These tests recreate
the orders that made the audit say "terminal lost" or nothing useful for a hang-up, in
this process, with SIGUSR1 standing in for the fatal signal (the guard treats every
signal it is given alike) and a terminal check the test controls. The guard's exits
are recorded instead of ending pytest.
"""

from __future__ import annotations

import io
import os
import signal
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

import pytest

from console.core.audit.trail import AuditUnavailable
from console.ui.session_guard import SessionGuard, exit_code

FATAL = signal.SIGUSR1
OTHER = signal.SIGUSR2
WAIT = 30.0
"""Seconds to wait for the guard's thread to act; reached only when it never does."""


@dataclass
class Ending:
    """What the guard did, in order."""

    calls: list[tuple[str, object]] = field(default_factory=list)
    threads: set[str] = field(default_factory=set)
    done: threading.Event = field(default_factory=threading.Event)

    def close(self, cause: str) -> None:
        self.threads.add(threading.current_thread().name)
        self.calls.append(("close", cause))

    def request_exit(self, code: int) -> None:
        self.calls.append(("request_exit", code))

    def exit_now(self, code: int) -> None:
        self.calls.append(("exit_now", code))
        self.done.set()


@pytest.fixture
def restore_signals() -> Iterator[None]:
    """The guard takes over the process's wakeup fd and handlers; give them back."""
    handlers = {signum: signal.getsignal(signum) for signum in (FATAL, OTHER)}
    previous = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(previous)
    yield
    guard_fd = signal.set_wakeup_fd(previous)
    if guard_fd not in (-1, previous):
        os.close(guard_fd)
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


def start_guard(ending: Ending, alive: Callable[[TextIO], bool] | None = None) -> SessionGuard:
    """A guard for FATAL; it watches a terminal only when `alive` is given."""
    terminal = None if alive is None else io.StringIO()  # never read: `alive` decides
    guard = SessionGuard(
        [FATAL],
        terminal,
        terminal_alive=alive or (lambda stream: False),
        exit_now=ending.exit_now,
        forced_exit_after=0.0,
    )
    guard.start(ending.close, ending.request_exit)
    return guard


def test_a_fatal_signal_closes_the_session_with_its_name_then_leaves(
    restore_signals: None,
) -> None:
    ending = Ending()
    guard = start_guard(ending)
    assert guard.cause() is None
    os.kill(os.getpid(), FATAL)
    assert ending.done.wait(WAIT), "the guard did not act on the signal"
    code = 128 + FATAL
    assert ending.calls == [("close", "SIGUSR1"), ("request_exit", code), ("exit_now", code)]
    assert ending.threads == {"session guard"}, "closed without needing the event loop"
    assert guard.cause() == "SIGUSR1"


def test_other_signals_do_not_end_the_session(restore_signals: None) -> None:
    ending = Ending()
    seen = threading.Event()
    signal.signal(OTHER, lambda signum, frame: seen.set())
    guard = start_guard(ending)
    os.kill(os.getpid(), OTHER)
    assert seen.wait(WAIT)
    assert guard.cause() is None
    assert ending.calls == []
    os.kill(os.getpid(), FATAL)
    assert ending.done.wait(WAIT)
    assert ending.calls[0] == ("close", "SIGUSR1")


def test_the_hang_up_signal_wins_over_the_dead_terminal_it_follows(
    restore_signals: None,
) -> None:
    """The guard sees the terminal dead before the hang-up's signal is sent: the cause
    is still the signal, not "terminal lost" (the race the SSH e2e test used to lose)."""
    ending = Ending()
    checks = 0
    main = threading.main_thread().ident
    assert main is not None

    def alive(stream: TextIO) -> bool:
        nonlocal checks
        checks += 1
        if checks == 1:  # at start: a live terminal, so it is watched
            return True
        # The kernel's SIGHUP, right after the tty died, reaching the main thread.
        signal.pthread_kill(main, FATAL)
        return False

    start_guard(ending, alive)
    assert ending.done.wait(WAIT)
    assert ending.calls[0] == ("close", "SIGUSR1")


def test_a_dead_terminal_without_a_signal_ends_at_once_as_terminal_lost(
    restore_signals: None,
) -> None:
    ending = Ending()
    answers = iter([True, False])
    guard = start_guard(ending, lambda stream: next(answers))
    assert ending.done.wait(WAIT)
    code = 128 + signal.SIGHUP
    assert ending.calls == [("close", "terminal lost"), ("exit_now", code)]
    assert guard.cause() == "terminal lost"
    assert exit_code("terminal lost") == code


def test_a_closing_the_audit_refuses_is_kept_for_veil_to_report(restore_signals: None) -> None:
    ending = Ending()

    def failing_close(cause: str) -> None:
        raise AuditUnavailable("audit log /x/audit.db is unavailable: disk I/O error")

    guard = SessionGuard([FATAL], None, exit_now=ending.exit_now, forced_exit_after=0.0)
    guard.start(failing_close, ending.request_exit)
    os.kill(os.getpid(), FATAL)
    assert ending.done.wait(WAIT)
    assert ending.calls == [("request_exit", 128 + FATAL), ("exit_now", 128 + FATAL)]
    assert "disk I/O error" in str(guard.unrecorded)

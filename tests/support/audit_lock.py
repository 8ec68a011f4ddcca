"""Another process holding the audit's write lock: what a second console mid-write does.

The lock is SQLite's own (``BEGIN IMMEDIATE`` in a separate Python process), so the
console under test meets exactly what it meets in production: its busy handler waits,
then gives up with "database is locked". A thread of the test process would share the
process's locks and prove nothing.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOLDER = """
import sqlite3, sys

connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""


class HeldLock:
    """The holding process; `release` lets go (also done on leaving the block)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._releasing = threading.Lock()
        self._holder = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._holder.stdout is not None
        assert self._holder.stdout.readline() == "holding\n", "the holder did not get the lock"

    @property
    def held(self) -> bool:
        return self._holder.poll() is None

    def release_in(self, seconds: float) -> None:
        """Let go after `seconds`, whatever the test's thread is doing meanwhile (a
        console that waits on the lock in its UI thread must not keep it held)."""
        timer = threading.Timer(seconds, self.release)
        timer.daemon = True
        timer.start()

    def release(self) -> None:
        with self._releasing:
            self._release()

    def _release(self) -> None:
        if not self.held:
            return
        assert self._holder.stdin is not None
        self._holder.stdin.write("\n")
        self._holder.stdin.close()
        assert self._holder.wait(timeout=30) == 0


@contextmanager
def audit_locked_elsewhere(path: Path) -> Iterator[HeldLock]:
    """Another process holds `path`'s write lock inside the block (until `release`)."""
    lock = HeldLock(path)
    try:
        yield lock
    finally:
        lock.release()

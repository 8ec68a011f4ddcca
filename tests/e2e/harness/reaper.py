"""Ending every process a test started, however it was started and whatever it ignores.

A console whose terminal died at the wrong moment can outlive the terminal (see the
report on issue 6: a stalled terminal that then closes leaves `veil` blocked for good).
Left running, it would eat a core of the machine for the rest of the test run and slow
every later test. Every process a test starts gets an environment under the test's
folder (see env.py), so its environment says whose it is, wherever in the process tree
(behind sshd, under xterm) it ended up.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path


def started_under(root: Path) -> dict[int, str]:
    """Running processes whose environment points into `root`: pid -> command line."""
    marker = f"{root}/".encode()
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            if marker not in (proc / "environ").read_bytes():
                continue
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile, or not ours to read
            continue
        if state != "Z":
            found[int(proc.name)] = command.strip()
    return found


def reap(root: Path, grace: float = 5.0) -> dict[int, str]:
    """Give leftovers `grace` seconds to end by themselves, then SIGKILL them; the killed."""
    deadline = time.monotonic() + grace
    while (left := started_under(root)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return left

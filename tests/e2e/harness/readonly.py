"""A folder the test can turn read-only under a running program, as a failing disk would.

Tests run as root in CI, and root ignores permission bits, so only a read-only mount
refuses a write to everyone. The program runs in a user and mount namespace of its own
(`unshare --user --map-root-user --mount`) in which the folder is bind-mounted onto
itself; from outside, the test flips that mount between read-only and read-write with
`nsenter`. This needs no privilege on the host, works for root and for an ordinary user
alike, and leaves the host's mounts alone: the namespace ends with the program, and
outside it the folder never stops being writable (so the test can still read it).

The kernel refuses to make a mount read-only while a file on it is open for writing
(EBUSY), so a flip that succeeds also shows the program held no write handle there.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from .env import require

ENTER = 'mount --bind "$0" "$0" && exec "$@"'
"""Run by `sh` inside the new namespaces: make the folder a mount of its own, become argv."""


def _mount_in(pid: int, folder: Path, mode: str) -> subprocess.CompletedProcess[str]:
    """`mount -o remount,bind,MODE folder` inside the namespaces of process `pid`.

    `--preserve-credentials`: an ordinary user may not call setgroups in a namespace
    made with --map-root-user, and needs no other identity there, being its root.
    """
    return subprocess.run(
        ["nsenter", "--preserve-credentials", f"--target={pid}", "--user", "--mount",
         "mount", "-o", f"remount,bind,{mode}", str(folder)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def require_private_mounts(scratch: Path) -> None:
    """Fail (never skip) unless this machine lets the test make a read-only folder."""
    require("unshare", "nsenter", "mount", "sh")
    scratch.mkdir(parents=True, exist_ok=True)
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
         'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" '
         '&& ! touch "$0/probe" 2>/dev/null', str(scratch)],
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    if probe.returncode != 0:
        pytest.fail(
            "cannot make a read-only folder in a private user and mount namespace "
            f"(`unshare --user --map-root-user --mount` + `mount -o remount,bind,ro` failed: "
            f"{probe.stderr.strip() or 'the folder stayed writable'}). The kernel or the "
            "container must allow unprivileged user namespaces (sysctl "
            "kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0; Docker: a "
            "seccomp profile that permits unshare). Packages: util-linux and mount.",
            pytrace=False,
        )


class PrivateMount:
    """`folder`, as a program started through `argv` sees it: a mount the test controls."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def argv(self, program: Sequence[str]) -> list[str]:
        """`program` in new user and mount namespaces where `folder` is a mount of its own.

        `unshare`, `sh` and the program are one process (each execs the next), so the
        program's pid is where `set_read_only` enters.
        """
        return ["unshare", "--user", "--map-root-user", "--mount",
                "sh", "-c", ENTER, str(self.folder), *program]  # fmt: skip

    def set_read_only(self, pid: int, read_only: bool) -> None:
        """Remount the folder read-only or read-write for the program `pid` (and only it)."""
        mode = "ro" if read_only else "rw"
        done = _mount_in(pid, self.folder, mode)
        assert done.returncode == 0, (
            f"remounting {self.folder} {mode} for process {pid} failed: {done.stderr.strip()}"
            + (" (a file there is open for writing)" if "busy" in done.stderr else "")
        )

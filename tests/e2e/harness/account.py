"""A real, throw-away system account: the dedicated `veil` account of the SSH deployment.

The deployment's promise is about accounts: operators reach the console as an account
that can run nothing else and whose data nobody else can read. Only a real account
shows that, so the test makes one (which needs root, as CI has; see `.ci/run`), with a
unique name so tests running at the same time on one machine never share it, a home
and data dir of its own outside pytest's root-only temporary folders, and removes it
again afterwards together with anything still running in its name.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from .env import VEIL, require
from .reaper import reap


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    folder: Path
    """Everything of the account's lives under here (root's, 0755)."""
    home: Path
    data_dir: Path
    """The console's data dir, owned by the account, 0700."""

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        """`argv` as the account, the way `sudo -u veil` would run it."""
        return subprocess.run(
            ["runuser", "-u", self.name, "--", *argv],
            capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        )  # fmt: skip


def create_account() -> Account:
    """useradd a system account with a shell (sshd runs ForceCommand through it) and no
    password ('*': key logins only, and not "locked", which sshd refuses)."""
    if os.geteuid() != 0:
        pytest.fail("the SSH deployment test makes a real account: run it as root (CI does)")
    require("useradd", "userdel", "usermod", "runuser")
    name = f"veil{secrets.token_hex(5)}"
    folder = Path(tempfile.mkdtemp(prefix="veil-account-"))
    folder.chmod(0o755)
    home = folder / "home"
    subprocess.run(
        ["useradd", "--system", "--user-group", "--create-home", "--home-dir", str(home),
         "--shell", "/bin/sh", name],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    subprocess.run(["usermod", "-p", "*", name], check=True, capture_output=True, timeout=30)
    entry = pwd.getpwnam(name)
    data_dir = folder / "data"
    data_dir.mkdir(mode=0o700)
    os.chown(data_dir, entry.pw_uid, entry.pw_gid)
    account = Account(name, entry.pw_uid, folder, home, data_dir)
    can_run = account.run(str(VEIL), "--version")
    if can_run.returncode != 0:
        remove_account(account)
        pytest.fail(
            f"the account cannot run {VEIL}: {can_run.stderr.strip()}. Every folder above "
            "the checkout must be searchable by other accounts (o+x; .ci/run does this)",
            pytrace=False,
        )
    return account


def remove_account(account: Account) -> None:
    """End whatever still runs as the account (its HOME says so), then remove it."""
    reap(account.folder)
    subprocess.run(["userdel", "--force", account.name], capture_output=True, timeout=30)
    shutil.rmtree(account.folder, ignore_errors=True)

"""A real audit anchor for tests: `veil anchor init` and `veil anchor serve` as processes,
with a syslog socket of the test's own standing in for /dev/log (no journald in CI).

`preexec` lets a test run the signer under another uid, as a deployment does.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, Event
from console.core.site.paths import Paths
from tests.support.admin_cli import run_veil

VEIL = Path(sys.executable).parent / "veil"
ANCHORED_SITE = """\
[site]
name = "Anchored"

[roles.supervisor]
permissions = ["live", "lift_privacy_masks"]

[[cameras]]
id = "door"
name = "Door"
source = "pattern:bars"
"""
"""The site of the anchor tests; each adds its [audit] table (and [database])."""


@dataclass
class AnchorSigner:
    """One signer: its folder, socket, the key line for a site file, and its syslog lines."""

    folder: Path
    """Short (socket paths are limited to 108 bytes), made by `tempfile.mkdtemp`."""
    wrap: Sequence[str] = ()
    """A command prefix the signer runs under, e.g. setpriv to another uid."""
    writer: str | None = None
    process: subprocess.Popen[bytes] | None = None
    site_lines: str = ""
    """The ``[audit]`` table `veil anchor init` printed."""
    journal: list[str] = field(default_factory=list)
    """Syslog lines received, drained all the time as journald would."""
    _syslog: socket.socket | None = None
    _drain: threading.Thread | None = None

    @property
    def directory(self) -> Path:
        return self.folder / "signer"

    @property
    def socket_path(self) -> Path:
        return self.folder / "anchor.sock"

    @property
    def log_socket(self) -> Path:
        return self.folder / "log.sock"

    def init(self, prepare: Callable[[Path], None] | None = None) -> AnchorSigner:
        if prepare is not None:
            prepare(self.folder)
        made = subprocess.run(
            [*self.wrap, str(VEIL), "anchor", "init", "--dir", str(self.directory),
             "--socket", str(self.socket_path)],
            capture_output=True, text=True, timeout=60, check=True,
        )  # fmt: skip
        self.site_lines = made.stdout.split("\n\n", 1)[1]
        return self

    def start(self) -> AnchorSigner:
        if self._syslog is None:
            self._syslog = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self._syslog.bind(str(self.log_socket))
            self.log_socket.chmod(0o666)
            self._syslog.settimeout(0.2)
            self._drain = threading.Thread(target=self._receive, daemon=True)
            self._drain.start()
        self.socket_path.unlink(missing_ok=True)
        argv = [*self.wrap, str(VEIL), "anchor", "serve", "--dir", str(self.directory),
                "--socket", str(self.socket_path), "--syslog", str(self.log_socket)]  # fmt: skip
        if self.writer is not None:
            argv += ["--writer", self.writer]
        self.process = subprocess.Popen(argv, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while not self.socket_path.exists():
            if self.process.poll() is not None:
                assert self.process.stderr is not None
                raise AssertionError(f"the signer did not start: {self.process.stderr.read()!r}")
            assert time.monotonic() < deadline, "the signer did not listen within 30 s"
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
        self.process = None

    def read_journal(self) -> list[str]:
        """Every syslog line received so far (after a moment for the last to arrive)."""
        time.sleep(0.3)
        return list(self.journal)

    def _receive(self) -> None:
        assert self._syslog is not None
        while True:
            try:
                self.journal.append(self._syslog.recv(65536).decode().rstrip("\x00"))
            except TimeoutError:
                continue
            except OSError:
                return

    def close(self) -> None:
        self.stop()
        if self._syslog is not None:
            self._syslog.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def anchored_history(log: AuditLog, users: UserStore, password: str) -> AuditLog:
    """Six records for the anchor tests to tamper with: a user added, logins, a lift and
    its end."""
    users.add("os:admin", "sam", "supervisor", password)
    for event in (Event.LOGIN_OK, Event.LIFT_STARTED, Event.LIFT_APPLIED, Event.LOGOUT):
        log.append(
            event, operator="sam", details={"lift": 3} if event is Event.LIFT_APPLIED else {}
        )
    log.append(Event.LOGIN_OK, operator="sam")
    return log


def verify(capsys: pytest.CaptureFixture[str], paths: Paths) -> tuple[int, str]:
    """`veil audit verify` on the site: its exit code and everything it printed."""
    code = run_veil("audit", "verify", "--site", str(paths.site))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def new_signer(wrap: Sequence[str] = (), writer: str | None = None) -> AnchorSigner:
    folder = Path(tempfile.mkdtemp(prefix="veil-anchor-"))
    os.chmod(folder, 0o755)
    return AnchorSigner(folder, wrap, writer)

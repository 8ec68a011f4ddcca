"""A throw-away OpenSSH server on 127.0.0.1, so a test can drop a real SSH connection.

An operator who loses the network mid-shift loses the SSH connection, and sshd hangs up
the console's terminal. Only a real sshd behaves exactly like that. This one listens on a
free high port with a host key made for the test, lets in only one user (the current one
unless told otherwise) with a key made for the test, and keeps its config, keys, pid file
and log in the test's folder. A test may append configuration of its own (the SSH
deployment's `Match` block from `veil deploy ssh`), which sshd then reads last.
"""

from __future__ import annotations

import getpass
import os
import shlex
import socket
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from .env import require
from .tmux import TmuxSession

SSHD = Path("/usr/sbin/sshd")
PRIVSEP_DIR = Path("/run/sshd")
"""Compiled into Debian's sshd; it must exist when sshd starts as root."""
CONFIG = """\
ListenAddress 127.0.0.1
Port {port}
HostKey {host_key}
PidFile {folder}/sshd.pid
AuthorizedKeysFile {folder}/authorized_keys
AllowUsers {user}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
UsePAM no
StrictModes no
PermitUserEnvironment no
X11Forwarding no
AllowTcpForwarding no
ClientAliveInterval 0
LogLevel VERBOSE
"""


def free_port() -> int:
    """A port the kernel has just shown to be free on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Sshd:
    """sshd in the foreground (`-D -e`), logging to `sshd.log` in its folder."""

    def __init__(self, folder: Path, user: str | None = None, extra_config: str = "") -> None:
        self.folder = folder
        self.user = user or getpass.getuser()
        self.extra_config = extra_config
        """Appended to the config: a `Match` block overrides the settings above it."""
        self.port = 0
        self.client_key = folder / "client_key"
        self.log = folder / "sshd.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 10.0) -> Sshd:
        require("ssh", "ssh-keygen")
        if not SSHD.is_file():
            require("sshd")
        self.folder.mkdir(parents=True, exist_ok=True)
        host_key = self.folder / "host_key"
        for key in (host_key, self.client_key):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "veil-e2e", "-f", str(key)],
                check=True,
                timeout=30,
            )
        (self.folder / "authorized_keys").write_bytes(
            self.client_key.with_suffix(".pub").read_bytes()
        )
        self.port = free_port()
        config = self.folder / "sshd_config"
        config.write_text(
            CONFIG.format(port=self.port, host_key=host_key, folder=self.folder, user=self.user)
            + self.extra_config
        )
        if os.geteuid() == 0:
            PRIVSEP_DIR.mkdir(mode=0o755, exist_ok=True)
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [str(SSHD), "-D", "-e", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
            )
        self._wait_listening(timeout)
        return self

    def _wait_listening(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while b"Server listening" not in self.log.read_bytes():
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"sshd exited: {self.log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"sshd not listening: {self.log.read_text(errors='replace')}")
            time.sleep(0.05)

    def client_argv(
        self, remote: str | None, tty: bool = True, key: Path | None = None, *options: str
    ) -> list[str]:
        """`ssh` to this server running `remote` (a shell command line; None asks for a
        shell) on a forced pty, with the test's key or `key`, plus ssh `options`."""
        return [
            "ssh", *(["-tt"] if tty else ["-T"]), *self.options(key), *options,
            f"{self.user}@127.0.0.1", *([remote] if remote is not None else []),
        ]  # fmt: skip

    def options(self, key: Path | None = None) -> list[str]:
        """What every client of this server needs: port, key, no prompts, no known hosts."""
        return [
            "-F", "/dev/null", "-p", str(self.port), "-i", str(key or self.client_key),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            "-o", "LogLevel=ERROR",
        ]  # fmt: skip

    def open_console(
        self,
        tmux: TmuxSession,
        argv: Sequence[str],
        remote_env: Mapping[str, str],
        local_env: Mapping[str, str],
        pid_file: Path,
    ) -> None:
        """In the tmux pane, `ssh -tt` here and run `argv`; its pid lands in `pid_file`."""
        tmux.start(self.client_argv(remote_command(remote_env, argv, pid_file)), local_env)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(5)


def remote_pid(pid_file: Path, timeout: float = 10.0) -> int:
    """The pid a `remote_command` recorded, once it has become the program."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pid_file.is_file() and (text := pid_file.read_text().strip()):
            command = Path(f"/proc/{text}/cmdline")
            if command.is_file() and b"veil" in command.read_bytes():
                return int(text)
        time.sleep(0.05)
    raise AssertionError(f"no console process recorded in {pid_file} after {timeout:g}s")


def remote_command(env: Mapping[str, str], argv: Sequence[str], pid_file: Path) -> str:
    """A remote shell line that records its pid, then becomes `argv` under exactly `env`.

    `exec` keeps the pid, so `pid_file` names the program itself: the session leader on
    the SSH pty, the process the kernel hangs up when the connection drops.
    """
    assignments = [f"{key}={value}" for key, value in env.items()]
    program = shlex.join(["env", "-i", *assignments, *argv])
    return f"echo $$ > {shlex.quote(str(pid_file))} && exec {program}"

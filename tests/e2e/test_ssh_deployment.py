"""Issue 10, §7: the supported SSH deployment, end to end, with a real dedicated account.

The set-up is exactly what the README tells an administrator to do: a system account
with no password, the `Match` block and authorized keys that `veil deploy ssh` prints
(installed verbatim into a throw-away sshd on 127.0.0.1), users added by root with
`veil user add`. Then each operator's key gets the console and nothing else: a command
(`cat veil.db`), a shell, a file transfer and port forwarding all fail to reach the
data, and the audit names the key that opened each session.
"""

from __future__ import annotations

import socket
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from .harness import demo
from .harness.account import Account, create_account, remove_account
from .harness.cli import add_users, audit_records, veil
from .harness.operator import LIFT_KEY, LOGIN_SCREEN, STEP, fill_in, footer
from .harness.sshd import Sshd, free_port
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e

SQLITE_MAGIC = b"SQLite format 3"
OPERATORS = ("alice", "bob")


@dataclass(frozen=True)
class Deployment:
    account: Account
    sshd: Sshd
    keys: dict[str, Path]
    """Each operator's private key, by the name `veil deploy ssh` gave it."""
    fingerprints: dict[str, str]

    def ssh(self, operator: str, remote: str | None, *options: str) -> list[str]:
        return self.sshd.client_argv(remote, True, self.keys[operator], *options)

    @property
    def users_db(self) -> Path:
        return self.account.data_dir / "veil.db"


@pytest.fixture
def account() -> Iterator[Account]:
    made = create_account()
    try:
        yield made
    finally:
        remove_account(made)


@pytest.fixture
def deployment(account: Account, tmp_path: Path, veil_env: dict[str, str]) -> Iterator[Deployment]:
    keys: dict[str, Path] = {}
    fingerprints: dict[str, str] = {}
    for name in OPERATORS:
        key = tmp_path / f"{name}_key"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", f"{name}@laptop",
                        "-f", str(key)], check=True, timeout=30)  # fmt: skip
        keys[name] = key
        listed = subprocess.run(["ssh-keygen", "-l", "-f", f"{key}.pub"], check=True,
                                capture_output=True, text=True, timeout=30)  # fmt: skip
        fingerprints[name] = listed.stdout.split()[1]
    keys_file = account.folder / "authorized_keys"
    deploy = ["deploy", "ssh", "--site", str(demo.SITE), "--data-dir", str(account.data_dir),
              "--account", account.name, "--keys-file", str(keys_file),
              *(f"--key={name}={key}.pub" for name, key in keys.items())]  # fmt: skip
    parts = {part: veil(veil_env, *deploy, "--only", part) for part in ("sshd", "keys")}
    for printed in parts.values():
        assert printed.returncode == 0, printed.stderr
    keys_file.write_text(parts["keys"].stdout)
    keys_file.chmod(0o644)
    add_users(veil_env, demo.SITE, [(*demo.OPERATOR, "operator")])
    # A real file-transfer server, so the test shows that ForceCommand (not a missing
    # subsystem) is what stops `sftp`; it must come before the Match block.
    config = "Subsystem sftp internal-sftp\n" + parts["sshd"].stdout
    server = Sshd(tmp_path / "sshd", user=account.name, extra_config=config)
    server.start()
    try:
        yield Deployment(account, server, keys, fingerprints)
    finally:
        server.stop()


@pytest.fixture
def veil_env(veil_env: dict[str, str], account: Account) -> dict[str, str]:
    """Root's administration commands point at the account's data dir."""
    return {**veil_env, "VEIL_DATA_DIR": str(account.data_dir)}


def test_an_operator_key_gets_the_console_and_the_audit_names_it(
    deployment: Deployment, tmux: TmuxSession, veil_env: dict[str, str]
) -> None:
    account = deployment.account
    data = account.data_dir
    for path, mode in ((data, 0o700), (data / "veil.db", 0o600), (data / "audit.db", 0o600)):
        found = path.stat()
        assert (stat.S_IMODE(found.st_mode), found.st_uid) == (mode, account.uid), path

    asked = f"cat {deployment.users_db}"
    tmux.start(deployment.ssh("bob", asked), veil_env)
    login = tmux.wait_for(LOGIN_SCREEN, timeout=40)
    assert "SQLite" not in login
    fill_in(tmux, demo.OPERATOR)
    tmux.wait_until(
        lambda s: demo.LOBBY_TILE in s and LIFT_KEY in footer(s), "the masked wall", STEP
    )
    tmux.send_keys("C-q")
    assert tmux.wait_exit(20) == 0

    records = audit_records(veil_env, data)
    by_key = {
        "ssh_key": "bob",
        "ssh_fingerprint": deployment.fingerprints["bob"],
        "ssh_command_refused": asked,
    }
    started, logged_in, logged_out = (
        next(r for r in records if r["event"] == event)
        for event in ("site_loaded", "login_ok", "logout")
    )
    for record in (started, logged_in, logged_out):
        assert {k: record["details"].get(k) for k in by_key} == by_key, record
        assert record["details"]["ssh_from"].startswith("127.0.0.1 "), record
    assert logged_in["operator"] == logged_out["operator"] == demo.OPERATOR[0]
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in data.iterdir() if p.is_file())


def test_a_shell_request_gets_the_console_too(
    deployment: Deployment, tmux: TmuxSession, veil_env: dict[str, str]
) -> None:
    tmux.start(deployment.ssh("alice", None), veil_env)
    screen = tmux.wait_for(LOGIN_SCREEN, timeout=40)
    assert "$ " not in screen.splitlines()[-1]
    tmux.send_keys("C-q")
    assert tmux.wait_exit(20) == 0
    (started,) = [r for r in audit_records(veil_env, deployment.account.data_dir)
                  if r["event"] == "site_loaded"]  # fmt: skip
    assert started["details"]["ssh_key"] == "alice"
    assert "ssh_command_refused" not in started["details"]


def test_commands_and_file_transfer_without_a_terminal_get_nothing(
    deployment: Deployment, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    sshd = deployment.sshd
    asked = sshd.client_argv(f"cat {deployment.users_db}", False, deployment.keys["alice"])
    done = subprocess.run(asked, capture_output=True, timeout=60, env=veil_env)
    assert done.returncode != 0
    assert SQLITE_MAGIC not in done.stdout + done.stderr
    assert b"only the Veil console, which needs a terminal" in done.stderr

    batch = tmp_path / "sftp-batch"
    copy = tmp_path / "stolen.db"
    batch.write_text(f"get {deployment.users_db} {copy}\n")
    options = [o if o != "-p" else "-P" for o in sshd.options(deployment.keys["alice"])]
    sftp = ["sftp", *options, "-b", str(batch), f"{sshd.user}@127.0.0.1"]
    transfer = subprocess.run(sftp, capture_output=True, timeout=60, env=veil_env)
    assert transfer.returncode != 0
    assert not copy.exists()


class Banner:
    """A TCP server on 127.0.0.1 that greets every connection with a secret line: what a
    forwarded port would let an operator reach."""

    SECRET = b"behind the console\n"

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.greeted = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            with connection:
                connection.sendall(self.SECRET)
                self.greeted += 1

    def close(self) -> None:
        self.server.close()


def read_through(port: int, timeout: float = 10.0) -> bytes:
    """What a connection to the forwarded local port receives until it is closed."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
                received = b""
                while chunk := connection.recv(4096):
                    received += chunk
                return received
        except ConnectionRefusedError:  # ssh has not bound the port yet
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_port_forwarding_is_refused(deployment: Deployment, veil_env: dict[str, str]) -> None:
    banner = Banner()
    local = free_port()
    forward = deployment.sshd.client_argv(
        None, False, deployment.keys["alice"], "-N", "-L", f"{local}:127.0.0.1:{banner.port}"
    )
    tunnel = subprocess.Popen(forward, env=veil_env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)  # fmt: skip
    try:
        assert read_through(local) == b""
        assert banner.greeted == 0
    finally:
        tunnel.terminate()
        tunnel.wait(10)
        banner.close()

    remote = deployment.sshd.client_argv(
        None, False, deployment.keys["alice"], "-N", "-o", "ExitOnForwardFailure=yes",
        "-R", f"{free_port()}:127.0.0.1:{banner.port}",
    )  # fmt: skip
    refused = subprocess.run(remote, capture_output=True, text=True, timeout=60, env=veil_env)
    assert refused.returncode != 0
    assert "forwarding failed" in refused.stderr

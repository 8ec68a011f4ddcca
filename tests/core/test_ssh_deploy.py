"""The SSH deployment's parts on their own: naming the key sshd accepted, refusing to run
without that name or a terminal, and `veil deploy ssh` refusing inputs that could break
out of the lines it prints. The whole deployment runs in tests/e2e/test_ssh_deployment.py.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from console.core.access.ssh import SshIdentityError, parse_public_key_line, ssh_identity
from tests.conftest import DEMO_SITE

VEIL = Path(sys.executable).parent / "veil"
SSHD = Path("/usr/sbin/sshd")


def keygen(path: Path, comment: str = "someone@laptop") -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment,
                    "-f", str(path)], check=True, timeout=30)  # fmt: skip
    return path.with_suffix(".pub")


def fingerprint(public: Path) -> str:
    listed = subprocess.run(["ssh-keygen", "-l", "-f", str(public)], check=True,
                            capture_output=True, text=True, timeout=30)  # fmt: skip
    return listed.stdout.split()[1]


def deploy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VEIL), "deploy", "ssh", *args], capture_output=True, text=True,
                          timeout=60)  # fmt: skip


@pytest.fixture
def keys(tmp_path: Path) -> dict[str, Path]:
    return {name: keygen(tmp_path / name) for name in ("alice", "bob")}


def standard(keys: dict[str, Path], *extra: str) -> list[str]:
    return ["--site", "/etc/veil/site.toml", "--data-dir", "/var/lib/veil",
            *(f"--key={name}={pub}" for name, pub in keys.items()), *extra]  # fmt: skip


def sshd_saw(public: Path, tmp_path: Path) -> dict[str, str]:
    """The environment sshd gives a session authenticated with `public` (ExposeAuthInfo)."""
    auth = tmp_path / "sshauth"
    key_type, blob = public.read_text().split()[:2]
    auth.write_text(f"publickey {key_type} {blob}\n")
    return {"SSH_USER_AUTH": str(auth), "SSH_CONNECTION": "10.0.0.7 51234 10.0.0.1 22"}


def test_the_connecting_key_is_named_from_the_authorized_keys(
    keys: dict[str, Path], tmp_path: Path
) -> None:
    printed = deploy(*standard(keys, "--only", "keys"))
    assert printed.returncode == 0, printed.stderr
    keys_file = tmp_path / "authorized_keys"
    keys_file.write_text(printed.stdout)
    env = {**sshd_saw(keys["bob"], tmp_path), "SSH_ORIGINAL_COMMAND": "cat veil.db"}
    identity = ssh_identity(env, keys_file)
    assert identity.details() == {
        "ssh_key": "bob",
        "ssh_fingerprint": fingerprint(keys["bob"]),
        "ssh_from": "10.0.0.7 51234",
        "ssh_command_refused": "cat veil.db",
    }
    lines = [line for line in printed.stdout.splitlines() if not line.startswith("#")]
    assert lines == [f"restrict,pty {' '.join(pub.read_text().split()[:2])} {name}"
                     for name, pub in keys.items()]  # fmt: skip


def test_a_session_that_cannot_be_attributed_is_refused(
    keys: dict[str, Path], tmp_path: Path
) -> None:
    keys_file = tmp_path / "authorized_keys"
    keys_file.write_text(f"restrict,pty {keys['alice'].read_text().split(maxsplit=2)[0]} x\n")
    with pytest.raises(SshIdentityError, match="ExposeAuthInfo yes"):
        ssh_identity({}, keys_file)
    with pytest.raises(SshIdentityError, match="is not listed in"):
        ssh_identity(sshd_saw(keys["bob"], tmp_path), keys_file)

    alice = " ".join(keys["alice"].read_text().split()[:2])
    for comment in ("", "alice smith", "alice\x1b]52;c;x\x07"):
        keys_file.write_text(f"restrict,pty {alice} {comment}\n")
        with pytest.raises(SshIdentityError, match="has no usable name"):
            ssh_identity(sshd_saw(keys["alice"], tmp_path), keys_file)

    keys_file.write_text(f"{alice} alice\n")
    twice = sshd_saw(keys["alice"], tmp_path)
    auth = Path(twice["SSH_USER_AUTH"])
    auth.write_text(auth.read_text() * 2)
    with pytest.raises(SshIdentityError, match="exactly one public key"):
        ssh_identity(twice, keys_file)
    auth.write_text("password\n")
    with pytest.raises(SshIdentityError, match="exactly one public key"):
        ssh_identity(twice, keys_file)


def test_the_console_in_ssh_mode_refuses_without_an_identity_or_a_terminal(
    keys: dict[str, Path], tmp_path: Path
) -> None:
    keys_file = tmp_path / "authorized_keys"
    keys_file.write_text(deploy(*standard(keys, "--only", "keys")).stdout)
    data = tmp_path / "data"
    argv = [str(VEIL), "--site", str(DEMO_SITE), "--data-dir", str(data), "--ssh-keys",
            str(keys_file)]  # fmt: skip
    anonymous = subprocess.run(argv, capture_output=True, text=True, timeout=60,
                               stdin=subprocess.DEVNULL)  # fmt: skip
    assert anonymous.returncode == 3
    assert "SSH_USER_AUTH is not set" in anonymous.stderr
    assert not data.exists(), "nothing is touched for a session nobody can be named for"

    piped = subprocess.run(argv, capture_output=True, text=True, timeout=60, input="",
                           env={**os.environ, **sshd_saw(keys["alice"], tmp_path)})  # fmt: skip
    assert piped.returncode == 2
    assert "this account runs only the Veil console, which needs a terminal" in piped.stderr
    assert not data.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (["--site", "/etc/veil/my site.toml"], "--site '/etc/veil/my site.toml': expected an"),
        (["--data-dir", "/var/lib/veil\nForceCommand /bin/sh"], "--data-dir"),
        (["--data-dir", "/var/lib/veil#x"], "--data-dir"),
        (["--data-dir", "/var/lib/$HOME"], "--data-dir"),
        (["--data-dir", "var/lib/veil"], "expected an absolute path"),
        (["--data-dir", "/var/lib/../../etc"], "--data-dir"),
        (["--veil", "/opt/veil/bin/veil;sh"], "--veil"),
        (["--keys-file", "/etc/veil/keys file"], "--keys-file"),
        (["--account", "Veil"], "--account 'Veil': expected a user name"),
        (["--account", "veil\nMatch all"], "--account"),
    ],
)
def test_deploy_refuses_inputs_that_could_escape_their_line(
    keys: dict[str, Path], change: list[str], message: str
) -> None:
    printed = deploy(*standard(keys), *change)
    assert printed.returncode == 2
    assert printed.stdout == ""
    assert message in printed.stderr


def test_deploy_refuses_bad_or_repeated_keys(keys: dict[str, Path], tmp_path: Path) -> None:
    both = tmp_path / "both.pub"
    both.write_text(keys["alice"].read_text() + keys["bob"].read_text())
    broken = tmp_path / "broken.pub"
    broken.write_text("ssh-ed25519 AAAAB3NzaC1yc2EAAAADAQABAAAAgQ== x\n")
    dsa = tmp_path / "dsa.pub"
    dsa.write_text("ssh-dss AAAAB3NzaC1kc3M= x\n")
    cases = [
        ([f"--key=alice={keys['alice']}", f"--key=alice={keys['bob']}"], "given twice: alice"),
        ([f"--key=alice={keys['alice']}", f"--key=al={keys['alice']}"], "are the same key"),
        ([f"--key=al ice={keys['alice']}"], "expected NAME=FILE"),
        ([f"--key={keys['alice']}"], "expected NAME=FILE"),
        ([f"--key=a={both}"], "exactly one public key"),
        ([f"--key=a={broken}"], "is not an ssh-ed25519 key"),
        ([f"--key=a={dsa}"], "unsupported key type 'ssh-dss'"),
        ([f"--key=a={tmp_path / 'missing.pub'}"], "cannot read"),
    ]
    for flags, message in cases:
        printed = deploy("--site", "/etc/veil/site.toml", "--data-dir", "/var/lib/veil", *flags)
        assert (printed.returncode, printed.stdout) == (2, ""), flags
        assert message in printed.stderr, (flags, printed.stderr)
    missing = deploy(f"--key=a={keys['alice']}")
    assert missing.returncode == 2
    assert "give --site and --data-dir" in missing.stderr


def test_the_printed_sshd_block_is_what_sshd_accepts(keys: dict[str, Path], tmp_path: Path) -> None:
    if not SSHD.is_file() or shutil.which("ssh-keygen") is None:
        pytest.fail("openssh-server is needed (see .ci/run)")
    block = deploy(*standard(keys, "--account", "veil", "--only", "sshd"))
    assert block.returncode == 0, block.stderr
    host_key = tmp_path / "host_key"
    keygen(host_key)
    config = tmp_path / "sshd_config"
    config.write_text(f"HostKey {host_key}\nUsePAM no\n{block.stdout}")
    checked = subprocess.run([str(SSHD), "-t", "-f", str(config)], capture_output=True,
                             text=True, timeout=30)  # fmt: skip
    assert checked.returncode == 0, checked.stderr
    effective = subprocess.run(
        [str(SSHD), "-T", "-f", str(config), "-C", "user=veil,host=h,addr=127.0.0.1"],
        capture_output=True, text=True, timeout=30,
    ).stdout.splitlines()  # fmt: skip
    wanted = {
        "forcecommand": f"exec {VEIL} --site /etc/veil/site.toml --data-dir /var/lib/veil "
        "--ssh-keys /etc/veil/ssh/authorized_keys",
        "exposeauthinfo": "yes",
        "disableforwarding": "yes",
        "passwordauthentication": "no",
        "authenticationmethods": "publickey",
        "permittunnel": "no",
        "maxsessions": "1",
    }
    settings = dict(line.split(" ", 1) for line in effective if " " in line)
    assert {key: settings.get(key) for key in wanted} == wanted


def test_a_public_key_is_checked_against_its_own_type(keys: dict[str, Path]) -> None:
    key = parse_public_key_line(keys["alice"].read_text())
    assert key.comment == "someone@laptop"
    assert key.fingerprint == fingerprint(keys["alice"])

"""Which operator's SSH key opened this console, for the audit beside the console login.

In the supported SSH deployment (README, "Deployment: SSH") every operator connects to
one dedicated `veil` account with a key of their own, and sshd's `ForceCommand` runs
`veil --ssh-keys FILE`. The console login says which Veil user logged in; the key says
which person held the connection, which matters when users share a desk or a password
leaks. The key is learned from sshd itself: with `ExposeAuthInfo yes`, sshd writes the
methods it accepted to a file named by `SSH_USER_AUTH`, including the public key that
authenticated. Nothing the client sends (its environment, its command) is trusted for
this. The key's name is the comment of its line in the authorized keys file the
administrator keeps (root's, outside the `veil` account's reach), and its SHA-256
fingerprint is recorded too, as `ssh-keygen -l` prints it.

When the identity cannot be established (no `SSH_USER_AUTH`, no public key in it, or a
key the authorized keys file does not list), the console refuses to start: a session
that cannot be attributed is not one the audit can account for.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

KEY_TYPES = frozenset(
    {
        "ssh-ed25519",
        "ssh-rsa",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
        "sk-ssh-ed25519@openssh.com",
        "sk-ecdsa-sha2-nistp256@openssh.com",
    }
)
"""Public key types OpenSSH 9 accepts for users (DSA is gone)."""
KEY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}")
"""Key names as `veil deploy ssh` writes them: one word, safe in any listing or log."""
COMMAND_SHOWN = 200
"""Characters of a command the client asked for that the audit keeps."""


class SshIdentityError(Exception):
    """The connecting key cannot be named; the message says why and what to fix."""


@dataclass(frozen=True, slots=True)
class PublicKey:
    """One OpenSSH public key: its type, its key blob and the comment after it."""

    type: str
    blob: bytes
    comment: str = ""

    @property
    def fingerprint(self) -> str:
        """`SHA256:...` exactly as `ssh-keygen -l` prints it."""
        digest = base64.b64encode(hashlib.sha256(self.blob).digest()).decode().rstrip("=")
        return f"SHA256:{digest}"

    def line(self, options: str = "") -> str:
        """The key as an authorized_keys (or .pub) line, with `options` in front."""
        text = f"{self.type} {base64.b64encode(self.blob).decode()}"
        if self.comment:
            text = f"{text} {self.comment}"
        return f"{options} {text}" if options else text


def parse_key(key_type: str, encoded: str, comment: str = "") -> PublicKey:
    """A public key from its type and base64 text, checked to be what it says it is.

    The blob starts with its own type as an SSH string; a mismatch is a damaged or
    doctored key, refused rather than named.
    """
    if key_type not in KEY_TYPES:
        raise ValueError(f"unsupported key type {key_type!r}; expected one of {_types()}")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"the {key_type} key is not valid base64") from None
    length = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if length < 0 or blob[4 : 4 + length] != key_type.encode():
        raise ValueError(f"the key's data is not an {key_type} key")
    return PublicKey(key_type, blob, comment)


def parse_public_key_line(line: str) -> PublicKey:
    """A `.pub` file's line: `TYPE BASE64 [COMMENT]` (no options)."""
    fields = line.split(maxsplit=2)
    if len(fields) < 2:
        raise ValueError("expected TYPE BASE64 [COMMENT], as in a .pub file")
    return parse_key(fields[0], fields[1], fields[2].strip() if len(fields) > 2 else "")


def _types() -> str:
    return ", ".join(sorted(KEY_TYPES))


@dataclass(frozen=True, slots=True)
class SshIdentity:
    """Who holds this SSH connection, as the audit records it beside every login."""

    key_name: str
    fingerprint: str
    client: str
    """Address and port the connection came from (`SSH_CONNECTION`), "" if unknown."""
    requested: str = ""
    """The command the client asked for instead of the console, if any (it never runs)."""

    def details(self) -> dict[str, str]:
        found = {
            "ssh_key": self.key_name,
            "ssh_fingerprint": self.fingerprint,
            "ssh_from": self.client,
        }
        if self.requested:
            found["ssh_command_refused"] = self.requested[:COMMAND_SHOWN]
        return found


def ssh_identity(env: Mapping[str, str], keys_file: Path) -> SshIdentity:
    """The identity of the key sshd accepted for this session (see the module docstring)."""
    auth_path = env.get("SSH_USER_AUTH")
    if not auth_path:
        raise SshIdentityError(
            "SSH_USER_AUTH is not set: run under sshd with 'ExposeAuthInfo yes' "
            "(see veil deploy ssh), so the audit can name the key that connected"
        )
    try:
        accepted = Path(auth_path).read_text(encoding="ascii", errors="replace")
    except OSError as error:
        raise SshIdentityError(f"cannot read SSH_USER_AUTH ({auth_path}): {error}") from None
    used = [line.split() for line in accepted.splitlines() if line.startswith("publickey ")]
    if len(used) != 1 or len(used[0]) < 3:
        raise SshIdentityError(
            "sshd did not report exactly one public key for this session; only key "
            "logins are supported (AuthenticationMethods publickey)"
        )
    try:
        key = parse_key(used[0][1], used[0][2])
    except ValueError as error:
        raise SshIdentityError(f"the key sshd reported: {error}") from None
    name = _name_in(keys_file, key)
    client = " ".join(env.get("SSH_CONNECTION", "").split()[:2])
    return SshIdentity(name, key.fingerprint, client, env.get("SSH_ORIGINAL_COMMAND", ""))


def _name_in(keys_file: Path, key: PublicKey) -> str:
    """The comment of `key`'s line in the authorized keys file."""
    try:
        lines = keys_file.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as error:
        raise SshIdentityError(f"cannot read the authorized keys {keys_file}: {error}") from None
    encoded = base64.b64encode(key.blob).decode()
    for line in lines:
        fields = line.split()
        for index in range(len(fields) - 1):
            if fields[index] == key.type and fields[index + 1] == encoded:
                comment = " ".join(fields[index + 2 :])
                if not KEY_NAME.fullmatch(comment):
                    raise SshIdentityError(
                        f"the key {key.fingerprint} in {keys_file} has no usable name: "
                        "its comment must be one word of letters, digits and ._@+- "
                        "(veil deploy ssh writes it)"
                    )
                return comment
    raise SshIdentityError(f"the key {key.fingerprint} is not listed in {keys_file}")

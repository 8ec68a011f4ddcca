"""The site's Ed25519 export key: made once by an administrator, used for every export.

The private key is a PKCS#8 PEM file in the data dir, mode 0600 in a 0700 folder, owned
by the account that runs Veil. It is not passphrase-protected: exports run unattended
from the console and from scripts, and a passphrase typed at every export would end up
in scripts. Its protection is the account, so a key file another account could read (or
replace) is refused, as ssh refuses such keys: whoever could copy it could sign forged
exports.

Recipients get the public key (`veil keys export-public`) and check exports against it.
A key id is the first 16 hex digits of the SHA-256 of the 32 raw public-key bytes: short
enough to read aloud, and named in every manifest and audit record.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from console.core.evidence.durable import sync_folder
from console.core.evidence.errors import ExportError

ALGORITHM = "Ed25519"
KEY_ID_DIGITS = 16
LARGEST_KEY_FILE = 64 * 1024
"""Any PEM key is far smaller; a bigger file is not a key and is not read."""


class KeyProblem(ExportError):
    """The export key cannot be made, read or trusted; the message says what to do."""


class NoExportKey(KeyProblem):
    """The site has no export key yet."""


class KeyExists(KeyProblem):
    """`keys init` would replace a key that exports may already be signed with."""


@dataclass(frozen=True, slots=True)
class PublicKey:
    """What a recipient holds: checks signatures, names itself by its key id."""

    key: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        return self.key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    @property
    def key_id(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()[:KEY_ID_DIGITS]

    def pem(self) -> str:
        return self.key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        ).decode("ascii")

    def base64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def verifies(self, signature: bytes, data: bytes) -> bool:
        try:
            self.key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True, slots=True)
class ExportKey:
    """The site's private export key."""

    private: Ed25519PrivateKey
    path: Path

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.private.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private.sign(data)


def no_key_message(path: Path) -> str:
    return (
        f"no export signing key at {path}. Every export is signed so that recipients can "
        "prove it is unchanged and came from this site; an administrator creates the key "
        "once with `veil keys init` (with the same --data-dir) and gives recipients the "
        "output of `veil keys export-public`"
    )


def create_export_key(path: Path, replace: bool = False) -> ExportKey:
    """A new key, saved at `path`; KeyExists unless `replace`."""
    key = new_export_key(path, replace)
    save_export_key(key, replace)
    return key


def new_export_key(path: Path, replace: bool = False) -> ExportKey:
    """A new key for `path`, not yet saved; KeyExists already now unless `replace`, so
    a refused `keys init` leaves no trace in the audit."""
    if not replace and os.path.lexists(path):
        raise KeyExists(_exists_message(path))
    return ExportKey(Ed25519PrivateKey.generate(), path)


def save_export_key(key: ExportKey, replace: bool = False) -> None:
    """Write `key` to its path (0600, its folder made 0700); KeyExists unless `replace`.

    Written under a temporary name and linked into place, so a key is never half
    written and of two `keys init` at once only one wins.
    """
    path = key.path
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    except OSError as error:
        raise KeyProblem(f"cannot prepare {folder} for the key: {error.strerror}") from None
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    handle, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.partial-")
    temp = Path(name)
    try:
        try:
            os.fchmod(handle, 0o600)
            os.write(handle, pem)
            os.fsync(handle)
        finally:
            os.close(handle)
        if replace:
            os.replace(temp, path)
        else:
            os.link(temp, path)  # fails if the name was taken meanwhile
        sync_folder(folder)
    except FileExistsError:
        raise KeyExists(_exists_message(path)) from None
    except OSError as error:
        raise KeyProblem(f"cannot write the key {path}: {error.strerror or error}") from None
    finally:
        temp.unlink(missing_ok=True)


def _exists_message(path: Path) -> str:
    return (
        f"{path} already holds an export key; exports signed with it verify only against "
        "it. To make a new one anyway, give --replace (keep the old public key for the "
        "exports it signed)"
    )


def load_export_key(path: Path) -> ExportKey:
    """The key at `path`, refused when it is missing, not ours, or readable by others."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        raise NoExportKey(no_key_message(path)) from None
    except OSError as error:
        raise KeyProblem(
            f"cannot read the export key {path}: {error.strerror or error} "
            "(it must be a plain file, not a symbolic link)"
        ) from None
    try:
        info = os.fstat(descriptor)
        _check_private(path, info)
        data = os.read(descriptor, LARGEST_KEY_FILE + 1)
    finally:
        os.close(descriptor)
    try:
        private = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError):
        private = None
    if not isinstance(private, Ed25519PrivateKey):
        raise KeyProblem(f"{path} is not an unencrypted Ed25519 private key in PEM form")
    return ExportKey(private, path)


def _check_private(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise KeyProblem(f"the export key {path} is not a plain file")
    if info.st_uid != os.geteuid():
        raise KeyProblem(
            f"the export key {path} belongs to another account (uid {info.st_uid}); "
            "only the account that runs Veil may hold it"
        )
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise KeyProblem(
            f"the export key {path} is readable or writable by others (mode {mode:04o}); "
            f"run `chmod 600 {path}`, and since others could have copied it, consider "
            "`veil keys init --replace`"
        )
    if info.st_size > LARGEST_KEY_FILE:
        raise KeyProblem(f"{path} is {info.st_size} bytes: too large to be a key")


def parse_public_key(text: str, source: str) -> PublicKey:
    """A public key as `export-public` prints it: PEM, or the 32 raw bytes in base64."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(stripped.encode("ascii", "replace"))
        except ValueError:
            key = None
        if not isinstance(key, Ed25519PublicKey):
            raise KeyProblem(f"{source}: not an Ed25519 public key in PEM form")
        return PublicKey(key)
    try:
        raw = base64.b64decode(stripped, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 32:
        raise KeyProblem(
            f"{source}: expected an Ed25519 public key, as PEM or as 32 bytes in base64 "
            "(the output of `veil keys export-public`)"
        )
    return PublicKey(Ed25519PublicKey.from_public_bytes(raw))

"""Camera stream credentials, kept in the operating system's keyring, never in site.toml.

A site file is copied around, committed and attached to tickets; a camera password in
it would leak with it. The site names a credential instead, and the secret lives in the
OS keyring under service ``veil`` as ``user:password`` for the account
``camera:<name>``. Messages from this module name the credential and the backend, never
the user or password stored. Errors are the frame sources' `CredentialError`, so
`resolve` is the `CredentialLookup` a `CameraFeed` takes.

Only a secure backend is used. With keyrings.alt installed and no Secret Service, the
keyring library quietly picks `PlaintextKeyring`, a file any process of the account (or
a backup) can read; the null backend throws secrets away and the fail backend has none.
Veil refuses those, and every keyrings.alt file backend that does not encrypt, naming
the backend and how to select a secure one. Of a chain of backends, Veil uses the one a
chain would store into (the first), so a secret is read from where it was written.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any, TypeVar

from console.core.video.sources import CredentialError

__all__ = [
    "SERVICE",
    "CredentialError",
    "account",
    "backend_name",
    "database_password",
    "delete",
    "resolve",
    "store",
]

T = TypeVar("T")

SERVICE = "veil"
"""Keyring service name for every Veil secret."""


def _keyring() -> ModuleType:
    """Import keyring on first use: loading its backends costs ~0.1 s on every `veil` start."""
    import keyring
    import keyring.errors

    return keyring


def account(name: str) -> str:
    """The keyring user name a camera credential is filed under."""
    return f"camera:{name}"


_SECURE_BACKEND_ADVICE = (
    "install and unlock a Secret Service (GNOME Keyring or KWallet) and select it with "
    "PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring (or in keyringrc.cfg; "
    "`python3 -m keyring --list-backends` lists the backends installed)"
)

_INSECURE: dict[str, str] = {
    "keyring.backends.fail.Keyring": "is no keyring at all",
    "keyring.backends.null.Keyring": "throws every secret away",
    "keyring.backends.chainer.ChainerBackend": "chains no keyring at all",
}
"""Backends (by class, or a base class) Veil never stores in, and why."""

_FILE_BACKEND = "keyrings.alt.file_base.Keyring"
_ENCRYPTED = "keyrings.alt.file.Encrypted"


def _qualified(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _chosen() -> Any:
    """The backend Veil uses: the keyring library's choice, or the first of its chain."""
    backend = _keyring().get_keyring()
    if _qualified(type(backend)) == "keyring.backends.chainer.ChainerBackend":
        return next(iter(backend.backends), backend)
    return backend


def _why_insecure(backend: object) -> str | None:
    """Why `backend` may not hold camera passwords, or None when it may."""
    lineage = {_qualified(cls) for cls in type(backend).__mro__}
    for name, why in _INSECURE.items():
        if name in lineage:
            return why
    if _FILE_BACKEND in lineage and _ENCRYPTED not in lineage:
        return "keeps secrets unencrypted in a file"
    return None


def _backend() -> Any:
    """The secure backend to use, or CredentialError naming the one refused and why."""
    backend = _chosen()
    why = _why_insecure(backend)
    if why is not None:
        raise CredentialError(
            f"keyring backend {_qualified(type(backend))} {why}: Veil keeps camera "
            f"credentials only in a secure keyring; {_SECURE_BACKEND_ADVICE}"
        )
    return backend


def backend_name() -> str:
    """Which keyring is in use, so an administrator can see where secrets went."""
    return _qualified(type(_chosen()))


def store(name: str, user: str, password: str) -> None:
    """Save `user` and `password` for credential `name`, replacing any earlier pair."""
    _check_name(name)
    if not user or ":" in user:
        raise CredentialError("the camera user name must be non-empty and contain no ':'")
    if not password:
        raise CredentialError("the camera password must not be empty")
    _call(lambda: _backend().set_password(SERVICE, account(name), f"{user}:{password}"), name)


def delete(name: str) -> None:
    _check_name(name)
    try:
        _call(lambda: _backend().delete_password(SERVICE, account(name)), name)
    except CredentialError as error:
        if isinstance(error.__cause__, _keyring().errors.PasswordDeleteError):
            raise CredentialError(f"no credential {name!r} is stored") from None
        raise


def resolve(name: str) -> tuple[str, str]:
    """The (user, password) stored for credential `name`."""
    _check_name(name)
    secret = _call(lambda: _backend().get_password(SERVICE, account(name)), name)
    if secret is None:
        raise CredentialError(f"no credential {name!r} is stored; run: veil credential set {name}")
    user, separator, password = secret.partition(":")
    if not separator or not user:
        raise CredentialError(
            f"credential {name!r} is not in the form user:password; set it again with "
            f"veil credential set {name}"
        )
    return user, password


def _check_name(name: str) -> None:
    if not name or any(character.isspace() or character == ":" for character in name):
        raise CredentialError(f"invalid credential name {name!r}: no spaces or ':' allowed")


def _call(action: Callable[[], T], name: str) -> T:
    """Run a keyring operation, turning every backend failure into a CredentialError.

    Backends raise more than `KeyringError` (D-Bus and file errors among them), and a
    camera feed must get a message rather than die on whichever one occurs.
    """
    try:
        return action()
    except CredentialError:
        raise
    except Exception as error:
        raise CredentialError(
            f"keyring {backend_name()} failed for credential {name!r}: {type(error).__name__}"
        ) from error


def database_password(role: str) -> str | None:
    """The PostgreSQL console role's password from the keyring (account
    ``database:<role>``), or None so that libpq looks in PGPASSFILE / ~/.pgpass.

    A keyring that cannot be used is no reason to refuse: libpq may still find the
    password, and the server says so plainly when nobody did.
    """
    try:
        found = _call(lambda: _backend().get_password(SERVICE, f"database:{role}"), role)
    except CredentialError:
        return None
    return str(found) if found is not None else None

"""Camera stream credentials, kept in the operating system's keyring, never in site.toml.

A site file is copied around, committed and attached to tickets; a camera password in
it would leak with it. The site names a credential instead, and the secret lives in the
OS keyring under service ``veil`` as ``user:password`` for the account
``camera:<name>``. Messages from this module name the credential and the backend, never
the user or password stored. Errors are the frame sources' `CredentialError`, so
`resolve` is the `CredentialLookup` a `CameraFeed` takes.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import TypeVar

from console.core.video.sources import CredentialError

__all__ = ["SERVICE", "CredentialError", "account", "backend_name", "delete", "resolve", "store"]

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


def backend_name() -> str:
    """Which keyring is in use, so an administrator can see where secrets went."""
    backend = _keyring().get_keyring()
    return f"{type(backend).__module__}.{type(backend).__name__}"


def store(name: str, user: str, password: str) -> None:
    """Save `user` and `password` for credential `name`, replacing any earlier pair."""
    _check_name(name)
    if not user or ":" in user:
        raise CredentialError("the camera user name must be non-empty and contain no ':'")
    if not password:
        raise CredentialError("the camera password must not be empty")
    _call(lambda: _keyring().set_password(SERVICE, account(name), f"{user}:{password}"), name)


def delete(name: str) -> None:
    _check_name(name)
    try:
        _call(lambda: _keyring().delete_password(SERVICE, account(name)), name)
    except CredentialError as error:
        if isinstance(error.__cause__, _keyring().errors.PasswordDeleteError):
            raise CredentialError(f"no credential {name!r} is stored") from None
        raise


def resolve(name: str) -> tuple[str, str]:
    """The (user, password) stored for credential `name`."""
    _check_name(name)
    secret = _call(lambda: _keyring().get_password(SERVICE, account(name)), name)
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
    except _keyring().errors.NoKeyringError:
        raise CredentialError(
            "no usable keyring backend to hold camera credentials; install and unlock a "
            "Secret Service (e.g. GNOME Keyring or KWallet), or select one with "
            "PYTHON_KEYRING_BACKEND"
        ) from None
    except Exception as error:
        raise CredentialError(
            f"keyring {backend_name()} failed for credential {name!r}: {type(error).__name__}"
        ) from error

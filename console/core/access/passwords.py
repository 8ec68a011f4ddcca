"""Password hashing for console users and supervisors.

scrypt is memory-hard, so guessing a stolen users database on GPUs stays expensive, and
it ships with Python (no native dependency on an operator workstation). Every hash
carries its own parameters, ``scrypt$n$r$p$salt$hash``, so the cost can be raised later:
old hashes still verify, `needs_rehash` says which ones to upgrade, and the users store
rehashes on the next successful login.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

MIN_LENGTH = 8
"""Shortest accepted password, in characters."""

MAX_LENGTH = 1024
"""Longest accepted password: anything longer is a paste accident, not a password."""


class PasswordPolicyError(ValueError):
    """A new password does not meet the policy; the message says which rule."""


@dataclass(frozen=True, slots=True)
class ScryptParams:
    """scrypt cost parameters, stored with every hash."""

    n: int
    """CPU/memory cost, a power of two."""
    r: int
    """Block size."""
    p: int
    """Parallelism (run sequentially by hashlib, so it multiplies CPU time)."""
    dklen: int = 32
    """Derived key length in bytes."""

    @property
    def maxmem(self) -> int:
        """Memory hashlib must be allowed: scrypt needs 128 * n * r bytes, plus slack."""
        return 128 * self.n * self.r * 2 + 1024 * 1024


DEFAULT_PARAMS = ScryptParams(n=2**15, r=8, p=3)
"""OWASP's scrypt option with 32 MiB per guess (same work as n=2^17, p=1 at a quarter of
the memory); about 0.4 s on a 2020s core, run off the UI thread."""

_SALT_BYTES = 16
_SCHEME = "scrypt"


def check_policy(password: str) -> None:
    """Refuse a password that may not be set; never includes the password in the message."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"a password may have at most {MAX_LENGTH} characters")


def hash_password(password: str, params: ScryptParams = DEFAULT_PARAMS) -> str:
    """Hash with a fresh random salt, in the self-describing stored form."""
    salt = os.urandom(_SALT_BYTES)
    digest = _derive(password, salt, params)
    return "$".join(
        (_SCHEME, str(params.n), str(params.r), str(params.p), _b64(salt), _b64(digest))
    )


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches; a malformed stored hash never matches (fail closed)."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    params, salt, expected = parsed
    return hmac.compare_digest(_derive(password, salt, params), expected)


def needs_rehash(stored: str, params: ScryptParams = DEFAULT_PARAMS) -> bool:
    """True when `stored` was made with other parameters than today's (or is unreadable)."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != params


def _derive(password: str, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=params.n,
        r=params.r,
        p=params.p,
        dklen=params.dklen,
        maxmem=params.maxmem,
    )


def _parse(stored: str) -> tuple[ScryptParams, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != _SCHEME:
        return None
    try:
        n, r, p = (int(part) for part in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        digest = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error):
        return None
    # Bounded so a planted hash cannot make a login allocate gigabytes.
    if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if not salt or not digest:
        return None
    return ScryptParams(n=n, r=r, p=p, dklen=len(digest)), salt, digest


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")

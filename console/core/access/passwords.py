"""Password hashing for console users and supervisors.

scrypt is memory-hard, so guessing a stolen users database on GPUs stays expensive, and
it ships with Python (no native dependency on an operator workstation). Every hash
carries its own parameters, ``scrypt$n$r$p$salt$hash``, so the cost can be raised later:
old hashes still verify, `needs_rehash` says which ones to upgrade, and the users store
rehashes on the next successful login.

A password travels from the field it was typed in to scrypt as a `Secret`, never as a
bare `str`: Textual's crash screen prints every frame's locals and a worker's
description prints its arguments, and a `Secret` prints as ``Secret('***')`` in both.
Only `_derive` reveals it, straight into hashlib.

Stored parameters are read back within what hashlib can run and a console can afford
(`MAX_MEMORY`, `MAX_WORK`): a planted ``n=2^20`` once passed the parser and made
hashlib raise, crashing the login with the typed password in the traceback. A hash
outside them, and any error while deriving, is simply a password that does not match.
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


MAX_MEMORY = 128 * 2**20
"""Most memory one stored hash may make a check use: OWASP's strongest scrypt setting
(n=2^17, r=8), four times the default; hashlib itself refuses beyond 2 GiB."""

MAX_WORK = 2 * MAX_MEMORY
"""Most scrypt work (memory times parallelism) one check may cost: about 2.5 s of a core."""


class PasswordPolicyError(ValueError):
    """A new password does not meet the policy; the message says which rule."""


class Secret:
    """A password that never shows itself: its repr and str are ``Secret('***')``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The password itself, for the one place that needs it (scrypt) and the policy."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


def as_secret(password: Secret | str) -> Secret:
    """A `Secret` for what the store's entry points take: the console passes a `Secret`;
    command-line verbs and tests may pass a `str` (Python's own tracebacks show no locals)."""
    return password if isinstance(password, Secret) else Secret(password)


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
    def memory(self) -> int:
        """Bytes scrypt works in: 128 * n * r."""
        return 128 * self.n * self.r

    @property
    def maxmem(self) -> int:
        """Memory hashlib must be allowed: `memory`, twice over, plus slack for the p blocks."""
        return self.memory * 2 + 1024 * 1024

    @property
    def affordable(self) -> bool:
        """Whether hashlib accepts these parameters and a login may spend what they cost.

        n is a power of two below 2^(16 r) (scrypt's own rule), r and p are in the ranges
        hashlib and OpenSSL take, and memory and work stay within `MAX_MEMORY` and
        `MAX_WORK`, which keeps `maxmem` far below hashlib's 2 GiB limit.
        """
        n, r, p = self.n, self.r, self.p
        return (
            2 <= n < 2 ** (16 * r)
            and n & (n - 1) == 0
            and 1 <= r <= 32
            and 1 <= p <= 16
            and self.memory <= MAX_MEMORY
            and self.memory * p <= MAX_WORK
        )


DEFAULT_PARAMS = ScryptParams(n=2**15, r=8, p=3)
"""OWASP's scrypt option with 32 MiB per guess (same work as n=2^17, p=1 at a quarter of
the memory); about 0.4 s on a 2020s core, run off the UI thread."""

_SALT_BYTES = 16
_SCHEME = "scrypt"


def check_policy(password: Secret) -> None:
    """Refuse a password that may not be set; never includes the password in the message."""
    length = len(password.reveal())
    if length < MIN_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_LENGTH} characters")
    if length > MAX_LENGTH:
        raise PasswordPolicyError(f"a password may have at most {MAX_LENGTH} characters")


def hash_password(password: Secret, params: ScryptParams = DEFAULT_PARAMS) -> str:
    """Hash with a fresh random salt, in the self-describing stored form."""
    salt = os.urandom(_SALT_BYTES)
    digest = _derive(password, salt, params)
    return "$".join(
        (_SCHEME, str(params.n), str(params.r), str(params.p), _b64(salt), _b64(digest))
    )


def verify_password(password: Secret, stored: str) -> bool:
    """True when `password` matches. A malformed stored hash never matches, nor does one
    hashlib cannot check: every error is a failed check (fail closed), never a crash."""
    parsed = _parse(stored)
    if parsed is None:
        return False
    params, salt, expected = parsed
    try:
        derived = _derive(password, salt, params)
    except Exception:  # hashlib's ValueError, MemoryError, OpenSSL's errors: no match
        return False
    return hmac.compare_digest(derived, expected)


def needs_rehash(stored: str, params: ScryptParams = DEFAULT_PARAMS) -> bool:
    """True when `stored` was made with other parameters than today's (or is unreadable)."""
    parsed = _parse(stored)
    return parsed is None or parsed[0] != params


def _derive(password: Secret, salt: bytes, params: ScryptParams) -> bytes:
    return hashlib.scrypt(
        password.reveal().encode("utf-8"),
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
    params = ScryptParams(n=n, r=r, p=p, dklen=len(digest))
    if not params.affordable or not salt or not digest:
        return None
    return params, salt, digest


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")

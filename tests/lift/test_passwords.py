"""scrypt hashes carry their parameters, compare in constant time and enforce the policy."""

from __future__ import annotations

import pytest

from console.core.access.passwords import (
    DEFAULT_PARAMS,
    PasswordPolicyError,
    ScryptParams,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from tests.lift.conftest import FAST


def test_hash_stores_parameters_and_a_per_hash_salt() -> None:
    first = hash_password("correct horse", FAST)
    second = hash_password("correct horse", FAST)
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", FAST.n, FAST.r, FAST.p)
    assert salt != second.split("$")[4]
    assert digest != second.split("$")[5]
    assert "correct horse" not in first


def test_default_parameters_are_memory_hard_and_verify() -> None:
    stored = hash_password("correct horse")
    assert stored.startswith(f"scrypt${2**15}$8$3$")
    assert verify_password("correct horse", stored)
    assert not needs_rehash(stored)


def test_wrong_password_does_not_verify() -> None:
    stored = hash_password("correct horse", FAST)
    assert verify_password("correct horse", stored)
    assert not verify_password("correct hors", stored)
    assert not verify_password("", stored)


def test_raised_parameters_ask_for_a_rehash() -> None:
    stored = hash_password("correct horse", FAST)
    assert not needs_rehash(stored, FAST)
    assert needs_rehash(stored, ScryptParams(n=FAST.n * 2, r=FAST.r, p=FAST.p))
    assert needs_rehash(stored, DEFAULT_PARAMS)
    # An old hash keeps verifying after the default moves on.
    assert verify_password("correct horse", stored)


@pytest.mark.parametrize(
    "stored",
    [
        "",
        "plaintext",
        "bcrypt$256$8$1$c2FsdA==$ZGlnZXN0",
        "scrypt$255$8$1$c2FsdA==$ZGlnZXN0",  # n not a power of two
        f"scrypt${2**24}$8$1$c2FsdA==$ZGlnZXN0",  # would allocate gigabytes
        "scrypt$256$8$1$not base64!$ZGlnZXN0",
        "scrypt$256$8$1$$ZGlnZXN0",
    ],
)
def test_malformed_hashes_never_match(stored: str) -> None:
    assert not verify_password("anything at all", stored)
    assert needs_rehash(stored, FAST)


def test_policy_needs_eight_characters() -> None:
    check_policy("12345678")
    with pytest.raises(PasswordPolicyError, match="at least 8") as caught:
        check_policy("1234567")
    assert "1234567" not in str(caught.value)

"""scrypt hashes carry their parameters, compare in constant time and enforce the policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.pretty import pretty_repr

from console.core.access.passwords import (
    DEFAULT_PARAMS,
    MAX_MEMORY,
    MAX_WORK,
    PasswordPolicyError,
    ScryptParams,
    Secret,
    check_policy,
    hash_password,
    needs_rehash,
    verify_password,
)
from tests.lift.conftest import FAST

HORSE = Secret("correct horse")


def test_hash_stores_parameters_and_a_per_hash_salt() -> None:
    first = hash_password(HORSE, FAST)
    second = hash_password(HORSE, FAST)
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", FAST.n, FAST.r, FAST.p)
    assert salt != second.split("$")[4]
    assert digest != second.split("$")[5]
    assert "correct horse" not in first


def test_default_parameters_are_memory_hard_and_verify() -> None:
    stored = hash_password(HORSE)
    assert stored.startswith(f"scrypt${2**15}$8$3$")
    assert verify_password(HORSE, stored)
    assert not needs_rehash(stored)


def test_wrong_password_does_not_verify() -> None:
    stored = hash_password(HORSE, FAST)
    assert verify_password(HORSE, stored)
    assert not verify_password(Secret("correct hors"), stored)
    assert not verify_password(Secret(""), stored)


def test_raised_parameters_ask_for_a_rehash() -> None:
    stored = hash_password(HORSE, FAST)
    assert not needs_rehash(stored, FAST)
    assert needs_rehash(stored, ScryptParams(n=FAST.n * 2, r=FAST.r, p=FAST.p))
    assert needs_rehash(stored, DEFAULT_PARAMS)
    # An old hash keeps verifying after the default moves on.
    assert verify_password(HORSE, stored)


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
    assert not verify_password(Secret("anything at all"), stored)
    assert needs_rehash(stored, FAST)


def test_policy_needs_eight_characters() -> None:
    check_policy(Secret("12345678"))
    with pytest.raises(PasswordPolicyError, match="at least 8") as caught:
        check_policy(Secret("1234567"))
    assert "1234567" not in str(caught.value)


def test_a_hash_hashlib_refuses_is_a_failed_check_not_an_error() -> None:
    """n=2^20 with r=8 once passed the parser; hashlib then raised ValueError (maxmem)."""
    planted = f"scrypt${2**20}$8$1$c2FsdA==$ZGlnZXN0"
    assert not verify_password(HORSE, planted)
    assert needs_rehash(planted, FAST)


def test_any_error_while_deriving_is_a_failed_check(monkeypatch: pytest.MonkeyPatch) -> None:
    stored = hash_password(HORSE, FAST)

    def exhausted(*args: object, **kwargs: object) -> bytes:
        raise MemoryError

    monkeypatch.setattr("hashlib.scrypt", exhausted)
    assert not verify_password(HORSE, stored)


@given(
    log_n=st.integers(1, 30),
    r=st.integers(0, 40),
    p=st.integers(0, 20),
)
def test_parameters_read_back_are_ones_hashlib_takes(log_n: int, r: int, p: int) -> None:
    """Whatever the parser accepts, hashlib accepts: a maxmem under its 2 GiB limit and
    at least what OpenSSL's scrypt asks for (128 r (n + p + 2) bytes)."""
    params = ScryptParams(n=2**log_n, r=r, p=p)
    if params.affordable:
        assert 128 * r * (params.n + p + 2) <= params.maxmem <= 2**31 - 1
        assert params.memory <= MAX_MEMORY and params.memory * p <= MAX_WORK
        assert params.n < 2 ** (16 * r)


@pytest.mark.parametrize(
    "params",
    [
        ScryptParams(n=2**17, r=8, p=1),  # the most memory allowed
        ScryptParams(n=2**15, r=1, p=16),  # the largest n for r=1, the most parallelism
        ScryptParams(n=2, r=32, p=1),
    ],
    ids=["most-memory", "r1-most-p", "widest-r"],
)
def test_the_edges_of_what_is_accepted_verify(params: ScryptParams) -> None:
    assert params.affordable
    assert verify_password(HORSE, hash_password(HORSE, params))


@pytest.mark.parametrize(
    "params",
    [
        ScryptParams(n=2**18, r=8, p=1),  # twice the memory allowed
        ScryptParams(n=2**17, r=8, p=3),  # within memory, three times over on work
        ScryptParams(n=2**16, r=1, p=1),  # scrypt needs n < 2^(16 r)
        ScryptParams(n=2**10, r=8, p=17),
        ScryptParams(n=2**10, r=33, p=1),
    ],
)
def test_parameters_beyond_the_bounds_are_refused(params: ScryptParams) -> None:
    assert not params.affordable


def test_a_secret_never_shows_itself() -> None:
    secret = Secret("hunter2-hunter2")
    shown = [repr(secret), str(secret), f"{secret}", f"{secret!r}", pretty_repr([secret])]
    assert all("hunter2" not in text for text in shown)
    assert secret.reveal() == "hunter2-hunter2"

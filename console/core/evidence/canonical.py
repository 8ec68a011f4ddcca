"""RFC 8785 (JSON Canonicalization Scheme): the one byte string a manifest is signed as.

A signature must cover bytes, while a manifest is read and re-written by people and
tools that reflow JSON. JCS fixes the bytes independently of layout: no whitespace,
object members sorted by their names' UTF-16 code units, minimal string escapes, and
numbers as ECMAScript prints them. Because it is a published standard, a recipient can
check a Veil signature with any JCS library and any Ed25519 tool, without Veil.

Python's `json` already escapes strings exactly as JCS does (with `ensure_ascii=False`);
numbers and member order are done here.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

SAFE_INTEGER = 2**53
"""Integers beyond this have no exact IEEE 754 double, so JCS cannot carry them."""


class NotCanonical(ValueError):
    """The value has no RFC 8785 form (NaN, a huge integer, a non-string key, bad Unicode)."""


def canonical_json(value: object) -> bytes:
    """`value` (dicts, lists, strings, numbers, booleans, None) as RFC 8785 UTF-8 bytes."""
    try:
        return _encode(value).encode("utf-8")
    except UnicodeEncodeError as error:
        raise NotCanonical(f"a string is not valid Unicode: {error.reason}") from None


def _encode(value: object) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if abs(value) >= SAFE_INTEGER:
            raise NotCanonical(f"the integer {value} is beyond 2^53")
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise NotCanonical(f"the object key {key!r} is not a string")
        members = sorted(value.items(), key=lambda item: item[0].encode("utf-16-be"))
        return "{" + ",".join(f"{_encode(k)}:{_encode(v)}" for k, v in members) + "}"
    raise NotCanonical(f"{type(value).__name__} has no JSON form")


def _number(value: float) -> str:
    """ECMAScript's Number::toString: Python's shortest round-trip digits, laid out as ES does."""
    if not math.isfinite(value):
        raise NotCanonical(f"{value} is not a JSON number")
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    assert isinstance(exponent, int)  # finite, so never 'n', 'N' or 'F'
    k = len(digits)
    n = exponent + len(digit_tuple)  # value = 0.digits * 10^n
    if k <= n <= 21:
        return sign + digits + "0" * (n - k)
    if 0 < n <= 21:
        return sign + digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return sign + "0." + "0" * -n + digits
    power = n - 1
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{sign}{mantissa}e{'+' if power > 0 else '-'}{abs(power)}"

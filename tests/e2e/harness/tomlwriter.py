"""Write a parsed-and-mutated site document back as TOML text, laid out like a real site.

The fuzzer mutates the document as Python values and needs it as a file again. The
standard library only reads TOML, so this writes the subset documents use: top-level
keys, `[table]`s and `[[array-of-tables]]`, with anything deeper written inline. It writes
NaN and infinities, which TOML allows and a site must refuse. Keys are always quoted, so
any string a mutation produces is a valid key.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def dumps(document: Mapping[str, Any]) -> str:
    """TOML text that `tomllib.loads` reads back to `document`."""
    plain = [key for key, value in document.items() if not _sectioned(value)]
    lines = [f"{_key(key)} = {_value(document[key])}" for key in plain]
    for key, value in document.items():
        if isinstance(value, dict):
            lines += ["", f"[{_key(key)}]", *_body(value)]
        elif _sectioned(value):
            for table in value:
                lines += ["", f"[[{_key(key)}]]", *_body(table)]
    return "\n".join(lines) + "\n"


def _sectioned(value: object) -> bool:
    """Tables and non-empty arrays of tables get their own `[...]` / `[[...]]` headers."""
    if isinstance(value, dict):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _body(table: Mapping[str, Any]) -> list[str]:
    return [f"{_key(key)} = {_value(value)}" for key, value in table.items()]


def _key(key: str) -> str:
    return _string(key)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")

"""Keeps a byte that is not UTF-8 from the terminal from ending the console.

Textual's Linux drivers decode what the terminal sends with a strict UTF-8 decoder in
their input thread, so one stray byte (a terminal or an SSH client set to Latin-1, a
paste of binary, line noise, someone pressing Meta with "meta sends 8-bit") raised
UnicodeDecodeError there and took the whole console down. Installed, the drivers'
decoders replace such bytes with U+FFFD instead: the key arrives as "�" in the
focused field, which is what the operator typed as far as anyone can tell, and the
console carries on.

Textual is pinned to 8.2.x (see pyproject.toml), where the drivers create their decoder
from the module's `getincrementaldecoder`; `tests/e2e/test_terminal_bytes.py` sends the
bytes through a real terminal to hold this to it.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from functools import partial

from textual.drivers import linux_driver, linux_inline_driver


def _replacing(encoding: str) -> Callable[[], codecs.IncrementalDecoder]:
    """`codecs.getincrementaldecoder`, making decoders that replace what they cannot read."""
    return partial(codecs.getincrementaldecoder(encoding), errors="replace")


def install() -> None:
    """Make every Linux driver decode terminal input tolerantly (idempotent)."""
    for driver in (linux_driver, linux_inline_driver):
        setattr(driver, "getincrementaldecoder", _replacing)  # noqa: B010 (not exported)

"""Keeps Textual's strips free of reference cycles, so they die as soon as they are unused.

`Strip.divide` caches its result on the strip, and when the cuts leave the strip whole
that result is `[self]`: the strip then refers to itself through its own cache, so it and
all its segments can only be freed by Python's cyclic garbage collector, never by
reference counting. The compositor divides every line it writes, so a streaming 4x4 wall
made thousands of such strips and tens of thousands of segments of cyclic garbage a
second. Collecting them stopped every thread for 20 to 500 ms at a time, which the
operator saw as late keys and stuttering tiles (measured with `gc.callbacks` in the
whole-app benchmark: key-to-screen p95 of about 300 ms fell to about 100 ms once fixed).

The fix answers that one case without caching; every other cut goes to Textual. Textual
is pinned to 8.2.x (see pyproject.toml); drop this when `Strip.divide` stops caching
`[self]`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from textual.strip import Strip

_textual_divide = Strip.divide


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cuts = [cut for cut in cuts if cut <= self.cell_length]
    if cuts == [self.cell_length]:
        return [self]
    return _textual_divide(self, cuts)


def install() -> None:
    """Replace `Strip.divide` for the whole process (idempotent)."""
    Strip.divide = _divide  # type: ignore[method-assign]

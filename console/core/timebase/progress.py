"""How far a long job over recorded frames has got: an export, a batch, a search.

One type, so the console's progress line and the command line's progress bar read every
job the same way, and one ETA rule: the rate so far, over the frames still to go.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Progress:
    done: int
    total: int
    eta: float | None
    """Seconds left at the rate so far; None before the first frame."""

    @classmethod
    def after(cls, done: int, total: int, elapsed: float) -> Progress:
        """`done` of `total` frames took `elapsed` seconds."""
        return cls(done, total, elapsed / done * (total - done) if done else None)

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0

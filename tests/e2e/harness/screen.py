"""Reading a captured text screen the way an operator reads it: tile by tile.

A wall has several tiles side by side, so "the screen contains `error`" cannot say which
camera is in error. `find_tile` cuts one tile's rounded box out of the capture by its
title, so a test can assert on that tile's picture, message and status alone.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tile:
    """One titled box of a captured screen."""

    title: str
    top: str
    """The top border line, holding the title."""
    body: tuple[str, ...]
    """The lines inside the border, without the side borders."""
    bottom: str
    """The bottom border line, holding the status subtitle."""

    @property
    def text(self) -> str:
        return "\n".join(self.body)


def find_tile(screen: str, title: str) -> Tile:
    """The box whose top border reads `╭─ title `; AssertionError shows the screen if absent."""
    lines = screen.splitlines()
    marker = f"╭─ {title} "
    for row, line in enumerate(lines):
        left = line.find(marker)
        if left < 0:
            continue
        right = line.find("╮", left)
        for end in range(row + 1, len(lines)):
            if lines[end][left : left + 1] == "╰":
                body = tuple(text[left + 1 : right] for text in lines[row + 1 : end])
                return Tile(title, line[left : right + 1], body, lines[end][left : right + 1])
    raise AssertionError(f"no tile titled {title!r} on the screen:\n{screen}")

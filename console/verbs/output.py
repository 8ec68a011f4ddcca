"""How every verb prints: one line at a time, with control characters made visible.

A verb's output carries text that someone else typed or wrote into a file: user names
from failed logins, lift reasons, camera names and TOML keys from a site file, error
messages quoting them. Printed raw, an ESC in any of them would reach the reader's
terminal as a command. So verbs print text only through `say`, which shows each line
through `console.text.visible`; a line a verb means to break is passed as two lines,
so a newline inside a value can never forge a row of a listing.

The exceptions are the binary picture streams of `veil render` and the export progress
bar's carriage return: they carry no text from anyone.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence

from console.text import visible

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Where a spreadsheet reads a cell as a formula (``=HYPERLINK(...)``, ``@SUM(...)``)."""


def say(*lines: str, err: bool = False) -> None:
    """Print each of `lines` on a line of its own, to stdout or (`err`) stderr."""
    stream = sys.stderr if err else sys.stdout
    for line in lines:
        print(visible(line), file=stream)


def columns(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """Aligned columns for people, a header first. Cells are aligned as they will be
    shown (control characters escaped), so a hostile value cannot shift a column."""
    shown = [tuple(visible(cell) for cell in row) for row in (header, *rows)]
    widths = [max(len(row[column]) for row in shown) for column in range(len(header))]
    return [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in shown
    ]


def csv_cell(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: a leading ``'`` where it would see a formula
    (OWASP's advice for CSV injection), control characters visible like every output."""
    text = str(value)
    return visible(f"'{text}" if text.startswith(FORMULA_STARTS) else text)

"""Benchmark results: one row per budget, printed as one table and saved as JSON."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Row:
    """One measured quantity of one comparison, against its budget."""

    name: str
    ours: str
    """Veil's figure, with its unit."""
    reference: str
    """The reference tool's figure, with its unit."""
    score: float | None
    """The compared quantity: a ratio (ours / reference) or a difference."""
    budget: str
    """What the score must satisfy, e.g. "<= 0.5x" or ">= -2 dB"."""
    ok: bool | None
    """None when the row could not be measured (see `note`)."""
    note: str = ""
    details: dict[str, object] | None = None
    """Raw numbers for the JSON file."""


def print_table(rows: list[Row]) -> None:
    header = ("comparison", "veil", "reference", "score", "budget", "result")
    cells = [header] + [
        (
            row.name,
            row.ours,
            row.reference,
            "" if row.score is None else f"{row.score:.3f}",
            row.budget,
            {True: "ok", False: "OVER BUDGET", None: "not measured"}[row.ok],
        )
        for row in rows
    ]
    widths = [max(len(line[i]) for line in cells) for i in range(len(header))]
    for number, line in enumerate(cells):
        print("  ".join(text.ljust(width) for text, width in zip(line, widths, strict=True)))
        if number == 0:
            print("  ".join("-" * width for width in widths))
    for row in rows:
        if row.note:
            print(f"* {row.name}: {row.note}")


def write_json(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps([asdict(row) for row in rows], indent=2) + "\n")


def run_alone(rows: Callable[[Path], list[Row]], name: str, out: Path) -> int:
    """One piece of `make bench` on its own (for repeated runs): its rows measured in a
    scratch folder, printed with the machine's load, and written to `out`; exit 1 when a
    row is over its budget or not measured."""
    with tempfile.TemporaryDirectory(prefix=f"veil-{name}-") as directory:
        measured = rows(Path(directory))
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    print_table(measured)
    write_json(measured, out)
    return 1 if any(row.ok is not True for row in measured) else 0

"""The configuration reference in README.md, written from the schema so the two never drift.

`python -m console.core.site.reference README.md` (`make site-reference`) rewrites the part
of the file between the two markers; `tests/core/test_site_reference.py` fails while the
README says anything else.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from console.core.site.schema import Key, Nested, SiteFile, Table

BEGIN = "<!-- site-reference: begin -->"
END = "<!-- site-reference: end -->"


def render() -> str:
    """The reference: what a site file holds, then each table's keys."""
    parts = [_table(SiteFile, "table", ((_heading(key), key) for key in SiteFile.keys))]
    for table in _tables(SiteFile):
        parts.append(_table(table, "key", ((f"`{key.name}`", key) for key in table.keys)))
    return "\n\n".join(parts) + "\n"


def splice(readme: str) -> str:
    """`readme` with the text between the markers replaced by `render()`."""
    head, begin, rest = readme.partition(BEGIN)
    _, end, tail = rest.partition(END)
    if not begin or not end:
        raise ValueError(f"README has no {BEGIN!r} ... {END!r} section")
    return f"{head}{BEGIN}\n{render()}{END}{tail}"


def _tables(table: type[Table]) -> Iterator[type[Table]]:
    """Tables nested in `table`, depth first, in the order the file lists them."""
    for key in table.keys:
        if isinstance(key.kind, Nested):
            yield key.kind.table
            yield from _tables(key.kind.table)


def _heading(key: Key[Any]) -> str:
    assert isinstance(key.kind, Nested), key.name
    return f"`{key.kind.table.heading}`"


def _table(table: type[Table], first: str, rows: Iterator[tuple[str, Key[Any]]]) -> str:
    lines = [
        f"#### `{table.heading}`",
        "",
        _cell(inspect.cleandoc(table.__doc__ or "")),
        "",
        f"| {first} | value | default | |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {name} | {_cell(key.kind.expected)} | {_cell(key.default_text)} | {_cell(key.doc)} |"
        for name, key in rows
    ]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


if __name__ == "__main__":
    readme = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme.write_text(splice(readme.read_text()))

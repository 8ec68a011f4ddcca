"""Reading a parsed site document table by table, as the schema declares it.

`Reader.fields` checks a table's keys against its declaration, reporting each unknown
key; `Fields` then converts each key on request, with its declared kind, default and
`required`. Conversion on request, in the order the validator asks, keeps the problems
in the order an administrator reads the file, and lets the validator skip keys that a
rule across keys has already refused (a second geometry on a mask).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from console.core.site.kinds import Kind, describe, is_identifier
from console.core.site.locate import line_of
from console.core.site.problems import Problem
from console.core.site.schema import Entries, Key, Named, Section, Table

T = TypeVar("T")


class Reader:
    """Collects the problems of one site file, each with the line of its key path."""

    def __init__(self, file: Path, lines: Mapping[str, int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    def report(self, path: str, expected: str) -> None:
        self.problems.append(Problem(self.file, path, line_of(self.lines, path), expected))

    def fields(self, table: type[Table], value: object, path: str) -> Fields | None:
        """`value` read as `table`, or None after reporting that it is not a table."""
        if not isinstance(value, dict):
            self.report(path, f"expected a table, got {describe(value)}")
            return None
        names = table.names()
        for name in value:
            if name not in names:
                self.report(
                    _join(path, name), f"unknown key {name!r}; expected one of: {', '.join(names)}"
                )
        return Fields(self, value, path)


class Fields:
    """The keys of one table, converted on request."""

    def __init__(
        self, reader: Reader, values: Mapping[str, Any], path: str, present: bool = True
    ) -> None:
        self.reader, self.values, self.path = reader, values, path
        self.present = present
        """False for a table the file leaves out: its required keys are then not reported
        one by one, since the table's absence is reported (or allowed) already."""

    def __contains__(self, key: Key[Any]) -> bool:
        return key.name in self.values

    def at(self, key: Key[Any]) -> str:
        """The key path of `key` in this table."""
        return _join(self.path, key.name)

    def get(
        self, key: Key[T], kind: Kind[T] | None = None, *, required: bool | None = None
    ) -> T | None:
        """The converted value, the default, or None after reporting a problem.

        `kind` and `required` replace the declared ones where another key decides them
        (a grid needs cells, and its size bounds them).
        """
        if key.name not in self.values:
            if (key.required if required is None else required) and self.present:
                self.reader.report(self.at(key), "is required")
            return key.default
        return (kind or key.kind).convert(self.values[key.name], self.at(key), self.reader.report)

    def section(self, key: Key[dict[str, Any]]) -> Fields:
        """A `[table]`; empty when the file leaves it out or it is not a table (reported)."""
        kind = key.kind
        assert isinstance(kind, Section), key.name
        if key.name not in self.values:
            if key.required and self.present:
                example = ", ".join(
                    f"{k.name} = {k.kind.placeholder}" for k in kind.table.keys if k.required
                )
                self.reader.report(
                    self.at(key),
                    f"is required: a {kind.table.heading} table with at least {example}",
                )
            return Fields(self.reader, {}, self.at(key), present=False)
        fields = self.reader.fields(kind.table, self.values[key.name], self.at(key))
        return fields or Fields(self.reader, {}, self.at(key))

    def entries(self, key: Key[list[Any]]) -> Iterator[Fields]:
        """Each table of an `[[array]]` that is one; the others are reported as met.

        A generator, so each entry's unknown keys are reported just before its values.
        """
        kind = key.kind
        assert isinstance(kind, Entries), key.name
        value = self.values.get(key.name, None if key.required else [])
        items = kind.convert(value, self.at(key), self.reader.report)
        for index, item in enumerate(items or []):
            fields = self.reader.fields(kind.table, item, f"{self.at(key)}[{index}]")
            if fields is not None:
                yield fields

    def named(self, key: Key[dict[str, Any]]) -> Iterator[tuple[str, Fields]]:
        """Each `[key.NAME]` table that is one, with its NAME (reported unless an id)."""
        kind = key.kind
        assert isinstance(kind, Named), key.name
        tables = kind.convert(self.values.get(key.name, {}), self.at(key), self.reader.report)
        for name, body in (tables or {}).items():
            path = _join(self.at(key), name)
            if not is_identifier(name):
                self.reader.report(path, f"expected a {kind.noun} name of a-z, 0-9 and '-'")
            fields = self.reader.fields(kind.table, body, path)
            if fields is not None:
                yield name, fields


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key

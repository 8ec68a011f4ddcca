"""The schema is the one statement of the site file: every key it declares is read, every
other key is refused, and its defaults are the model's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from console.core.site.config import load_site
from console.core.site.model import Camera, Site
from console.core.site.problems import SiteError
from console.core.site.reader import Fields
from console.core.site.schema import Key, Nested, SiteFile, Table

EVERY_TABLE = """\
[site]
name = "S"

[auth]

[audit]

[database]
url = "postgresql://veil-console@db.example/veil"

[roles.operator]
permissions = ["live"]

[[cameras]]
id = "lobby"
name = "Lobby"
source = "pattern:bars"

[[cameras.masks]]
id = "grid"
kind = "permanent"
grid = "8x8"
cells = ["1,1"]

[[cameras.masks]]
id = "rect"
kind = "liftable"
rect = [0, 0, 1, 1]

[[cameras.masks]]
id = "polygon"
kind = "liftable"
polygon = [[0, 0], [1, 0], [0, 1]]

[[carousels]]
id = "tour"
name = "Tour"
cameras = ["lobby"]

[[maps]]
id = "ground"
name = "Ground"
text = "+--+"

[[maps.cameras]]
camera = "lobby"
x = 0.5
y = 0.5
direction = 90
fov = 45

[[maps.links]]
target = "yard"
x = 1
y = 0

[[maps]]
id = "yard"
name = "Yard"
image = "plan.png"
"""
"""One of each table, each mask geometry and each kind of plan, so each of the validator's
branches runs."""


def tables(table: type[Table] = SiteFile) -> Iterator[type[Table]]:
    """`table` and every table nested in it."""
    yield table
    for key in table.keys:
        if isinstance(key.kind, Nested):
            yield from tables(key.kind.table)


def test_the_sample_holds_every_declared_table() -> None:
    """So that the tests below cover a table as soon as it is declared."""
    for table in tables():
        if table is not SiteFile:
            assert table.heading.replace("NAME", "operator") in EVERY_TABLE.splitlines()


def write(tmp_path: Path, text: str) -> Path:
    """The site file, and the picture of the sample's image plan beside it."""
    cv2.imwrite(str(tmp_path / "plan.png"), np.zeros((8, 8, 3), np.uint8))
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


def test_every_declared_key_is_read_by_the_validator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key the schema allows but the validator never reads would be silently ignored."""
    asked: set[int] = set()
    for method in ("get", "section", "entries", "named"):
        original = getattr(Fields, method)

        def spy(
            self: Fields, key: Key[Any], *args: Any, _original: Any = original, **kw: Any
        ) -> Any:
            asked.add(id(key))
            return _original(self, key, *args, **kw)

        monkeypatch.setattr(Fields, method, spy)
    load_site(write(tmp_path, EVERY_TABLE))
    unread = [key.name for table in tables() for key in table.keys if id(key) not in asked]
    assert unread == []


def test_an_unknown_key_is_refused_in_every_declared_table(tmp_path: Path) -> None:
    lines = EVERY_TABLE.splitlines()
    headers = [number for number, line in enumerate(lines) if line.startswith("[")]
    for number in reversed(headers):
        lines.insert(number + 1, "zzz = 1")
    with pytest.raises(SiteError) as caught:
        load_site(write(tmp_path, "zzz = 1\n" + "\n".join(lines) + "\n"))
    unknown = [p for p in caught.value.problems if p.expected.startswith("unknown key 'zzz'")]
    assert len(unknown) == len(headers) + 1
    assert all(p.line is not None for p in unknown)


def test_a_site_built_in_code_has_the_defaults_of_a_file_that_leaves_keys_out(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        '[site]\nname = "S"\n\n[[cameras]]\nid = "a"\nname = "A"\nsource = "pattern:bars"\n',
    )
    loaded = load_site(path)
    built = Site(
        path=path,
        name="S",
        cameras=(Camera("a", "A", "pattern:bars"),),
        roles={},
        sha256=loaded.sha256,
        directory=tmp_path,
    )
    assert loaded == built

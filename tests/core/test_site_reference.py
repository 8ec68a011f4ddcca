"""The README's site reference is the schema's, and its example is a site Veil accepts."""

from __future__ import annotations

import re
from pathlib import Path

from console.core.site.config import load_site
from console.core.site.reference import BEGIN, END, render, splice
from console.core.site.schema import MaskTable, Nested, SiteFile
from tests.conftest import REPO

README = (REPO / "README.md").read_text()


def test_the_readme_reference_is_written_from_the_schema() -> None:
    assert splice(README) == README, "README's site reference is stale: run `make site-reference`"


def test_the_reference_lists_every_declared_key_with_its_range_and_default() -> None:
    reference = render()
    masks = reference.split(f"#### `{MaskTable.heading}`")[1].split("####")[0]
    for key in MaskTable.keys:
        row = next(line for line in masks.splitlines() if line.startswith(f"| `{key.name}` |"))
        assert key.kind.expected in row and key.doc in row, row
    assert "| `level` | a whole number from 1 to 10 | `5` |" in reference
    for key in SiteFile.keys:
        assert isinstance(key.kind, Nested)
        assert f"#### `{key.kind.table.heading}`" in reference


def test_splice_replaces_only_the_marked_section() -> None:
    assert (
        splice(f"before\n{BEGIN}\nold\n{END}\nafter\n")
        == f"before\n{BEGIN}\n{render()}{END}\nafter\n"
    )


def test_the_readme_example_is_a_valid_site(tmp_path: Path) -> None:
    section = README.split("## Site configuration (`site.toml`)")[1]
    example = re.search(r"```toml\n(.*?)```", section, re.S)
    assert example is not None
    (tmp_path / "site.toml").write_text(example.group(1))
    site = load_site(tmp_path / "site.toml")
    assert [camera.id for camera in site.cameras] == ["lobby"]
    assert {mask.style for mask in site.cameras[0].masks} == {"solid", "blur"}

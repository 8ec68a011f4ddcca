"""Each problem in a site file is placed on the line that sets its key, and only when certain.

The locator follows TOML's structure: a `[` that continues a multi-line array is not a
table header, a header inside a multi-line string is text, dotted and quoted keys are
keys. Each case but the arrays of tables (which held already) once put a problem on the
wrong line, or on none.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.site.config import load_site
from console.core.site.locate import key_lines, line_of
from console.core.site.problems import SiteError
from tests.e2e.harness.tomlwriter import dumps

CAMERA = """\
[[cameras]]
id = "lobby"
name = "Lobby"
source = "pattern:bars"
"""


def placed(tmp_path: Path, text: str) -> dict[str, int | None]:
    """Each problem's key path and the line it is reported at."""
    path = tmp_path / "site.toml"
    path.write_bytes(text.encode())
    with pytest.raises(SiteError) as caught:
        load_site(path)
    return {problem.path: problem.line for problem in caught.value.problems}


def line_holding(text: str, fragment: str) -> int:
    """The number of the one line that holds `fragment`, counting lines as TOML does."""
    numbers = [n for n, line in enumerate(text.split("\n"), start=1) if fragment in line]
    assert len(numbers) == 1, (fragment, numbers)
    return numbers[0]


def test_a_key_after_a_multi_line_array_is_placed_on_its_own_line(tmp_path: Path) -> None:
    """The demo's own polygon: its continuation lines start with `[` like table headers."""
    text = (
        '[site]\nname = "S"\n\n'
        + CAMERA
        + """
[[cameras.masks]]
id = "pavement"
kind = "liftable"
polygon = [
    [0.0, 0.37], [0.71, 0.37], [0.71, 0.25],
    [1.0, 0.535], [0.0, 0.535],
]
level = 11
style = "smudge"
"""
    )
    found = placed(tmp_path, text)
    assert found["cameras[0].masks[0].level"] == line_holding(text, "level = 11")
    assert found["cameras[0].masks[0].style"] == line_holding(text, '"smudge"')


def test_dotted_keys_are_placed(tmp_path: Path) -> None:
    text = 'site.name = "S"\nsite.lift_timeout = "5s"\nauth.max_failures = 0\n\n' + CAMERA
    found = placed(tmp_path, text)
    assert found["site.lift_timeout"] == 2
    assert found["auth.max_failures"] == 3


def test_keys_in_inline_tables_across_lines_are_placed(tmp_path: Path) -> None:
    text = (
        'auth = { lockout = "1h", max_failures = 0 }\n[site]\nname = "S"\n\n'
        + CAMERA
        + """\
masks = [
    { id = "a", kind = "permanent", rect = [0, 0, 1, 1] },
    { id = "b", kind = "forever", rect = [0, 0, 1, 1] },
]
"""
    )
    found = placed(tmp_path, text)
    assert found["cameras[0].masks[1].kind"] == line_holding(text, '"forever"')
    assert found["auth.max_failures"] == 1


def test_entries_of_arrays_of_tables_are_counted(tmp_path: Path) -> None:
    text = (
        '[site]\nname = "S"\n\n'
        + CAMERA
        + '[[cameras.masks]]\nid = "a"\nkind = "permanent"\nrect = [0, 0, 1, 1]\n'
        + CAMERA.replace("lobby", "street")
        + '[[ cameras . masks ]]\nid = "a"\nkind = "permanent"\nrect = [0, 0, 1, 1]\n'
        + '[[cameras."masks"]]\nkind = "permanent"\nrect = [0, 0, 1, 1]\n'
    )
    found = placed(tmp_path, text)
    assert found == {"cameras[1].masks[1].id": line_holding(text, '[[cameras."masks"]]')}


@pytest.mark.parametrize("quotes", ['"""', "'''"])
def test_text_in_multi_line_strings_is_not_read_as_tables_or_keys(
    tmp_path: Path, quotes: str
) -> None:
    text = (
        f'[site]\nnotes = {quotes}\n[[cameras]]\nfps = "x"\n[auth]\n{quotes}\n'
        'name = "S"\nlift_timeout = "5s"\n\n' + CAMERA + 'fps = "fast"\n'
    )
    found = placed(tmp_path, text)
    assert found["site.notes"] == 2
    assert found["site.lift_timeout"] == line_holding(text, '"5s"')
    assert found["cameras[0].fps"] == line_holding(text, '"fast"')


def test_quoted_keys_are_read_as_tomllib_reads_them(tmp_path: Path) -> None:
    text = '[site]\nname = "S"\n"lift\\u005ftimeout" = "5s"\n\n' + CAMERA
    assert placed(tmp_path, text)["site.lift_timeout"] == 3


def test_lines_are_counted_as_toml_counts_them(tmp_path: Path) -> None:
    """Only line feeds end lines; a Unicode line separator in a comment does not."""
    text = '[site]\nname = "S" # one\u2028line\r\nlift_timeout = "5s"\r\n\r\n' + CAMERA
    assert placed(tmp_path, text)["site.lift_timeout"] == 3


def test_without_certainty_no_line_is_given() -> None:
    """Text the scanner does not follow gives no lines at all, not ones that may be wrong."""
    assert key_lines('[site]\nname = "S"\nbroken = "no end\n') == {}
    lines = key_lines('[site]\nname = "S"\n')
    assert line_of(lines, "site.lift_timeout") == 1  # its table
    assert line_of(lines, "cameras[0].id") is None


# -- every key of any document gets the line that holds it -----------------------------

keys = st.text(max_size=6)
leaves = st.one_of(
    st.integers(), st.booleans(), st.text(max_size=6), st.dates(), st.floats(allow_nan=False)
)
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)
documents = st.dictionaries(keys, values | st.lists(st.dictionaries(keys, values), max_size=3))


def paths(node: Any, path: str = "") -> Iterator[tuple[str, str | None]]:
    """Each key path in `node`, with the key it ends in (None for a list entry)."""
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for step, child in items:
        here = f"{path}[{step}]" if isinstance(step, int) else (f"{path}.{step}" if path else step)
        yield here, None if isinstance(step, int) else step
        if isinstance(child, dict | list):
            yield from paths(child, here)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=documents)
def test_every_key_of_a_written_document_is_found_on_its_line(document: dict[str, Any]) -> None:
    text = dumps(document)
    assert tomllib.loads(text) == document
    lines = key_lines(text)
    rows = text.split("\n")
    for path, key in paths(document):
        assert path in lines, (path, text)
        if key is not None:
            written = dumps({key: 0}).removesuffix(" = 0\n")
            assert written in rows[lines[path] - 1], (path, text)

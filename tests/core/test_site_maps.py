"""`[[maps]]` in the site file: plans with their cameras, checked like every other table."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.site.config import load_site
from console.core.site.model import MapLink, MapMarker
from console.core.site.problems import Problem, SiteError

HEAD = """\
[site]
name = "S"

[[cameras]]
id = "lobby"
name = "Lobby"
source = "pattern:bars"

[[cameras]]
id = "gate"
name = "Gate"
source = "pattern:checker"
"""

GROUND = '''
[[maps]]
id = "ground"
name = "Ground floor"
text = """
+--------+
|  hall  |
+--------+"""

[[maps.cameras]]
camera = "lobby"
x = 0.25
y = 0.5
direction = 90
fov = 70

[[maps.links]]
target = "yard"
x = 0.9
y = 0.5
'''

YARD = """
[[maps]]
id = "yard"
name = "Yard"
image = "yard.png"

[[maps.cameras]]
camera = "gate"
x = 0.5
y = 0.1
"""


def write(tmp_path: Path, text: str, picture: bool = True) -> Path:
    if picture:
        cv2.imwrite(str(tmp_path / "yard.png"), np.full((40, 80, 3), 200, np.uint8))
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str, picture: bool = True) -> list[Problem]:
    with pytest.raises(SiteError) as caught:
        load_site(write(tmp_path, text, picture))
    return caught.value.problems


def line(text: str, needle: str, after: str = "") -> int:
    """The 1-based line of the first `needle` after the first `after`."""
    lines = text.splitlines()
    start = next(n for n, entry in enumerate(lines) if after in entry) if after else 0
    return next(n for n, entry in enumerate(lines) if n >= start and needle in entry) + 1


def test_maps_load_with_their_plans_markers_and_links(tmp_path: Path) -> None:
    site = load_site(write(tmp_path, HEAD + GROUND + YARD))
    ground, yard = site.maps
    assert ground.text == "+--------+\n|  hall  |\n+--------+"
    assert ground.image is None
    assert ground.cameras == (MapMarker("lobby", 0.25, 0.5, 90.0, 70.0),)
    assert ground.links == (MapLink("yard", 0.9, 0.5),)
    assert yard.image == (tmp_path / "yard.png").resolve() and yard.text is None
    assert yard.cameras == (MapMarker("gate", 0.5, 0.1, 0.0, 60.0),), "default look and field"


def test_unknown_cameras_and_maps_are_named_with_file_line_and_key_path(tmp_path: Path) -> None:
    text = HEAD + GROUND.replace('camera = "lobby"', 'camera = "attic"')
    found = problems(tmp_path, text)
    assert [(p.path, p.line) for p in found] == [
        ("maps[0].cameras[0].camera", line(text, 'camera = "attic"')),
        ("maps[0].links[0].target", line(text, 'target = "yard"')),
    ]
    assert all(p.file == tmp_path / "site.toml" for p in found)
    assert "unknown camera id 'attic'" in found[0].expected and "lobby" in found[0].expected
    assert "unknown map id 'yard'" in found[1].expected


def test_coordinates_out_of_range_are_errors(tmp_path: Path) -> None:
    text = (
        HEAD
        + GROUND.replace("x = 0.25", "x = 1.5")
        .replace("fov = 70", "fov = 0")
        .replace("x = 0.9\ny = 0.5", "x = 0.9\ny = -0.1")
        + YARD
    )
    found = problems(tmp_path, text)
    assert [(p.path, p.line) for p in found] == [
        ("maps[0].cameras[0].x", line(text, "x = 1.5")),
        ("maps[0].cameras[0].fov", line(text, "fov = 0")),
        ("maps[0].links[0].y", line(text, "y = -0.1")),
    ]
    assert all("expected a number from" in p.expected for p in found)


def test_a_missing_or_unreadable_picture_is_an_error_at_its_key(tmp_path: Path) -> None:
    text = HEAD + YARD
    missing = problems(tmp_path, text, picture=False)
    assert [(p.path, p.line) for p in missing] == [("maps[0].image", line(text, "image ="))]
    assert "cannot read" in missing[0].expected and "yard.png" in missing[0].expected
    (tmp_path / "yard.png").write_bytes(b"not a picture at all")
    (broken,) = problems(tmp_path / ".", text, picture=False)
    assert broken.path == "maps[0].image" and "is not one" in broken.expected


def test_a_map_needs_exactly_one_plan(tmp_path: Path) -> None:
    both = HEAD + YARD.replace('image = "yard.png"', 'image = "yard.png"\ntext = "x"')
    (problem,) = problems(tmp_path, both)
    assert problem.path == "maps[0]" and "exactly one plan" in problem.expected
    neither = HEAD + YARD.replace('image = "yard.png"', "")
    (problem,) = problems(tmp_path, neither)
    assert problem.path == "maps[0]" and problem.line == line(neither, "[[maps]]")


def test_unknown_keys_duplicates_and_self_links_are_errors(tmp_path: Path) -> None:
    text = (
        HEAD
        + GROUND.replace("fov = 70", "fov = 70\nrange = 3").replace('"yard"', '"ground"')
        + GROUND.replace("+--", "*--")
    )
    found = [(p.path, p.expected.split(";")[0].split(" (")[0]) for p in problems(tmp_path, text)]
    assert found == [
        ("maps[0].cameras[0].range", "unknown key 'range'"),
        ("maps[1].id", "duplicate map id 'ground'"),
        ("maps[0].links[0].target", "a map cannot link to itself"),
        ("maps[1].links[0].target", "unknown map id 'yard'"),
    ]


@pytest.mark.parametrize(
    "plan",
    ["a\tb", "wide 漢字 here", "e\u0301", "bell \x07", "\n\n  \n", "x" * 241],
    ids=["tab", "wide", "combining", "control", "blank", "too-wide"],
)
def test_a_text_plan_is_one_cell_characters_only(tmp_path: Path, plan: str) -> None:
    escaped = plan.replace("\\", "\\\\").replace("\t", "\\t").replace("\x07", "\\u0007")
    escaped = escaped.replace("\n", "\\n")
    text = HEAD + f'\n[[maps]]\nid = "m"\nname = "M"\ntext = "{escaped}"\n'
    (problem,) = problems(tmp_path, text)
    assert problem.path == "maps[0].text" and problem.line == line(text, "text =")
    assert "one-cell characters" in problem.expected


def test_hostile_names_and_plans_stay_text(tmp_path: Path) -> None:
    """Markup in a name or a plan is just characters: the model keeps them as written."""
    hostile = (
        HEAD
        + GROUND.replace("Ground floor", "[b]Ground[/b] [link=x]").replace(
            "|  hall  |", "| [red]x[/] |"
        )
        + YARD
    )
    ground, _ = load_site(write(tmp_path, hostile)).maps
    assert ground.name == "[b]Ground[/b] [link=x]"
    assert "| [red]x[/] |" in (ground.text or "")

"""Polygon masks are simple: crossing or touching edges are refused, naming them.

The rasteriser fills even-odd, which leaves holes in a polygon that crosses itself (a
pentagram's centre) or runs over itself (a square traced twice masks only its outline).
A mask with a hole nobody drew is a leak, so the site file refuses such polygons.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.core.privacy.masks import crossing_edges
from console.core.site.config import SiteError, load_site
from tests.conftest import DEMO_SITE

Points = tuple[tuple[float, float], ...]

PENTAGRAM: Points = tuple(
    (0.5 + 0.4 * math.sin(k * 4 * math.pi / 5), 0.5 - 0.4 * math.cos(k * 4 * math.pi / 5))
    for k in range(5)
)
SQUARE: Points = ((0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9))


@pytest.mark.parametrize(
    ("points", "edges"),
    [
        (PENTAGRAM, ((0, 1), (2, 3))),
        (SQUARE * 2, ((0, 1), (3, 4))),  # runs over itself: edge 3-4 ends on point 0 again
        (((0.1, 0.1), (0.9, 0.9), (0.9, 0.1), (0.1, 0.9)), ((0, 1), (2, 3))),  # a bow tie
        (((0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.5, 0.1), (0.1, 0.9)), ((0, 1), (2, 3))),
        (((0.1, 0.1), (0.9, 0.1), (0.5, 0.1), (0.5, 0.9)), ((0, 1), (2, 3))),  # doubles back
        (((0.5, 0.125), (0.875, 0.5), (0.5, 0.875), (0.75, 0.375)), ((0, 1), (2, 3))),
    ],
    ids=["pentagram", "square-twice", "bow-tie", "vertex-on-edge", "doubles-back", "seam"],
)
def test_crossing_touching_and_overlapping_edges_are_found(points: Points, edges: object) -> None:
    assert crossing_edges(points) == edges


@given(
    count=st.integers(3, 12),
    data=st.data(),
)
def test_simple_polygons_pass(count: int, data: st.DataObject) -> None:
    """Points in order around a centre, never more than half a turn apart, make a simple
    polygon, however concave; a closing point equal to the first is allowed too."""
    step = 2 * math.pi / count
    angles = [step * (k + data.draw(st.floats(-0.45, 0.45))) for k in range(count)]
    radii = [data.draw(st.floats(0.05, 0.45)) for _ in range(count)]
    points = tuple(
        (0.5 + r * math.cos(angle), 0.5 + r * math.sin(angle))
        for angle, r in zip(angles, radii, strict=True)
    )
    assert crossing_edges(points) is None
    assert crossing_edges((*points, points[0])) is None


SITE = """\
[site]
name = "Polygons"

[[cameras]]
id = "yard"
name = "Yard"
source = "pattern:bars"

[[cameras.masks]]
id = "star"
kind = "permanent"
polygon = {points}
"""


def test_the_site_file_refuses_a_self_crossing_polygon_naming_the_edges(tmp_path: Path) -> None:
    points = [[round(x, 4), round(y, 4)] for x, y in PENTAGRAM]
    site = tmp_path / "site.toml"
    site.write_text(SITE.format(points=points))
    with pytest.raises(SiteError) as caught:
        load_site(site)
    (problem,) = caught.value.problems
    assert str(problem).startswith(
        f"{site}:12: cameras[0].masks[0].polygon: expected edges that neither cross nor "
        "touch, but edge 0-1 meets edge 2-3 (points counted from 0)"
    )


def test_the_demo_site_has_only_simple_polygons() -> None:
    load_site(DEMO_SITE)

"""The Smart map's model: plans in cells, markers by state, view cones, arrow steps."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.map.picture import OTHER_LOOK, STATE_LOOKS, Item, code, compose, step
from console.core.map.plan import PlanUnavailable, load_picture, plan_cells, text_plan
from console.core.render.tile import DEFAULT, ColorDepth
from console.core.site.model import MapLink, MapMarker, SiteMap

BOX = "+" + "-" * 38 + "+\n" + ("|" + " " * 38 + "|\n") * 10 + "+" + "-" * 38 + "+"
CELL = (10, 20)


def box_map(*markers: MapMarker, links: tuple[MapLink, ...] = ()) -> SiteMap:
    return SiteMap("m", "M", text=BOX, cameras=markers, links=links)


def test_a_text_plan_is_its_characters_centred_in_the_area() -> None:
    site_map = box_map()
    picture = compose(site_map, text_plan(BOX), 50, 16, CELL, ColorDepth.TRUECOLOR, {})
    assert len(picture.chars) == 16 and {len(row) for row in picture.chars} == {50}
    assert picture.chars[2] == " " * 5 + "+" + "-" * 38 + "+" + " " * 5
    assert (picture.fg == DEFAULT).all() and (picture.bg == DEFAULT).all()


def test_a_text_plan_larger_than_the_area_is_cut_and_hides_what_falls_outside() -> None:
    site_map = box_map(MapMarker("in", 0.0, 0.0), MapMarker("out", 1.0, 1.0))
    picture = compose(site_map, text_plan(BOX), 20, 5, CELL, ColorDepth.TRUECOLOR, {})
    assert [row for row in picture.chars][1:] == ["|" + " " * 19] * 4
    assert [item.id for item in picture.items] == ["in"]


@pytest.mark.parametrize("state", [*STATE_LOOKS, "connecting"])
def test_a_marker_shows_its_state_by_glyph_and_colour(state: str) -> None:
    site_map = box_map(MapMarker("cam", 0.5, 0.5))
    picture = compose(site_map, text_plan(BOX), 40, 12, CELL, ColorDepth.TRUECOLOR, {"cam": state})
    (item,) = picture.items
    glyph, _, bgr = STATE_LOOKS.get(state, OTHER_LOOK)
    assert picture.chars[item.row][item.col] == glyph
    assert picture.fg[item.row, item.col] == code(bgr, ColorDepth.TRUECOLOR)
    mono = compose(
        site_map, text_plan(BOX), 40, 12, CELL, ColorDepth.MONO, {"cam": state}, None, True
    )
    assert mono.chars[item.row][item.col] == STATE_LOOKS.get(state, OTHER_LOOK)[1]


def test_the_view_cone_lies_in_the_direction_the_camera_looks() -> None:
    right = box_map(MapMarker("cam", 0.2, 0.5, direction=90, fov=60))
    picture = compose(right, text_plan(BOX), 40, 12, CELL, ColorDepth.TRUECOLOR, {"cam": "live"})
    (item,) = picture.items
    tinted = np.argwhere(picture.bg != DEFAULT)
    assert len(tinted) > 5
    assert (tinted[:, 1] > item.col).all(), "every cone cell lies to the right"
    assert abs(tinted[:, 0].mean() - item.row) < 1, "centred on the camera's row"
    up = box_map(MapMarker("cam", 0.5, 0.9, direction=0, fov=40))
    picture = compose(up, text_plan(BOX), 40, 12, CELL, ColorDepth.TRUECOLOR, {"cam": "live"})
    (item,) = picture.items
    assert (np.argwhere(picture.bg != DEFAULT)[:, 0] < item.row).all(), "every cell above"


def test_without_colour_the_cone_is_dotted_where_the_plan_is_blank() -> None:
    site_map = box_map(MapMarker("cam", 0.2, 0.5, direction=90, fov=60))
    picture = compose(site_map, text_plan(BOX), 40, 12, CELL, ColorDepth.MONO, {})
    assert "." in "".join(picture.chars) and (picture.bg == DEFAULT).all()


def test_a_picture_plan_is_fitted_and_drawn_by_the_text_renderer(tmp_path: Path) -> None:
    path = tmp_path / "plan.png"
    pixels = np.zeros((100, 400, 3), np.uint8)
    pixels[:, 200:] = (0, 0, 255)  # right half red
    cv2.imwrite(str(path), pixels)
    site_map = SiteMap("m", "M", image=path)
    plan = plan_cells(site_map, 60, 30, CELL, "halfblock", ColorDepth.TRUECOLOR)
    assert (plan.cols, plan.rows) == (60, 7), "4:1 kept in cells twice as tall as wide"
    red = code((0, 0, 255), ColorDepth.TRUECOLOR)
    assert (plan.bg[:, 40:] == red).all() and (
        plan.bg[:, :20] == code((0, 0, 0), ColorDepth.TRUECOLOR)
    ).all()
    sixel = plan_cells(site_map, 60, 30, CELL, "sixel", ColorDepth.TRUECOLOR)
    assert sixel.chars == plan.chars, "image terminals get the half-block plan under markers"
    ascii_plan = plan_cells(site_map, 60, 30, CELL, "ascii", ColorDepth.MONO)
    assert set("".join(ascii_plan.chars)) <= set(" .:-=+*#%@")


def test_a_picture_gone_since_the_site_loaded_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PlanUnavailable, match="cannot read"):
        load_picture(tmp_path / "gone.png")
    (tmp_path / "bad.png").write_bytes(b"junk")
    with pytest.raises(PlanUnavailable, match="no longer a picture"):
        load_picture(tmp_path / "bad.png")


def test_arrows_step_to_the_nearest_item_that_way() -> None:
    a, b, c = Item("camera", "a", 5, 5), Item("camera", "b", 15, 6), Item("link", "c", 6, 12)
    items = (a, b, c)
    assert step(items, None, 1, 0) == a
    assert step(items, a, 1, 0) == b
    assert step(items, a, 0, 1) == c
    assert step(items, a, -1, 0) == a, "nothing that way: the selection stays"
    assert step(items, b, -1, 0) == a


def test_a_click_next_to_a_marker_still_hits_it() -> None:
    site_map = box_map(MapMarker("cam", 0.5, 0.5), links=(MapLink("up", 1.0, 0.0),))
    picture = compose(site_map, text_plan(BOX), 40, 12, CELL, ColorDepth.TRUECOLOR, {})
    cam, link = picture.items
    assert picture.item_at(cam.col + 1, cam.row - 1) == cam
    assert picture.item_at(cam.col + 2, cam.row) is None
    assert picture.item_at(link.col, link.row) == link and link.kind == "link"
    assert picture.chars[link.row][link.col] == "▶"

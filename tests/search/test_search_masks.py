"""Masks decide what search can find: movement under a mask never produces a hit."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core.privacy.masks import Mask, MaskStyle, RectGeometry
from console.core.privacy.timeline import MaskTimeline, MaskVersion
from console.core.search.exclusion import excluded
from console.core.search.run import SearchError, SearchRequest, Target, search
from console.core.site.model import Camera
from tests.search.conftest import STEM, T0
from tests.support.motion_video import write_scene

WINDOW = (0.55, 0.2, 0.85, 0.7)
"""The neighbour's window: its content changes in every frame."""
UNDER = RectGeometry(0.6, 0.3, 0.8, 0.6)
"""A region entirely inside the window."""
AROUND = RectGeometry(0.5, 0.1, 0.9, 0.8)
"""A region holding the window and some of the still scene around it."""


class _Lifted:
    def __init__(self, lifted: bool = True) -> None:
        self.value = lifted

    def lifted(self) -> bool:
        return self.value


@pytest.fixture(scope="module")
def flicker(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("flicker")
    write_scene(folder, STEM, 20, flicker=WINDOW)
    return folder


def _camera(folder: Path, *masks: Mask) -> Camera:
    return Camera("cam", "Yard", "pattern:bars", masks, recordings=folder)


def _window(kind: str, style: MaskStyle) -> Mask:
    return Mask("window", kind, style, RectGeometry(*WINDOW))  # type: ignore[arg-type]


def _request(camera: Camera, region: RectGeometry, **options: object) -> SearchRequest:
    timeline = options.pop("timeline", None)
    target = Target(camera, timeline)  # type: ignore[arg-type]
    return SearchRequest((target,), T0, T0 + 20, region, **options)  # type: ignore[arg-type]


def test_the_flicker_is_found_without_a_mask(flicker: Path) -> None:
    """The fixture's control: the content that changes is plainly motion."""
    found = search(_request(_camera(flicker), UNDER)).hits
    assert len(found) == 1 and found[0].score > 50


@pytest.mark.parametrize("style", ["solid", "blur", "pixelate"])
@pytest.mark.parametrize("region", [UNDER, AROUND], ids=["under", "around"])
def test_a_permanent_mask_hides_the_motion_under_it(
    flicker: Path, style: MaskStyle, region: RectGeometry
) -> None:
    camera = _camera(flicker, _window("permanent", style))
    assert search(_request(camera, region)).hits == ()
    assert search(_request(camera, region, sensitivity=10)).hits == ()
    lifted = _request(camera, region, sensitivity=10, gate=_Lifted())
    assert search(lifted).hits == (), "a lift never lifts a permanent mask"


@pytest.mark.parametrize("style", ["solid", "blur"])
def test_a_liftable_mask_hides_motion_unless_a_lift_is_in_force(
    flicker: Path, style: MaskStyle
) -> None:
    camera = _camera(flicker, _window("liftable", style))
    assert search(_request(camera, UNDER)).hits == ()
    result = search(_request(camera, UNDER, gate=_Lifted()))
    assert result.lifted and len(result.hits) == 1


def test_a_mask_of_the_recording_time_still_hides_motion_today(flicker: Path) -> None:
    """The window was masked when recorded and the mask is gone now: still no hit."""
    then = MaskVersion(1, T0 - 3600, "admin", (_window("permanent", "blur"),))
    now = MaskVersion(2, T0 + 3600, "admin", ())
    timeline = MaskTimeline("cam", (then, now))
    assert search(_request(_camera(flicker), UNDER, timeline=timeline)).hits == ()


def test_an_unreadable_mask_history_refuses_the_search(flicker: Path) -> None:
    timeline = MaskTimeline("cam", failure="mask history is damaged")
    with pytest.raises(SearchError, match="damaged"):
        search(_request(_camera(flicker), UNDER, timeline=timeline))


def test_a_lift_that_ends_during_the_search_voids_it(flicker: Path) -> None:
    from console.core.search.run import SearchCancelled

    gate = _Lifted()
    camera = _camera(flicker, _window("liftable", "blur"))

    def end_lift(_: object) -> None:
        gate.value = False

    with pytest.raises(SearchCancelled, match="lift ended"):
        search(_request(camera, UNDER, gate=gate), progress=end_lift)


def test_the_exclusion_rounds_outward_with_a_margin() -> None:
    mask = Mask("m", "permanent", "solid", RectGeometry(0.5, 0.5, 0.51, 0.51))
    out = excluded((mask,), False, 160, 90)
    rows, cols = out.nonzero()
    assert (rows.min(), rows.max(), cols.min(), cols.max()) == (44, 46, 79, 82)
    liftable = Mask("l", "liftable", "blur", RectGeometry(0, 0, 1, 1))
    assert excluded((liftable,), True, 16, 9).sum() == 0
    assert excluded((liftable,), False, 16, 9).all()

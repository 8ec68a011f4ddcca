"""Smart search finds known motion in a region, and nothing where nothing moved."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.core.privacy.masks import RectGeometry
from console.core.search.motion import Hit
from console.core.search.run import SearchRequest, Target, search
from console.core.site.model import Camera
from tests.search.conftest import REGION, SECOND_STEM, STEM, T0
from tests.support.motion_video import Walk, write_scene

WALKS_FIRST = (Walk(5.0), Walk(21.5))
WALKS_SECOND = (Walk(12.2),)
"""Seconds from each segment's start (the second starts at T0 + 40 s)."""
TRUE_STARTS = [T0 + 5.0, T0 + 21.5, T0 + 52.2]


def _camera(recordings: Path) -> Camera:
    return Camera("cam", "Yard", "pattern:bars", recordings=recordings)


def _search(camera: Camera, region: RectGeometry = REGION, **options: object) -> list[Hit]:
    request = SearchRequest((Target(camera),), T0, T0 + 80, region, **options)  # type: ignore[arg-type]
    return list(search(request).hits)


@pytest.fixture(scope="module")
def walks(tmp_path_factory: pytest.TempPathFactory) -> Camera:
    folder = tmp_path_factory.mktemp("walks")
    write_scene(folder, STEM, 40, WALKS_FIRST, noise=3.0)
    write_scene(folder, SECOND_STEM, 40, WALKS_SECOND, noise=3.0, seed=8)
    return _camera(folder)


def test_every_walk_is_found_within_a_second_of_its_start(walks: Camera) -> None:
    found = _search(walks)
    assert len(found) == len(TRUE_STARTS), found
    for hit, true_start in zip(found, TRUE_STARTS, strict=True):
        assert abs(hit.start - true_start) <= 1.0, (hit, true_start)
        assert hit.start <= hit.peak <= hit.end
        assert hit.score > 1.0


def test_quiet_stretches_give_no_hits(walks: Camera) -> None:
    found = _search(walks)
    for hit in found:
        assert any(start - 1.0 <= hit.start <= start + 1.0 for start in TRUE_STARTS)
        assert hit.end - hit.start < 6.0, hit  # a 3 s crossing, not the whole recording
    quiet = SearchRequest((Target(walks),), T0 + 26, T0 + 51, REGION)
    assert search(quiet).hits == ()


def test_motion_outside_the_region_gives_no_hits(walks: Camera) -> None:
    assert _search(walks, RectGeometry(0.0, 0.0, 0.2, 0.3)) == []


@pytest.mark.parametrize("sigma", [2.0, 4.0, 6.0])
def test_sensor_noise_gives_no_hits_at_the_default_sensitivity(
    tmp_path: Path, sigma: float
) -> None:
    write_scene(tmp_path, STEM, 30, noise=sigma)
    camera = _camera(tmp_path)
    request = SearchRequest((Target(camera),), T0, T0 + 30, RectGeometry(0, 0, 1, 1))
    assert search(request).hits == ()


def test_progress_reaches_the_total_and_cancel_stops(walks: Camera) -> None:
    import threading

    from console.core.search.run import Progress, SearchCancelled

    seen: list[Progress] = []
    request = SearchRequest((Target(walks),), T0, T0 + 80, REGION)
    result = search(request, progress=seen.append)
    assert seen[-1].done == seen[-1].total == result.frames == 800
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(SearchCancelled):
        search(request, cancel=cancel)
    midway = threading.Event()
    with pytest.raises(SearchCancelled):  # set after the first segment, from the pool's loop
        search(request, progress=lambda _: midway.set(), cancel=midway)


def test_several_cameras_are_searched_together(walks: Camera, tmp_path: Path) -> None:
    write_scene(tmp_path, STEM, 40, (Walk(30.0),))
    other = Camera("gate", "Gate", "pattern:bars", recordings=tmp_path)
    request = SearchRequest((Target(walks), Target(other)), T0, T0 + 80, REGION)
    found = search(request).hits
    assert [hit.camera_id for hit in found] == ["cam", "cam", "gate", "cam"]
    assert abs(found[2].start - (T0 + 30.0)) <= 1.0


def test_a_camera_without_recordings_in_the_range_is_refused(walks: Camera) -> None:
    from console.core.search.run import SearchError

    request = SearchRequest((Target(walks),), T0 + 3600, T0 + 3700, REGION)
    with pytest.raises(SearchError, match="no recorded frames"):
        search(request)

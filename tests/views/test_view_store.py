"""Per-operator views files: saved and restored, and never in the way when damaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from console.core.site.config import load_site
from console.core.site.model import Site
from console.core.wall.views import (
    LAYOUTS,
    MAX_SLOTS,
    SlotRef,
    View,
    ViewBook,
    ViewsError,
    ViewStore,
    default_view,
    make_view,
)
from tests.conftest import DEMO_SITE

LOBBY = SlotRef("camera", "lobby")
STREET = SlotRef("camera", "street")
PERIMETER = SlotRef("carousel", "perimeter")


@pytest.fixture(scope="module")
def site() -> Site:
    return load_site(DEMO_SITE)


def test_default_view_shows_every_camera_in_the_smallest_layout(site: Site) -> None:
    view = default_view(site)
    assert view.layout == 2
    assert view.visible == tuple(SlotRef("camera", c.id) for c in site.cameras)
    assert len(view.slots) == MAX_SLOTS


def test_switching_layout_keeps_hidden_assignments() -> None:
    view = make_view(4, [LOBBY] * 16).assign(15, STREET)
    small = view.with_layout(1)
    assert small.visible == (LOBBY,)
    assert small.with_layout(4).slots[15] == STREET


def test_view_refuses_impossible_shapes() -> None:
    with pytest.raises(ValueError, match="layout"):
        View(5, (None,) * MAX_SLOTS)
    with pytest.raises(ValueError, match="slots"):
        View(2, (None,) * 4)


def test_missing_file_gives_the_default_view(tmp_path: Path, site: Site) -> None:
    loaded = ViewStore(tmp_path).load("alice", site)
    assert loaded.book == ViewBook(default_view(site))
    assert loaded.problems == []


def test_views_round_trip_per_operator(tmp_path: Path, site: Site) -> None:
    store = ViewStore(tmp_path)
    night = make_view(3, [PERIMETER, None, STREET])
    book = ViewBook(make_view(1, [STREET]), {"night": night})
    store.save("alice", book)
    assert store.load("alice", site).book == book
    assert store.load("bob", site).book == ViewBook(default_view(site))
    saved = json.loads((tmp_path / "views" / "alice.json").read_text())
    assert saved["named"]["night"]["slots"] == [
        {"carousel": "perimeter"},
        None,
        {"camera": "street"},
    ]
    assert [p.name for p in (tmp_path / "views").iterdir()] == ["alice.json"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON (line 1, column 2"),
        ("[]", "(top level): expected an object, got a list of 0"),
        ('{"schema": "other/9"}', "schema: expected 'veil-views/1'"),
        (b"\xff\xfe".decode("latin-1"), "not UTF-8 text (byte 0)"),
    ],
)
def test_corrupt_file_falls_back_and_names_the_problem(
    tmp_path: Path, site: Site, content: str, expected: str
) -> None:
    store = ViewStore(tmp_path)
    store.path_for("alice").parent.mkdir(parents=True)
    store.path_for("alice").write_text(content, encoding="latin-1")
    loaded = store.load("alice", site)
    assert loaded.book == ViewBook(default_view(site))
    assert len(loaded.problems) == 1
    assert str(store.path_for("alice")) in loaded.problems[0]
    assert expected in loaded.problems[0]


def test_bad_entries_are_dropped_one_by_one(tmp_path: Path, site: Site) -> None:
    store = ViewStore(tmp_path)
    document = {
        "schema": "veil-views/1",
        "current": {"layout": 2, "slots": [{"camera": "street"}, {"dog": "rex"}]},
        "named": {
            "good": {"layout": 1, "slots": [{"camera": "gate"}]},
            "bad": {"layout": 7, "slots": []},
            "gone": {"layout": 1, "slots": [{"camera": "roof"}]},
        },
    }
    store.path_for("alice").parent.mkdir(parents=True)
    store.path_for("alice").write_text(json.dumps(document))
    loaded = store.load("alice", site)
    assert loaded.book.current == make_view(2, [STREET])
    assert loaded.book.named == {
        "good": make_view(1, [SlotRef("camera", "gate")]),
        "gone": make_view(1, []),
    }
    text = "\n".join(loaded.problems)
    assert 'current.slots[1]: expected null, {"camera": ID} or {"carousel": ID}' in text
    assert "named.bad.layout: expected a grid side (1, 2, 3, 4), got 7" in text
    assert "view 'gone', slot 1: camera 'roof' is not in the site any more" in text


def test_unwritable_config_dir_raises_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "config"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ViewsError, match=f"cannot save views to {blocker}/views/alice.json"):
        ViewStore(blocker).save("alice", ViewBook(make_view(1, [])))


def test_unreadable_file_falls_back(tmp_path: Path, site: Site) -> None:
    store = ViewStore(tmp_path)
    store.path_for("alice").mkdir(parents=True)  # a folder where the file should be
    loaded = store.load("alice", site)
    assert loaded.book == ViewBook(default_view(site))
    assert "cannot be read" in loaded.problems[0]


slot_refs = st.one_of(
    st.none(),
    st.builds(SlotRef, st.sampled_from(["camera"]), st.sampled_from(["lobby", "gate"])),
    st.just(PERIMETER),
)
views = st.builds(
    View, st.sampled_from(LAYOUTS), st.lists(slot_refs, min_size=16, max_size=16).map(tuple)
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(current=views, named=st.dictionaries(st.text(min_size=1, max_size=12), views, max_size=4))
def test_any_book_survives_a_save_and_load(
    tmp_path: Path, site: Site, current: View, named: dict[str, View]
) -> None:
    store = ViewStore(tmp_path)
    book = ViewBook(current, named)
    store.save("alice", book)
    loaded = store.load("alice", site)
    assert loaded.problems == []
    assert loaded.book == book
    assert list(loaded.book.named) == list(named)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    garbage=st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(["schema", "current", "named", "layout", "slots", "camera"]),
                children,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_json_loads_without_raising(tmp_path: Path, site: Site, garbage: object) -> None:
    store = ViewStore(tmp_path)
    store.path_for("alice").parent.mkdir(parents=True, exist_ok=True)
    if isinstance(garbage, dict):
        garbage = {"schema": "veil-views/1", **garbage}
    store.path_for("alice").write_text(json.dumps(garbage))
    loaded = store.load("alice", site)
    assert loaded.book.current.layout in LAYOUTS
    assert all(len(view.slots) == MAX_SLOTS for view in loaded.book.named.values())

"""`veil search`: login, permission, arguments, the hits it prints, thumbnails, audit."""

from __future__ import annotations

import argparse
import io
import json
from functools import partial
from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.access.passwords import ScryptParams
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, Event
from console.core.privacy.masks import RectGeometry, rasterize
from console.core.site.config import load_site
from console.core.site.paths import resolve_paths
from console.verbs import search as search_verb
from tests.search.conftest import STEM
from tests.support.motion_video import HEIGHT, WIDTH, Walk, write_scene

PASSWORD = "correct horse battery"
FAST = ScryptParams(n=2**8, r=8, p=1)
SITE = """
[site]
name = "Search test"

[roles.operator]
permissions = ["live", "playback"]

[roles.guard]
permissions = ["live"]

[[cameras]]
id = "yard"
name = "Yard"
source = "pattern:bars"
recordings = "recordings"

[[cameras.masks]]
id = "window"
kind = "permanent"
style = "blur"
rect = [0.55, 0.2, 0.85, 0.7]

[[cameras.masks]]
id = "keypad"
kind = "permanent"
style = "solid"
color = "#102030"
rect = [0.0, 0.0, 0.2, 0.2]
"""
KEYPAD_BGR = (0x30, 0x20, 0x10)
COMMON = ("--camera", "yard", "--from", "2026-11-27T10:00:00Z", "--to", "2026-11-27T10:00:30Z")
LOGIN = ("--user", "alice", "--password-stdin")


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A walk at 10:00:05 left of the window, flicker behind the window all the time."""
    monkeypatch.setattr("console.core.access.users.UserStore", partial(UserStore, params=FAST))
    folder = tmp_path / "site"
    walk = Walk(5.0, enter_x=0.25)
    write_scene(folder / "recordings", STEM, 30, (walk,), flicker=(0.6, 0.3, 0.8, 0.6))
    (folder / "site.toml").write_text(SITE)
    paths = resolve_paths(folder / "site.toml")
    audit = AuditLog(paths.audit_db)
    users = UserStore(paths.users_db, load_site(folder / "site.toml").roles, audit, params=FAST)
    users.add("os:test", "alice", "operator", PASSWORD)
    users.add("os:test", "gus", "guard", PASSWORD)
    return folder


def veil_search(site_dir: Path, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    parser = argparse.ArgumentParser(prog="veil")
    search_verb.register(parser.add_subparsers())
    args = parser.parse_args(["search", "--site", str(site_dir / "site.toml"), *argv])
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return int(args.func(args))


def audit_events(site_dir: Path) -> list[tuple[str, str, str, dict[str, object]]]:
    log = AuditLog(resolve_paths(site_dir / "site.toml").audit_db)
    return [(r.event, r.operator, r.outcome, r.details) for r in log.records()]


def test_search_prints_the_walk_and_is_audited(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = veil_search(site_dir, monkeypatch, *COMMON, "--cells", "16:4-7,6-14", "--json", *LOGIN)
    assert code == 0, capsys.readouterr().err
    printed = json.loads(capsys.readouterr().out)
    assert printed["frames"] == 300
    [hit] = printed["hits"]
    assert hit["camera"] == "yard" and hit["start"].startswith("2026-11-27T10:00:0")
    searches = [e for e in audit_events(site_dir) if e[0] == Event.SEARCH]
    assert len(searches) == 1
    _, operator, outcome, details = searches[0]
    recorded = json.loads(details) if isinstance(details, str) else details
    assert (operator, outcome, recorded["hits"], recorded["cameras"]) == (
        "alice",
        "ok",
        1,
        ["yard"],
    )
    assert recorded["region"].startswith("16:4,6;4,7;")


def test_a_region_under_a_mask_prints_no_hit(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = veil_search(site_dir, monkeypatch, *COMMON, "--region", "0.6,0.3,0.8,0.6", *LOGIN)
    assert code == 0, capsys.readouterr().err
    assert capsys.readouterr().out.splitlines() == ["0 hits in 300 frames"]


def test_thumbnails_are_masked_stills(
    site_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "thumbs"
    code = veil_search(
        site_dir, monkeypatch, *COMMON, "--region", "0.2,0.3,0.55,1", "--thumbnails", str(out),
        *LOGIN,
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == 1 and (out / "SHA256SUMS").is_file()
    still = cv2.imread(str(pngs[0]))
    assert still.shape == (HEIGHT, WIDTH, 3)
    keypad = rasterize(RectGeometry(0.0, 0.0, 0.2, 0.2), WIDTH, HEIGHT)
    assert np.abs(still[keypad].astype(int) - KEYPAD_BGR).max() <= 40
    window = rasterize(RectGeometry(0.6, 0.3, 0.8, 0.6), WIDTH, HEIGHT)
    assert still[window].astype(float).std() < 20, "the flicker behind the window is blurred"
    again = veil_search(
        site_dir, monkeypatch, *COMMON, "--region", "0.2,0.3,0.55,1", "--thumbnails", str(out),
        *LOGIN,
    )  # fmt: skip
    assert again == 1 and "already exists" in capsys.readouterr().err


def test_a_role_without_playback_is_refused_and_audited(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = veil_search(
        site_dir, monkeypatch, *COMMON, "--region", "0,0,1,1", "--user", "gus", "--password-stdin"
    )
    assert code == 1
    assert "may not search recordings" in capsys.readouterr().err
    assert [(e[0], e[2]) for e in audit_events(site_dir) if e[0] == Event.SEARCH] == [
        (Event.SEARCH, "denied")
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--cells", "12:1,1", "grid size must be one of"),
        ("--cells", "16:1,99", "expected numbers from 0 to 15"),
        ("--region", "0.5,0.5,0.2,0.9", "x0 < x1"),
        ("--sensitivity", "11", "sensitivity must be 1 to 10"),
    ],
)
def test_bad_arguments_name_what_was_expected(
    site_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    option: str,
    value: str,
    message: str,
) -> None:
    region = () if option in {"--cells", "--region"} else ("--region", "0,0,1,1")
    code = veil_search(site_dir, monkeypatch, *COMMON, *region, option, value, *LOGIN)
    assert code == 2
    assert message in capsys.readouterr().err


def test_hostile_text_in_an_error_is_escaped(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = veil_search(site_dir, monkeypatch, *COMMON, "--region", "\x1b[2J,0,1,1", *LOGIN)
    assert code == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "2J" in err

"""Site files: valid ones load; broken ones get every problem, with key path and line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from console.core.privacy.masks import GridGeometry, PolygonGeometry, RectGeometry
from console.core.site.config import load_site
from console.core.site.durations import format_duration, parse_duration
from console.core.site.problems import SiteError
from tests.conftest import DEMO_SITE

VALID = """\
[site]
name = "Test site"
lift_timeout = "10m"
require_lift_reason = true

[auth]
max_failures = 3
failure_window = "2m"
lockout = "90s"

[roles.operator]
permissions = ["live", "playback", "export"]

[roles.supervisor]
permissions = ["live", "playback", "export", "lift_privacy_masks", "audit"]
lift_timeout = "2h"

[[cameras]]
id = "lobby"
name = "Lobby"
source = "clips/lobby.mp4"
tile_source = "clips/lobby-small.mp4"
fps = 10
recordings = "recordings/lobby"

[[cameras.masks]]
id = "keypad"
kind = "permanent"
grid = "16x16"
cells = ["3,4", "3-5,6-7"]

[[cameras.masks]]
id = "window"
kind = "liftable"
rect = [0.1, 0.05, 0.4, 0.3]

[[cameras]]
id = "street"
name = "Street"
source = "rtsp://127.0.0.1:8554/street"
credential = "street-cam"

[[cameras.masks]]
id = "houses"
kind = "liftable"
style = "pixelate"
level = 7
polygon = [[0.1, 0.1], [0.4, 0.1], [0.3, 0.4]]

[[carousels]]
id = "tour"
name = "Tour"
cameras = ["lobby", "street"]
interval = "15s"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(SiteError) as caught:
        load_site(write(tmp_path, text))
    return [str(problem) for problem in caught.value.problems]


def test_valid_site_loads_with_defaults_and_resolved_paths(tmp_path: Path) -> None:
    site = load_site(write(tmp_path, VALID))
    assert site.name == "Test site"
    assert site.lift_timeout == 600
    assert site.lift_timeout_for("supervisor") == 7200
    assert site.lift_timeout_for("operator") == 600
    assert (site.auth_max_failures, site.auth_failure_window, site.auth_lockout) == (3, 120, 90)
    lobby, street = site.cameras
    assert lobby.source == str(tmp_path / "clips" / "lobby.mp4")
    assert lobby.recordings == tmp_path / "recordings" / "lobby"
    keypad, window = lobby.masks
    assert (keypad.style, keypad.color) == ("solid", (0, 0, 0))
    assert isinstance(keypad.geometry, GridGeometry)
    assert len(keypad.geometry.cells) == 1 + 3 * 2
    assert (window.style, window.level) == ("blur", 5)
    assert isinstance(window.geometry, RectGeometry)
    assert isinstance(street.masks[0].geometry, PolygonGeometry)
    assert street.source == "rtsp://127.0.0.1:8554/street"
    assert site.carousels[0].interval == 15
    assert len(site.sha256) == 64


def test_every_problem_is_reported_with_path_and_line(tmp_path: Path) -> None:
    broken = (
        VALID.replace('lift_timeout = "10m"', 'lift_timeout = "10 minutes"')
        .replace('"3-5,6-7"', '"3-5,6-17"')
        .replace('kind = "liftable"\nrect', 'kind = "removable"\nrect')
        .replace('"lift_privacy_masks", "audit"', '"lift_privacy_masks", "audti"')
        .replace('cameras = ["lobby", "street"]', 'cameras = ["lobby", "garage"]')
        .replace("fps = 10", "fps = 10\nzoom = 2")
    )
    found = problems(tmp_path, broken)
    path = tmp_path / "site.toml"
    assert f"{path}:3: site.lift_timeout: expected a duration" in found[0]
    expected = [
        f"{path}:15: roles.supervisor.permissions[4]: unknown permission 'audti'",
        f"{path}:24: cameras[0].zoom: unknown key 'zoom'",
        f'{path}:31: cameras[0].masks[0].cells[1]: expected "col,row"',
        f"{path}:35: cameras[0].masks[1].kind: expected one of permanent, liftable",
        f"{path}:54: carousels[0].cameras[1]: unknown camera id 'garage'",
    ]
    for line in expected:
        assert any(problem.startswith(line) for problem in found), (line, found)
    assert len(found) == 6


@pytest.mark.parametrize(
    ("replace", "by", "message"),
    [
        ('id = "street"', 'id = "lobby"', "cameras[1].id: duplicate camera id 'lobby'"),
        ('id = "window"', 'id = "keypad"', "masks[1].id: duplicate mask id 'keypad'"),
        ("[0.1, 0.05, 0.4, 0.3]", "[0.4, 0.05, 0.4, 0.3]", "x0 < x1 and y0 < y1"),
        (
            "[0.1, 0.05, 0.4, 0.3]",
            "[0.1, 0.05, 1.4, 0.3]",
            "rect[2]: expected a number from 0 to 1",
        ),
        ("[0.3, 0.4]]", "[0.7, 0.1]]", "encloses an area"),
        ('grid = "16x16"', 'grid = "12x12"', "expected one of 8x8, 16x16, 32x32, 64x64"),
        ("level = 7", "level = 11", "level: expected a whole number from 1 to 10"),
        ("level = 7", "level = nan", "level: expected a whole number"),
        ('lift_timeout = "2h"', 'lift_timeout = "30s"', "expected a duration from 1m to 24h"),
        ('lift_timeout = "2h"', 'lift_timeout = "25h"', "expected a duration from 1m to 24h"),
        ("fps = 10", "fps = true", "fps: expected a number"),
        ('"rtsp://127.0.0.1:8554/street"', '"rtsp://admin:hunter2@127.0.0.1/street"', "keyring"),
        ('source = "clips/lobby.mp4"', 'source = "ftp://x/y"', "expected rtsp://"),
        ('kind = "permanent"\ngrid', 'kind = "permanent"\ncolor = "red"\ngrid', "#RRGGBB"),
        ('name = "Test site"', "", "site.name: is required"),
        ("rect = [0.1, 0.05, 0.4, 0.3]", "", "expected exactly one geometry"),
    ],
)
def test_specific_mistakes_are_named(tmp_path: Path, replace: str, by: str, message: str) -> None:
    assert replace in VALID
    found = problems(tmp_path, VALID.replace(replace, by, 1))
    assert any(message in problem for problem in found), found


def test_secrets_never_echoed_in_errors(tmp_path: Path) -> None:
    text = VALID.replace('"rtsp://127.0.0.1:8554/street"', '"rtsp://admin:hunter2@127.0.0.1/s"')
    assert not any("hunter2" in problem for problem in problems(tmp_path, text))


def test_unreadable_and_non_toml_files(tmp_path: Path) -> None:
    with pytest.raises(SiteError, match="cannot read the site file"):
        load_site(tmp_path / "missing.toml")
    found = problems(tmp_path, "[site]\nname = \n")
    assert found[0].startswith(f"{tmp_path / 'site.toml'}:2: (top level): expected valid TOML")
    (tmp_path / "site.toml").write_bytes(b"[site]\nname = '\xff\xfe'\n")
    with pytest.raises(SiteError, match="UTF-8"):
        load_site(tmp_path / "site.toml")


def test_demo_site_is_valid() -> None:
    site = load_site(DEMO_SITE)
    assert len(site.cameras) >= 4
    kinds = {mask.kind for camera in site.cameras for mask in camera.masks}
    styles = {mask.style for camera in site.cameras for mask in camera.masks}
    shapes = {type(mask.geometry) for camera in site.cameras for mask in camera.masks}
    assert kinds == {"permanent", "liftable"}
    assert styles == {"solid", "blur", "pixelate"}
    assert shapes == {GridGeometry, RectGeometry, PolygonGeometry}
    lifters = [r for r in site.roles.values() if "lift_privacy_masks" in r.permissions]
    assert lifters and len(lifters) < len(site.roles)


def veil(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args], capture_output=True, text=True, timeout=60
    )


def test_check_site_cli(tmp_path: Path) -> None:
    ok = veil("check-site", str(DEMO_SITE))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("\n") == 1 and ": OK: " in ok.stdout
    bad = write(tmp_path, VALID.replace("fps = 10", "fps = -1\nzoom = 2"))
    result = veil("check-site", str(bad))
    assert result.returncode == 1
    assert "cameras[0].fps" in result.stderr and "cameras[0].zoom" in result.stderr
    assert "2 problems" in result.stderr and "Traceback" not in result.stderr


def test_console_without_site_explains_what_to_do() -> None:
    result = veil()
    assert result.returncode == 1
    assert "veil --demo" in result.stderr and "--site" in result.stderr


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("10m", 600), ("2h", 7200), ("1h30m", 5400), ("1.5m", 90)]
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "10", "m", "10 minutes", "-5m", "1d"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration"):
        parse_duration(text)

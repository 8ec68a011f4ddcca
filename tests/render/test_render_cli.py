"""`veil render`: frames on stdout as a terminal receives them, masked like live video."""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog
from console.core.privacy.masking import CameraMasker
from console.core.render.kitty_decode import parse_kitty
from console.core.render.sixel import SixelRenderer
from console.core.render.sixel_decode import decode_sixel, find_sixels
from console.core.site.config import load_site
from console.core.site.paths import resolve_paths
from console.verbs.render import register
from tests.lift.conftest import FAST
from tests.render.screen import paint
from tests.support.frames import secret_pattern

SITE = """\
[site]
name = "Render test"

[roles.operator]
permissions = ["live"]

[roles.auditor]
permissions = ["audit", "playback"]

[[cameras]]
id = "door"
name = "Door"
source = "pattern:bars"

[[cameras.masks]]
id = "left"
kind = "permanent"
color = "#102030"
rect = [0.0, 0.0, 0.5, 1.0]
"""
MASK_RGB = 0x102030
PASSWORD = "a long password"


def veil_render(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="veil")
    register(parser.add_subparsers())
    args = parser.parse_args(["render", *argv])
    return int(args.func(args))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(SITE)
    return path


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    folder = tmp_path / "frames"
    folder.mkdir()
    secret = secret_pattern(320, 180, 8)
    cv2.imwrite(str(folder / "b.png"), secret)
    cv2.imwrite(str(folder / "a.jpg"), 255 - secret)
    (folder / "notes.txt").write_text("not a picture")
    return folder


def test_text_frames_are_masked_fitted_and_homed(
    site: Path, pictures: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    code = veil_render(
        "--site", str(site), "--camera", "door", "--input-dir", str(pictures),
        "--cols", "40", "--rows", "20", "--colors", "truecolor",
    )  # fmt: skip
    assert code == 0
    out = capfdbinary.readouterr().out.decode()
    frames = out.split("\x1b[H")[1:]
    assert len(frames) == 2
    for frame in frames:
        screen = paint("\x1b[H" + frame)
        assert len(screen) == 11 and {len(row) for row in screen} == {40}  # 16:9 in 40x20
        for row in screen:
            assert {(c.char, c.bg) for c in row[:20]} == {(" ", MASK_RGB)}
            assert any(c.bg != MASK_RGB for c in row[20:])


def test_sixel_frames_are_one_dcs_each(
    site: Path, pictures: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    code = veil_render(
        "--site", str(site), "--camera", "door", "--input-dir", str(pictures),
        "--mode", "sixel", "--stretch", "--cols", "8", "--rows", "2", "--cell-px", "10x20",
        "--frames", "1",
    )  # fmt: skip
    assert code == 0
    out = capfdbinary.readouterr().out
    assert out.startswith(b"\x1b[H\x1bP") and out.count(b"\x1b[H") == 1
    (dcs,) = find_sixels(out)
    image = decode_sixel(dcs)
    assert image.pixels.shape == (36, 80, 3)
    left = image.pixels[:, :40].reshape(-1, 3)
    assert len(np.unique(left, axis=0)) == 1  # the mask, in its nearest palette colour


def test_kitty_frames_are_one_picture_each_with_every_touched_pixel_masked(
    site: Path, pictures: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    code = veil_render(
        "--site", str(site), "--camera", "door", "--input-dir", str(pictures),
        "--mode", "kitty", "--cols", "40", "--rows", "20", "--cell-px", "10x20",
    )  # fmt: skip
    assert code == 0
    out = capfdbinary.readouterr().out
    frames = out.split(b"\x1b[H")[1:]
    assert len(frames) == 2
    for frame in frames:
        (command,) = parse_kitty(frame)
        assert (command.keys["c"], command.keys["r"]) == ("40", "11")  # 16:9 in 40x20
        pixels = command.pixels().astype(np.int64)
        rgb = (pixels[..., 2] << 16) | (pixels[..., 1] << 8) | pixels[..., 0]
        half = -(-rgb.shape[1] // 2)  # outward: the middle column touches the mask
        assert (rgb[:, :half] == MASK_RGB).all()
        assert (rgb[:, half + 1 :] != MASK_RGB).any()


def test_a_tile_larger_than_half_the_picture_is_made_from_the_full_picture(
    site: Path, pictures: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    code = veil_render(
        "--site", str(site), "--camera", "door", "--input-dir", str(pictures),
        "--mode", "sixel", "--stretch", "--cols", "30", "--rows", "8", "--cell-px", "10x20",
        "--frames", "1",
    )  # fmt: skip
    assert code == 0
    (dcs,) = find_sixels(capfdbinary.readouterr().out)
    picture = cv2.imread(str(pictures / "a.jpg"), cv2.IMREAD_COLOR)  # first in name order
    masker = CameraMasker("door", load_site(site).cameras[0].masks)
    expected = SixelRenderer().render(masker.preview(picture, 300, 156), 30, 8, (10, 20))
    assert expected.graphics is not None and dcs == expected.graphics.encode()


@pytest.fixture
def users(site: Path) -> None:
    """olga the operator (live) and abe the auditor (no live), in the test's data dir."""
    paths = resolve_paths()
    roles = load_site(site).roles
    store = UserStore(paths.users_db, roles, AuditLog(paths.audit_db), params=FAST)
    store.add("os:test", "olga", "operator", PASSWORD)
    store.add("os:test", "abe", "auditor", PASSWORD)


def logged(user: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    return ["--user", user, "--password-stdin"]


def events() -> list[tuple[str, str, str, str]]:
    return [
        (r.event, r.operator, r.outcome, r.details)
        for r in AuditLog(resolve_paths().audit_db).records()
        if r.event != "user_admin"
    ]


@pytest.mark.usefixtures("users")
def test_live_frames_from_the_camera_source_for_a_user_with_live(
    site: Path, capfdbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    code = veil_render(
        "--site", str(site), "--camera", "door", "--frames", "2", "--mode", "ascii",
        "--colors", "mono", "--cols", "30", "--rows", "10", *logged("olga", monkeypatch),
    )  # fmt: skip
    assert code == 0
    out = capfdbinary.readouterr().out.decode()
    assert out.count("\x1b[H") == 2
    assert "\x1b[" not in out.replace("\x1b[H", "")  # mono: no colour at all
    assert events() == [
        ("login_ok", "olga", "ok", "{}"),
        ("live_taken", "olga", "ok", '{"camera":"door","command":"render","frames":2}'),
        ("logout", "olga", "ok", '{"cause":"command finished"}'),
    ]


@pytest.mark.usefixtures("users")
def test_live_frames_need_a_user_whose_role_holds_live(
    site: Path, capfdbinary: pytest.CaptureFixture[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert veil_render("--site", str(site), "--camera", "door") == 2
    captured = capfdbinary.readouterr()
    assert captured.out == b""
    assert b"a live camera needs --user NAME" in captured.err

    monkeypatch.setattr("sys.stdin", io.StringIO("not the password\n"))
    wrong = veil_render("--site", str(site), "--camera", "door", "--user", "olga",
                        "--password-stdin")  # fmt: skip
    assert wrong == 1
    assert capfdbinary.readouterr().out == b""

    refused = veil_render("--site", str(site), "--camera", "door", *logged("abe", monkeypatch))
    assert refused == 1
    captured = capfdbinary.readouterr()
    assert captured.out == b""
    assert b"user abe (role auditor) may not watch live video" in captured.err
    why = '{"camera":"door","command":"render","why":"role auditor lacks live"}'
    assert events() == [
        ("login_failed", "olga", "wrong credentials", "{}"),
        ("login_ok", "abe", "ok", "{}"),
        ("live_taken", "abe", "denied", why),
        ("logout", "abe", "ok", '{"cause":"command finished"}'),
    ]


def test_no_color_applies_when_colours_are_not_given(
    site: Path,
    pictures: Path,
    capfdbinary: pytest.CaptureFixture[bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert veil_render("--site", str(site), "--camera", "door", "--input-dir", str(pictures)) == 0
    out = capfdbinary.readouterr().out.decode()
    assert "\x1b[" not in out.replace("\x1b[H", "") and "▀" in out


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--camera", "nope"], 1, "no camera 'nope'"),
        (["--camera", "door", "--cell-px", "ten"], 2, "cell size must be WxH"),
        (["--camera", "door", "--cols", "0"], 2, "must be positive"),
        (["--camera", "door", "--input-dir", "missing"], 3, "is not a folder"),
        (["--camera", "door", "--input-dir", "empty"], 3, "no PNG or JPEG files in"),
        (["--camera", "door", "--input-dir", "broken"], 3, "cannot read"),
    ],
)
def test_errors_are_one_clear_line(
    site: Path,
    tmp_path: Path,
    capfdbinary: pytest.CaptureFixture[bytes],
    argv: list[str],
    code: int,
    message: str,
) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "x.png").write_bytes(b"not a png")
    argv = [str(tmp_path / a) if a in ("missing", "empty", "broken") else a for a in argv]
    assert veil_render("--site", str(site), *argv) == code
    captured = capfdbinary.readouterr()
    assert captured.out == b""
    err = captured.err.decode()
    assert message in err and "Traceback" not in err
    if "cannot read" in message:
        assert "x.png" in err

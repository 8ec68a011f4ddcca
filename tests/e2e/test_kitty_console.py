"""`veil --demo` in Debian's kitty (0.26.5, Mesa's software OpenGL under Xvfb): the probe
finds kitty graphics by itself, solid masks keep their exact colour in the true-colour
pictures, and the video moves.

As with the xterm sixel test, only screenshots can show what a picture drew; the demo's
permanent solid masks locate each picture on the screen (harness/pixels.py).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .harness import demo
from .harness.env import PYTHON, VEIL
from .harness.pixels import changed, mask_blob, picture_from_mask, region
from .harness.xterm import Kitty, Rect, is_filled
from .harness.xwd import Image

pytestmark = pytest.mark.e2e

WAIT = 40.0
"""Seconds a screen may take: kitty draws with software OpenGL on two busy cores."""


def rgb(hex_rgb: str) -> tuple[int, int, int]:
    value = hex_rgb.lstrip("#")
    return (int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16))


KEYPAD = rgb(demo.KEYPAD_COLOR)
CODE_PANEL = rgb(demo.CODE_PANEL_COLOR)


def pictures(shot: Image) -> tuple[Rect, Rect] | None:
    keypad, panel = mask_blob(shot, KEYPAD), mask_blob(shot, CODE_PANEL)
    if keypad is None or panel is None:
        return None
    return picture_from_mask(keypad, demo.KEYPAD), picture_from_mask(panel, demo.CODE_PANEL)


def test_the_probe_finds_kitty_graphics(
    kitty: Kitty, veil_env: dict[str, str], tmp_path: Path
) -> None:
    found = tmp_path / "render.txt"
    script = (
        "from console.core.render.terminal import detect_terminal\n"
        "caps = detect_terminal()\n"
        f"open({str(found)!r}, 'w').write(caps.render + '\\n' + '\\n'.join(caps.reasons))\n"
    )
    kitty.start([str(PYTHON), "-c", script], {**veil_env, "COLORTERM": "truecolor"})
    deadline = time.monotonic() + WAIT
    while not found.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert found.exists(), kitty.log.read_text(errors="replace")
    render, *reasons = found.read_text().splitlines()
    assert render == "kitty", reasons
    assert "kitty graphics: accepted" in reasons


def test_kitty_wall_keeps_solid_masks_exact_and_shows_live_video(
    kitty: Kitty, veil_env: dict[str, str]
) -> None:
    kitty.start([str(VEIL), "--demo", "--render", "kitty"], veil_env)
    kitty.wait_for_pixels(lambda shot: bool(shot[:40].any()), "the login screen", WAIT)
    time.sleep(1.0)
    for text, key in ((demo.OPERATOR[0], "Tab"), (demo.OPERATOR[1], "Return")):
        kitty.type(text)
        time.sleep(0.2)
        kitty.press(key)
        time.sleep(0.2)
    first = kitty.wait_for_pixels(lambda s: pictures(s) is not None, "both solid masks", WAIT)
    found = pictures(first)
    assert found is not None
    lobby, gate = found
    time.sleep(1.0)
    second = kitty.wait_for_pixels(lambda s: pictures(s) is not None, "the wall again", WAIT)
    lobby, gate = pictures(second) or found
    assert is_filled(second, region(lobby, demo.KEYPAD_PROBE), KEYPAD), "exact mask colour"
    assert is_filled(second, region(gate, demo.CODE_PANEL_PROBE), CODE_PANEL)
    assert changed(first, second, region(lobby, demo.LOBBY_MOTION)) > 0.01, "no live video"
    assert changed(first, second, region(gate, demo.GATE_MOTION)) > 0.01, "no live video"

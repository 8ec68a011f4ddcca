"""`veil --demo --render sixel` in Debian's xterm: masks hold in real sixel pixels, and a
supervisor-authorized lift uncovers liftable masks only (issue 6, item 2).

Text captures cannot show what a sixel tile drew, so this test reads screenshots. The
pictures are found by their permanent solid masks (see harness/pixels.py), and every
other region follows from the demo site's mask coordinates. The terminal repaints a
tile now and then (a toast, a modal going away), so every check waits for a screenshot
in which the wall is whole, and asserts on that one screenshot.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from .harness import demo
from .harness.env import VEIL
from .harness.pixels import changed, mask_blob, picture_from_mask, region, sixel_shown_color
from .harness.xterm import Rect, XTerm, is_filled
from .harness.xwd import Image

pytestmark = pytest.mark.e2e

KEYPAD = sixel_shown_color(demo.KEYPAD_COLOR)
CODE_PANEL = sixel_shown_color(demo.CODE_PANEL_COLOR)
GUARD_BOOTH = sixel_shown_color(demo.GUARD_BOOTH_COLOR)
WAIT = 30.0
"""Seconds a screen may take to appear: xterm decodes sixel slowly on two busy cores."""


def app_started(image: Image) -> bool:
    """Textual's header spans the top row; the demo's stderr line before it does not."""
    return bool(image[6, -100:].any(axis=-1).all())


def type_in(xterm: XTerm, user: tuple[str, str]) -> None:
    """User name, Tab, password, Enter into the focused form, paced like a person."""
    xterm.type(user[0])
    time.sleep(0.2)
    xterm.press("Tab")
    time.sleep(0.2)
    xterm.type(user[1])
    time.sleep(0.2)
    xterm.press("Return")


def pictures(shot: Image) -> tuple[Rect, Rect] | None:
    """The lobby and gate pictures, found by their permanent solid masks."""
    keypad, panel = mask_blob(shot, KEYPAD), mask_blob(shot, CODE_PANEL)
    if keypad is None or panel is None:
        return None
    return picture_from_mask(keypad, demo.KEYPAD), picture_from_mask(panel, demo.CODE_PANEL)


def uniform(shot: Image, rect: Rect) -> bool:
    x0, y0, x1, y1 = rect
    return len(np.unique(shot[y0:y1, x0:x1].reshape(-1, 3), axis=0)) == 1


def share(shot: Image, rect: Rect, rgb: tuple[int, int, int]) -> float:
    """The fraction of `rect`'s pixels that have exactly this colour."""
    x0, y0, x1, y1 = rect
    return float(np.mean(np.all(shot[y0:y1, x0:x1] == np.array(rgb, np.uint8), axis=-1)))


def wall_hidden(shot: Image) -> bool:
    """An opaque modal is up: no mask on screen, and most of the screen is the colour of
    its left edge (a tile's border and picture while the wall shows)."""
    edge = shot[shot.shape[0] // 2, 1]
    return mask_blob(shot, KEYPAD) is None and bool(np.mean(np.all(shot == edge, axis=-1)) > 0.7)


def test_sixel_wall_keeps_masks_and_a_lift_uncovers_only_liftable_ones(
    xterm: XTerm, veil_env: dict[str, str]
) -> None:
    xterm.start([str(VEIL), "--demo", "--render", "sixel"], veil_env)
    xterm.wait_for_pixels(app_started, "the login screen", WAIT)
    type_in(xterm, demo.OPERATOR)
    first = xterm.wait_for_pixels(
        lambda shot: pictures(shot) is not None, "both permanent solid masks", WAIT
    )
    found = pictures(first)
    assert found is not None
    lobby, gate = found
    assert lobby[2] <= gate[0] or gate[1] >= lobby[3], "two pictures, side by side or stacked"

    def masked_wall(shot: Image) -> bool:
        return pictures(shot) == found and is_filled(
            shot, region(gate, demo.GUARD_BOOTH), GUARD_BOOTH
        )

    time.sleep(0.5)
    second = xterm.wait_for_pixels(masked_wall, "the wall with every solid mask", WAIT)
    assert is_filled(second, region(lobby, demo.KEYPAD_PROBE), KEYPAD)
    assert is_filled(second, region(gate, demo.CODE_PANEL_PROBE), CODE_PANEL)
    assert changed(first, second, region(lobby, demo.LOBBY_MOTION)) > 0.01, "no live video"
    assert changed(first, second, region(gate, demo.GATE_MOTION)) > 0.01, "no live video"

    xterm.press("ctrl+l")
    xterm.wait_for_pixels(wall_hidden, "the authorization modal over the wall", WAIT)
    type_in(xterm, demo.SUPERVISOR)
    lifted = xterm.wait_for_pixels(
        lambda shot: (
            pictures(shot) == found
            and not uniform(shot, region(gate, demo.GUARD_BOOTH))
            and share(shot, region(gate, demo.GUARD_BOOTH), GUARD_BOOTH) < 0.5
        ),
        "video where the guard booth was masked",
        WAIT,
    )
    assert is_filled(lifted, region(lobby, demo.KEYPAD_PROBE), KEYPAD), "permanent stays"
    assert is_filled(lifted, region(gate, demo.CODE_PANEL_PROBE), CODE_PANEL), "permanent stays"


def test_tiles_larger_than_xterms_sixel_limit_still_show_their_picture(
    xterm: XTerm, veil_env: dict[str, str]
) -> None:
    """The 1x1 layout and the hotspot of a 200x60 xterm (1200x780 px) exceed its 1000-pixel
    sixel limit: the image is scaled into it (XTSMGRAPHICS), not left black (issue 15)."""
    xterm.start([str(VEIL), "--demo", "--render", "sixel"], veil_env)
    xterm.wait_for_pixels(app_started, "the login screen", WAIT)
    type_in(xterm, demo.OPERATOR)
    xterm.wait_for_pixels(lambda shot: pictures(shot) is not None, "the 2x2 wall", WAIT)
    for keys, view in ((("Return",), "the hotspot"), (("Escape", "1"), "the 1x1 layout")):
        for key in keys:
            xterm.press(key)
            time.sleep(0.3)
        shot = xterm.wait_for_pixels(
            lambda shot: (
                (blob := mask_blob(shot, KEYPAD)) is not None
                and picture_from_mask(blob, demo.KEYPAD)[2]
                - picture_from_mask(blob, demo.KEYPAD)[0]
                > 600
            ),
            f"the lobby's picture in {view}",
            WAIT,
        )
        blob = mask_blob(shot, KEYPAD)
        assert blob is not None
        x0, _, x1, _ = picture_from_mask(blob, demo.KEYPAD)
        assert x1 - x0 <= 1000 + 2, "the image fits xterm's limit"

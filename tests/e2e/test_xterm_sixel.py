"""xterm under Xvfb really decodes sixel, and screenshots find it where and as it was drawn.

This proves the harness that the console's sixel tests stand on: if a sixel image drawn
at a known cell does not come out at that cell's pixels in exactly its colours, no
pixel assertion about the console could be trusted.
"""

from __future__ import annotations

import pytest

from .harness.env import PYTHON
from .harness.xterm import XTerm, cell_rect, color_box, is_filled

pytestmark = pytest.mark.e2e

RED = (255, 0, 0)
BLUE = (0, 0, 255)
BLOCK = (48, 36)
"""Width and height of each colour block; the height is a whole number of sixel bands."""
AT = (10, 5)
"""The cell (column, row) the image is drawn at."""


def sixel_blocks(colors: list[tuple[int, int, int]], width: int, height: int) -> str:
    """A sixel image of solid blocks side by side, one colour register per block."""
    header = "".join(
        f"#{register};2;{r * 100 // 255};{g * 100 // 255};{b * 100 // 255}"
        for register, (r, g, b) in enumerate(colors, start=1)
    )
    band = "".join(f"#{register}!{width}~" for register in range(1, len(colors) + 1))
    return f"\x1bPq{header}" + "-".join([band] * (height // 6)) + "\x1b\\"


def draw_then_wait(image: str, col: int, row: int) -> list[str]:
    """A program that hides the cursor (it would cover part of the image), draws `image` at
    a cell and keeps the terminal open."""
    script = (
        "import sys, time\n"
        f"sys.stdout.write('\\x1b[?25l\\x1b[2J\\x1b[{row + 1};{col + 1}H' + {image!r})\n"
        "sys.stdout.flush()\n"
        "time.sleep(120)\n"
    )
    return [str(PYTHON), "-c", script]


def answer_keys_then_draw(ready: str, answer: str, expected: bytes) -> list[str]:
    """A program that draws `ready`, reads the raw keyboard until `expected`, then draws
    `answer`: the second image appears only if typed keys arrive exactly as expected."""
    script = (
        "import os, sys, time, tty\n"
        "tty.setraw(0)\n"
        f"sys.stdout.write('\\x1b[?25l\\x1b[2J\\x1b[1;1H' + {ready!r}); sys.stdout.flush()\n"
        "got = b''\n"
        f"while not got.endswith({expected!r}): got += os.read(0, 1)\n"
        f"sys.stdout.write('\\x1b[2J\\x1b[1;1H' + {answer!r}); sys.stdout.flush()\n"
        "time.sleep(120)\n"
    )
    return [str(PYTHON), "-c", script]


def test_xterm_draws_a_sixel_image_at_its_cell_in_its_colours(
    xterm: XTerm, veil_env: dict[str, str]
) -> None:
    xterm.start(draw_then_wait(sixel_blocks([RED, BLUE], *BLOCK), *AT), veil_env)
    shot = xterm.wait_for_pixels(
        lambda image: color_box(image, BLUE) is not None, "the sixel image", timeout=15
    )
    x0, y0, _, _ = cell_rect(*AT)
    width, height = BLOCK
    red, blue = color_box(shot, RED), color_box(shot, BLUE)
    assert red == (x0, y0, x0 + width, y0 + height)
    assert blue == (x0 + width, y0, x0 + 2 * width, y0 + height)
    assert is_filled(shot, red, RED) and is_filled(shot, blue, BLUE)
    assert not is_filled(shot, cell_rect(0, 0, AT[0], AT[1]), RED), "only the image is red"


def test_keys_typed_on_the_x_keyboard_reach_the_program_in_xterm(
    xterm: XTerm, veil_env: dict[str, str]
) -> None:
    ready, answer = sixel_blocks([RED], *BLOCK), sixel_blocks([BLUE], *BLOCK)
    xterm.start(answer_keys_then_draw(ready, answer, b"Go-1\r\t\x11"), veil_env)
    xterm.wait_for_pixels(lambda image: color_box(image, RED) is not None, "ready", timeout=15)
    xterm.type("Go-1")
    xterm.press("Return", "Tab", "ctrl+q")
    shot = xterm.wait_for_pixels(lambda image: color_box(image, BLUE) is not None, "answer")
    assert color_box(shot, BLUE) == (0, 0, *BLOCK)
    assert color_box(shot, RED) is None, "the screen was cleared before the answer"

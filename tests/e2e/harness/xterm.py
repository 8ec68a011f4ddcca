"""Terminals on a virtual X display with pixel screenshots: xterm for sixel, kitty for
kitty graphics.

Text captures cannot show whether sixel graphics were really drawn, so these tests look
at pixels. xterm runs as a VT340 with 256 colour registers (the configuration in which it
decodes sixel), with a fixed bitmap font so that every cell is exactly `CELL` pixels and a
cell's position on screen is plain arithmetic. The window sits at the display's top-left
with no border, and the display's root is black, so screen and terminal coordinates agree.
"""

from __future__ import annotations

import os
import select
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import cv2
import numpy as np

from .env import TERM, require
from .xwd import Image, parse_xwd

FONT = "-misc-fixed-medium-r-semicondensed--13-120-75-75-c-60-iso10646-1"
"""The classic 6x13 `fixed` font from xfonts-base, in its Unicode encoding."""
CELL = (6, 13)
"""Width and height of one character cell of FONT, in pixels."""
SIXEL_RESOURCES = (
    "XTerm*decTerminalID: vt340",
    "XTerm*numColorRegisters: 256",
)

Rect = tuple[int, int, int, int]
"""x0, y0, x1, y1 in screen pixels, end-exclusive."""


class XDisplay:
    """A private Xvfb server; the display number is whichever one it finds free."""

    def __init__(self, log: Path, width: int = 1280, height: int = 1024) -> None:
        self.log = log
        self.size = (width, height)
        self.process: subprocess.Popen[bytes] | None = None
        self.name = ""
        """":N", set once the server is up."""

    def start(self, timeout: float = 10.0) -> XDisplay:
        require("Xvfb", "xwd")
        read_end, write_end = os.pipe()
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_end), "-screen", "0",
                 f"{self.size[0]}x{self.size[1]}x24", "-nolisten", "tcp", "-br", "-noreset"],
                pass_fds=(write_end,), stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )  # fmt: skip
        os.close(write_end)
        try:
            number = _read_line(read_end, timeout)
        finally:
            os.close(read_end)
        if not number:
            self.stop()
            raise RuntimeError(f"Xvfb did not start: {self.log.read_text(errors='replace')}")
        self.name = f":{number}"
        return self

    def screenshot(self) -> Image:
        """The whole display as RGB pixels."""
        dump = subprocess.run(
            ["xwd", "-root", "-silent", "-display", self.name],
            capture_output=True,
            check=True,
            timeout=10,
        )
        return parse_xwd(dump.stdout)

    def stop(self) -> None:
        _end(self.process)


class XTerminal:
    """A terminal window at the top-left of a display, running one program: typed into
    through the X keyboard, and read through screenshots."""

    def __init__(self, display: XDisplay, log: Path, size_px: tuple[int, int]) -> None:
        self.display = display
        self.log = log
        self.size_px = size_px
        """Width and height of the window's pixels."""
        self.process: subprocess.Popen[bytes] | None = None

    def type(self, text: str) -> None:
        """Type literal text on the X keyboard, as an operator at this terminal would."""
        self._xdotool("type", "--delay", "20", "--", text)

    def press(self, *keys: str) -> None:
        """X key names, with modifiers: "Return", "Tab", "Escape", "ctrl+q"..."""
        self._xdotool("key", "--delay", "20", *keys)

    def _xdotool(self, *command: str) -> None:
        # No window manager runs, so keyboard focus follows the pointer: park it on the
        # window first. xdotool then types through XTEST, as real keys, which xterm takes
        # (it ignores synthetic XSendEvent keys by default).
        require("xdotool")
        subprocess.run(
            ["xdotool", "mousemove", "20", "20", *command],
            env={"DISPLAY": self.display.name, "PATH": "/usr/bin:/bin"},
            check=True,
            capture_output=True,
            timeout=30,
        )

    def screenshot(self) -> Image:
        """The terminal's pixels: the display cropped to the window."""
        width, height = self.size_px
        return self.display.screenshot()[:height, :width]

    def wait_for_pixels(
        self, check: Callable[[Image], bool], what: str, timeout: float = 10.0
    ) -> Image:
        """Screenshot until `check` holds; on timeout the last one is saved for a look."""
        deadline = time.monotonic() + timeout
        while True:
            image = self.screenshot()
            if check(image):
                return image
            if self.process is not None and self.process.poll() is not None:
                errors = self.log.read_text(errors="replace")
                raise AssertionError(f"terminal exited ({self.process.returncode}): {errors}")
            if time.monotonic() > deadline:
                saved = self.log.with_suffix(".timeout.png")
                save_png(image, saved)
                raise AssertionError(f"after {timeout:g}s the screen never showed {what}; {saved}")
            time.sleep(0.1)

    def stop(self) -> None:
        _end(self.process)


class XTerm(XTerminal):
    """Debian's xterm as a VT340 with sixel, in the fixed 6x13 font."""

    def __init__(self, display: XDisplay, log: Path, cols: int = 200, rows: int = 60) -> None:
        super().__init__(display, log, (cols * CELL[0], rows * CELL[1]))
        self.cols = cols
        self.rows = rows

    def start(
        self,
        argv: Sequence[str],
        env: Mapping[str, str],
        resources: Sequence[str] = SIXEL_RESOURCES,
    ) -> XTerm:
        require("xterm")
        options = [item for resource in resources for item in ("-xrm", resource)]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["xterm", "-ti", "vt340", *options, "-tn", TERM, "-u8", "-fn", FONT,
                 "-geometry", f"{self.cols}x{self.rows}+0+0", "-bw", "0", "-b", "0", "+sb",
                 "-fg", "white", "-bg", "black", "-e", *argv],
                env={**env, "DISPLAY": self.display.name},
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )  # fmt: skip
        return self


def cell_rect(col: int, row: int, cols: int = 1, rows: int = 1) -> Rect:
    """The pixels covered by a block of character cells."""
    width, height = CELL
    return (col * width, row * height, (col + cols) * width, (row + rows) * height)


def color_box(image: Image, rgb: tuple[int, int, int]) -> Rect | None:
    """The bounding box of every pixel of exactly this colour, or None if there is none."""
    ys, xs = np.nonzero(np.all(image == np.array(rgb, np.uint8), axis=-1))
    if xs.size == 0:
        return None
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def is_filled(image: Image, rect: Rect, rgb: tuple[int, int, int]) -> bool:
    """Whether every pixel of `rect` has exactly this colour."""
    x0, y0, x1, y1 = rect
    return bool(np.all(image[y0:y1, x0:x1] == np.array(rgb, np.uint8)))


def save_png(image: Image, path: Path) -> None:
    """Keep a screenshot for a human (or an image viewer) to look at."""
    cv2.imwrite(str(path), np.ascontiguousarray(image[..., ::-1]))


def _read_line(fd: int, timeout: float) -> str:
    """Read up to a newline; Xvfb dies if the pipe closes before it wrote its newline."""
    deadline = time.monotonic() + timeout
    data = b""
    while not data.endswith(b"\n"):
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(fd, 64) if ready else b""
        if not chunk:
            break
        data += chunk
    return data.decode().strip()


def _end(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


class Kitty(XTerminal):
    """Debian's kitty on Mesa's software OpenGL, with its defaults and no config file, so
    nothing of the machine's own kitty setup changes what the test sees."""

    def __init__(self, display: XDisplay, log: Path, size_px: tuple[int, int] = (1200, 780)):
        super().__init__(display, log, size_px)

    def start(self, argv: Sequence[str], env: Mapping[str, str]) -> Kitty:
        require("kitty")
        width, height = self.size_px
        options = {
            "font_size": "9",
            "initial_window_width": str(width),
            "initial_window_height": str(height),
            "remember_window_size": "no",
            "window_padding_width": "0",
            "cursor_blink_interval": "0",
            "background": "#000000",
            "foreground": "#ffffff",
        }
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                ["kitty", "--config", "NONE",
                 *(f"--override={key}={value}" for key, value in options.items()), *argv],
                env={**env, "DISPLAY": self.display.name, "LIBGL_ALWAYS_SOFTWARE": "1"},
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )  # fmt: skip
        return self

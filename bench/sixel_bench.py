"""A sixel wall back at once: after a dialog or the palette closes, every tile's image is
on the wire again within 300 ms (issue 15).

The console runs a 2x2 wall of the demo's cameras in sixel mode (`--render sixel`) in a
240x67 pty, through the same harness as the whole-app bench (`bench.soak`). Behind a
dialog or the palette a tile draws no picture, so closing one must bring all four back.
A tile's image on the wire is the cursor put on its picture's first cell followed by a
sixel DCS (`ESC [ row ; col H ESC P ... q ... ESC \\`), and the tiles are told apart by
that cell. Each round opens the slot-assignment dialog (`a`) or the palette (Ctrl+P),
waits for it on screen, presses Escape, and times from the Escape to the end of the
last tile's first image after it. Toasts are not timed here: one cannot be closed by a
key, and the xterm test (tests/e2e/test_xterm_sixel_lift.py) watches them on screen.
"""

from __future__ import annotations

import os
import re
import sys
import threading
import time
from pathlib import Path

from bench.soak import (
    CTRL_P,
    ESCAPE,
    MISSED_AFTER,
    OUT,
    PALETTE_TEXT,
    Console,
    SetupError,
    p95,
    start_console,
)
from bench.table import Row, run_alone

COLS, ROWS = 240, 67
TILES = 4
ROUNDS = 10
"""Closes timed per kind of screen."""
MAX_BACK = 0.300
"""Seconds from the closing key to the last tile's image."""
SETTLE = 1.0
"""Seconds between a close and the next open: the wall streams as usual meanwhile."""
SCREENS = {
    "dialog": (b"a", b"Show in slot"),
    "palette": (CTRL_P, PALETTE_TEXT),
}
"""What is opened (key, and the text that shows it is up), by the name reported."""
_IMAGE = re.compile(rb"\x1b\[(\d+;\d+)H\x1bP[0-9;]*q[^\x1b]*\x1b\\")
_CUP_MAX = 12
"""Bytes a cursor position can take: kept from before an image that has not ended yet."""


class Images:
    """The sixel images read from the console, as (arrival time, cell) of each one's end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending = b""
        self._seen: list[tuple[float, bytes]] = []

    def feed(self, received: float, chunk: bytes) -> None:
        """Called by the pty reader for every chunk."""
        data = self._pending + chunk
        done = 0
        found = []
        for match in _IMAGE.finditer(data):
            found.append((received, match[1]))
            done = match.end()
        rest = data[done:]
        start = rest.rfind(b"\x1bP")
        self._pending = rest[max(0, start - _CUP_MAX) :] if start >= 0 else rest[-_CUP_MAX:]
        with self._lock:
            self._seen += found

    def since(self, moment: float) -> list[tuple[float, bytes]]:
        with self._lock:
            return [(at, cell) for at, cell in self._seen if at >= moment]


def back_after_close(console: Console, images: Images, cells: set[bytes], key: bytes,
                     shown: bytes) -> float | None:  # fmt: skip
    """Open a screen, close it with Escape; seconds until every tile's image came again
    (None: the screen never opened, or a tile's image never came within MISSED_AFTER)."""
    if console.press_and_wait(key, shown, MISSED_AFTER) is None:
        return None
    time.sleep(0.5)  # the tiles behind it have stopped
    closed = time.monotonic()
    console.send(ESCAPE)
    deadline = closed + MISSED_AFTER
    while time.monotonic() < deadline:
        first: dict[bytes, float] = {}
        for at, cell in images.since(closed):
            first.setdefault(cell, at)
        if cells <= first.keys():
            return max(first[cell] for cell in cells) - closed
        time.sleep(0.02)
    return None


def measure(scratch: Path) -> dict[str, object]:
    images = Images()
    console = start_console(scratch, TILES, COLS, ROWS, "sixel")
    console.listener = images.feed
    try:
        time.sleep(3.0)  # every tile streaming
        cells = {cell for _, cell in images.since(time.monotonic() - 2.0)}
        if len(cells) != TILES:
            raise SetupError(f"{len(cells)} sixel tiles drawing, not {TILES}")
        times: dict[str, list[float | None]] = {name: [] for name in SCREENS}
        for _ in range(ROUNDS):
            for name, (key, shown) in SCREENS.items():
                times[name].append(back_after_close(console, images, cells, key, shown))
                time.sleep(SETTLE)
        alive = console.alive()
    finally:
        console.stop()
    if not alive:
        raise SetupError(f"the console exited ({console.exit_status}) during the run")
    return {"back_after_close_s": times, "load_average": os.getloadavg()[0]}


def rows(scratch: Path) -> list[Row]:
    name = "2x2 sixel wall, 240x67 pty"
    own = scratch / "sixel-back"
    own.mkdir()
    try:
        figures = measure(own)
    except SetupError as error:
        return [Row(name, "", "", None, "", False, note=f"could not run: {error}")]
    times: dict[str, list[float | None]] = dict(figures["back_after_close_s"])  # type: ignore[call-overload]
    out = []
    for screen, measured in times.items():
        seen = [t for t in measured if t is not None]
        missed = len(measured) - len(seen)
        worst = p95(seen) if seen and not missed else float("inf")
        out.append(
            Row(f"{name}: every tile back after a {screen} closes, p95",
                f"{1000 * worst:.0f} ms", "", 1000 * worst, f"< {1000 * MAX_BACK:.0f} ms",
                worst < MAX_BACK, details=figures if screen == "dialog" else None,
                note=f"Escape to the last tile's image; {len(seen)} closes, {missed} missed, "
                f"slowest {1000 * max(seen, default=float('inf')):.0f} ms")
        )  # fmt: skip
    return out


def main() -> int:
    """`python -m bench.sixel_bench`: this piece of `make bench` alone."""
    return run_alone(rows, "sixel-bench", OUT / "sixel-bench.json")


if __name__ == "__main__":
    sys.exit(main())

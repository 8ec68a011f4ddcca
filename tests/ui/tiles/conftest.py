"""Tiles on their own: sources a test steers frame by frame, and an app that records what
it writes to the terminal.

`StubSource` is a `TileSource` whose picture, status and lift state the test sets; its
frames still come from a real `CameraMasker`, so a tile here draws exactly what it
draws on the wall. `TileApp` shows tiles in a grid under given `TerminalCaps`. With
`RecordingDriver` it runs like a real terminal session (Textual writes every frame)
into a list instead of a tty, which is the only way to see sixel: snapshots cannot.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from textual.app import App, ComposeResult
from textual.containers import Grid
from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.screen import ModalScreen
from textual.widgets import Static

from console.core.privacy.masking import CameraMasker, MaskedFrame, MaskingError
from console.core.privacy.masks import Mask
from console.core.render.terminal import TerminalCaps
from console.core.render.tile import ColorDepth
from console.core.video.feed import FeedStatus
from console.ui.widgets.camera_tile import CameraTile
from console.ui.widgets.tile_pump import TilePump

Pixels = npt.NDArray[np.uint8]

HALFBLOCK = TerminalCaps("halfblock", ColorDepth.TRUECOLOR, (10, 20), False, False, ["test"])
ASCII = TerminalCaps("ascii", ColorDepth.TRUECOLOR, (10, 20), False, False, ["test"])
SIXEL = TerminalCaps("sixel", ColorDepth.TRUECOLOR, (10, 20), True, False, ["test"])
KITTY = TerminalCaps(
    "kitty", ColorDepth.TRUECOLOR, (10, 20), False, False, kitty=True, reasons=["test"]
)


class Switch:
    """A lift gate the test flips."""

    def __init__(self) -> None:
        self.on = False

    def lifted(self) -> bool:
        return self.on


class StubSource:
    """A `TileSource` showing whatever picture the test gives it, through real masking."""

    def __init__(
        self, pixels: Pixels | None, title: str = "Stub", masks: Sequence[Mask] = ()
    ) -> None:
        self.gate = Switch()
        self.masker = CameraMasker("stub", masks, self.gate)
        self._pixels = pixels
        self._title = title
        self._sequence = 0
        self.state: FeedStatus = FeedStatus("live" if pixels is not None else "connecting")
        self.failing = False
        """Masking fails: the source withholds video and says masks-unavailable."""
        self.previews = 0

    def show(self, pixels: Pixels) -> None:
        self._pixels = pixels
        self._sequence += 1

    @property
    def title(self) -> str:
        return self._title

    @property
    def status(self) -> FeedStatus:
        if self.failing:
            return FeedStatus("masks-unavailable", "masks unavailable: broken; video withheld")
        return self.state

    @property
    def version(self) -> Hashable:
        return (self._sequence, self.gate.lifted(), self.failing)

    @property
    def source_size(self) -> tuple[int, int] | None:
        pixels = self._pixels
        return None if pixels is None else (pixels.shape[1], pixels.shape[0])

    def preview(self, width: int, height: int) -> MaskedFrame | None:
        self.previews += 1
        if self._pixels is None or self.failing:
            return None
        try:
            return self.masker.preview(self._pixels, width, height)
        except MaskingError:
            return None


def solid(width: int, height: int, bgr: tuple[int, int, int]) -> Pixels:
    image = np.empty((height, width, 3), np.uint8)
    image[...] = bgr
    return image


def bands(width: int, height: int, count: int) -> Pixels:
    """Horizontal bands of distinct colours, so each band is a distinct run of rows."""
    image = np.empty((height, width, 3), np.uint8)
    for band in range(count):
        rows = slice(band * height // count, (band + 1) * height // count)
        image[rows] = ((band * 53) % 256, (band * 97 + 40) % 256, (band * 29 + 90) % 256)
    return image


class RecordingDriver(HeadlessDriver):
    """A headless driver that is not headless: Textual writes frames, we keep them."""

    written: list[str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.written = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self.written.append(data)


class TileApp(App[None]):
    """Tiles in a grid, nothing else."""

    CSS = """
    Grid { grid-size: 2; grid-gutter: 0 1; }
    """

    def __init__(
        self,
        sources: Sequence[StubSource],
        caps: TerminalCaps,
        *,
        recording: bool = False,
    ) -> None:
        super().__init__(driver_class=RecordingDriver if recording else None)
        self.sources = list(sources)
        self.caps = caps
        # What the console's services give the pump: the lift state every tile follows.
        TilePump.install(self, lambda: any(source.gate.lifted() for source in self.sources))

    def compose(self) -> ComposeResult:
        with Grid():
            for number, source in enumerate(self.sources):
                yield CameraTile(source, caps=self.caps, id=f"tile-{number}")

    @property
    def tiles(self) -> list[CameraTile]:
        return list(self.query(CameraTile))

    @property
    def output(self) -> str:
        """Everything written to the terminal so far (with `recording`)."""
        driver = self._driver
        assert isinstance(driver, RecordingDriver), "run with recording=True"
        return "".join(driver.written)


async def wait_until(pilot: Pilot[Any], ready: Callable[[], bool], what: str) -> None:
    """Let the app run until `ready()`; tiles render on their own threads."""
    for _ in range(500):
        if ready():
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def gradient_picture() -> Pixels:
    yy, xx = np.indices((90, 160))
    image = np.empty((90, 160, 3), np.uint8)
    image[..., 0] = (xx * 255 // 159).astype(np.uint8)
    image[..., 1] = (yy * 255 // 89).astype(np.uint8)
    image[..., 2] = 128
    return image


def picture_cell(tile: CameraTile) -> tuple[int, int]:
    """The screen cell (x, y) where an image tile's picture starts."""
    assert tile.image is not None
    content = tile.content_region
    return content.x + tile.image.at.x, content.y + tile.image.at.y


class Cover(ModalScreen[None]):
    """A modal in front of the tiles."""

    def compose(self) -> ComposeResult:
        yield Static("in front of the wall")

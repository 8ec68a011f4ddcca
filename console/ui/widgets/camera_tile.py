"""One camera on the wall: masked video drawn with half-block cells, plus its status."""

from __future__ import annotations

import numpy as np
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from console.core.feed import CameraFeed
from console.core.masking import MaskedFrame

_STYLES: dict[int, Style] = {}


def _style(key: int) -> Style:
    """Half-block styles keyed by packed (top << 24 | bottom) colour; bounded."""
    style = _STYLES.get(key)
    if style is None:
        if len(_STYLES) > 8192:
            _STYLES.clear()
        top, bottom = key >> 24, key & 0xFFFFFF
        style = Style(
            color=Color.from_rgb(top >> 16, (top >> 8) & 255, top & 255),
            bgcolor=Color.from_rgb(bottom >> 16, (bottom >> 8) & 255, bottom & 255),
        )
        _STYLES[key] = style
    return style


def halfblock_strips(frame: MaskedFrame) -> list[Strip]:
    rgb = frame.pixels[..., ::-1].astype(np.int64)
    packed = (rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2]
    strips = []
    for row in range(frame.height // 2):
        keys = (packed[2 * row] << 24) | packed[2 * row + 1]
        segments = [Segment("▀", _style(int(key))) for key in keys]
        strips.append(Strip(segments, frame.width))
    return strips


class CameraTile(Widget):
    """A live tile. It never draws anything but a `MaskedFrame` from its feed."""

    DEFAULT_CSS = """
    CameraTile {
        border: round $secondary;
        border-title-align: left;
        border-subtitle-align: right;
        height: 1fr;
    }
    CameraTile:focus { border: round $accent; }
    """

    can_focus = True

    def __init__(self, feed: CameraFeed, fps: float = 10.0) -> None:
        super().__init__(id=f"tile-{feed.camera.id}")
        self.feed = feed
        self.fps = fps
        self._strips: list[Strip] = []
        self._sequence = -1
        self.border_title = feed.camera.name

    def on_mount(self) -> None:
        self.set_interval(1 / self.fps, self._tick)

    def _tick(self) -> None:
        status = self.feed.status
        self.border_subtitle = status.state if status.state != "live" else ""
        if status.state not in ("live",):
            if self._strips:
                self._strips = []
                self.refresh()
            return
        sequence = self.feed.sequence
        if sequence == self._sequence:
            return
        self._sequence = sequence
        width, height = self.content_size.width, self.content_size.height * 2
        if width <= 0 or height <= 0:
            return
        frame = self.feed.preview(width, height)
        self._strips = halfblock_strips(frame) if frame is not None else []
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if y < len(self._strips):
            return self._strips[y]
        if y == self.content_size.height // 2:
            status = self.feed.status
            text = status.message or status.state
            return Strip([Segment(text[: self.content_size.width].center(self.content_size.width))])
        return Strip.blank(self.content_size.width)

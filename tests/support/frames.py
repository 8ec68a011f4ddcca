"""Deterministic pictures and sources for tests that must not depend on time."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from console.core.video.sources import Frame, FrameSource, SourceStatus

Pixels = npt.NDArray[np.uint8]


def secret_pattern(width: int, height: int, square: int = 2) -> Pixels:
    """A high-contrast checkerboard in saturated colours: trivially recognisable if leaked."""
    yy, xx = np.indices((height, width))
    on = ((xx // square + yy // square) % 2).astype(bool)
    image = np.zeros((height, width, 3), np.uint8)
    image[on] = (0, 255, 255)
    image[~on] = (255, 0, 255)
    return image


def gradient(width: int, height: int) -> Pixels:
    yy, xx = np.indices((height, width))
    image = np.empty((height, width, 3), np.uint8)
    image[..., 0] = (xx * 255 // max(1, width - 1)).astype(np.uint8)
    image[..., 1] = (yy * 255 // max(1, height - 1)).astype(np.uint8)
    image[..., 2] = 128
    return image


class FixedSource(FrameSource):
    """A source that always holds the same frame, or none with a given status."""

    def __init__(self, pixels: Pixels | None, status: SourceStatus | None = None) -> None:
        super().__init__("fixed")
        self._fixed = Frame(pixels, 0.0, 1) if pixels is not None else None
        self._fixed_status = status or SourceStatus("live" if pixels is not None else "lost", "")

    def start(self) -> None:
        pass

    def stop(self, wait: float = 0.0) -> None:
        pass

    def latest(self) -> Frame | None:
        return self._fixed

    @property
    def status(self) -> SourceStatus:
        return self._fixed_status


class SendingSource(FixedSource):
    """The same picture as a new capture at every ask: a camera that keeps sending, so a
    tile keeps painting frames (and a test can tell a wall that goes on from one stuck)."""

    def __init__(self, pixels: Pixels) -> None:
        super().__init__(pixels)
        self._pixels = pixels
        self._sequence = 0

    def latest(self) -> Frame | None:
        self._sequence += 1
        return Frame(self._pixels, float(self._sequence), self._sequence)

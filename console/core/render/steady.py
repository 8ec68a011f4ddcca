"""Temporal hysteresis: sensor noise should not repaint a row.

A pixel keeps its previous value until it moves by more than a threshold, so a static
scene produces identical rows frame after frame and the row keys spare the terminal.
The held value never differs from the current masked pixel by more than the threshold,
and the memory is dropped whenever the camera, the lift state or the size changes, so a
pixel seen during a lift can never linger under a mask that has come back.
"""

from __future__ import annotations

import numpy as np

from console.core.privacy.masking import MaskedFrame, Pixels


class Steady:
    """One tile's memory of the pixels it last showed."""

    def __init__(self, threshold: int) -> None:
        self.threshold = threshold
        """Largest per-channel change (0..255) that is treated as noise; 0 disables."""
        self._previous: Pixels | None = None
        self._context: tuple[str, bool] | None = None

    def apply(self, frame: MaskedFrame, pixels: Pixels) -> Pixels:
        """The pixels to show for `frame`, whose tile-sized pixels are `pixels`."""
        if self.threshold <= 0:
            return pixels
        context = (frame.camera_id, frame.lifted)
        previous = self._previous
        if previous is None or previous.shape != pixels.shape or context != self._context:
            steady = pixels
        else:
            moved = np.abs(pixels.astype(np.int16) - previous.astype(np.int16)).max(axis=2)
            steady = np.where((moved > self.threshold)[..., None], pixels, previous)
        self._previous = steady
        self._context = context
        return steady

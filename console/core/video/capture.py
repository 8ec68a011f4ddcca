"""What a frame source's thread reads from, and how an opening or a reading fails.

Files, devices, patterns and network streams each open differently (OpenCV for the
local ones, PyAV for the network), but the thread that keeps the newest frame treats
them alike: a `Capture` gives pictures until it gives None, and a `SourceGone` says
which state the camera is in and why, in words fit for a tile (no secret in them).
"""

from __future__ import annotations

from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt

Pixels = npt.NDArray[np.uint8]
State = Literal["connecting", "live", "lost", "error", "unauthorized", "unsupported"]
"""`unauthorized`: the camera refused the credentials (or wanted some); `unsupported`: it
sends video that cannot be decoded or shown, such as an unknown codec or pixel format."""


class Capture(Protocol):
    """An opened source: `read` returns the next picture, or None when it ended or failed.

    `read` may also raise `SourceGone` when the stream turns into something that cannot
    be shown (a codec or pixel format switched mid-stream).
    """

    def read(self) -> Pixels | None: ...

    def close(self) -> None: ...


class SourceGone(Exception):
    """Opening or reading failed; `state` says what the camera is now, `message` why."""

    def __init__(self, state: State, message: str) -> None:
        super().__init__(message)
        self.state: State = state
        self.message = message

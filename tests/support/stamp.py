"""Capture times carried in the pixels, so latency is measured from the picture alone.

The RTSP test camera (`rtsp_server.py`, under the system python3, which has no numpy)
writes the wall-clock milliseconds (modulo 2**24, about 4.7 hours) at the moment of
capture as 24 grey 16x16 blocks in two rows at the frame's top-left corner. Blocks of a
macroblock's size and two grey levels far apart come through H.264 and JPEG intact, and
neither grey has the saturated red the privacy checks look for.
"""

from __future__ import annotations

import time
from typing import Any

BITS = 24
BLOCK = 16
COLUMNS = 12
DARK, LIGHT = 40, 160
MODULUS = 1 << BITS


def now_ms() -> int:
    return int(time.time() * 1000) % MODULUS


def write(data: bytearray, width: int, value: int) -> None:
    """Draw `value` into a packed 8-bit BGR frame `width` pixels wide, in place."""
    row_bytes = width * 3
    for bit in range(BITS):
        level = LIGHT if value >> (BITS - 1 - bit) & 1 else DARK
        x0, y0 = (bit % COLUMNS) * BLOCK, (bit // COLUMNS) * BLOCK
        block = bytes([level]) * (BLOCK * 3)
        for y in range(y0, y0 + BLOCK):
            start = y * row_bytes + x0 * 3
            data[start : start + len(block)] = block


def read(pixels: Any) -> int:
    """The value in a decoded BGR frame (a numpy array), from each block's middle."""
    value = 0
    threshold = (DARK + LIGHT) / 2
    for bit in range(BITS):
        x0, y0 = (bit % COLUMNS) * BLOCK, (bit // COLUMNS) * BLOCK
        middle = pixels[y0 + 4 : y0 + BLOCK - 4, x0 + 4 : x0 + BLOCK - 4]
        value = value << 1 | int(float(middle.mean()) > threshold)
    return value


def age(pixels: Any) -> float:
    """Seconds since the frame's capture, by the wall clock."""
    return ((now_ms() - read(pixels)) % MODULUS) / 1000

"""A small kitty graphics decoder, so tests and the benchmark see what the terminal shows.

The privacy tests decode every picture `veil render --mode kitty` writes and check the
pixels under a mask; the benchmark decodes them to measure fidelity. It reads what
`console.core.render.kitty` writes and what the protocol allows besides: chunked
payloads, `f=24`/`f=32`/`f=100`, `o=z`, and deletes.
"""

from __future__ import annotations

import base64
import re
import zlib
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

_APC = re.compile(rb"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")


@dataclass(frozen=True, slots=True)
class KittyCommand:
    """One complete graphics command, its chunks joined."""

    keys: dict[str, str]
    """The first chunk's control keys (`a`, `f`, `i`, ...)."""
    payload: bytes
    """The decoded payload: base64 undone, deflate undone where `o=z`."""

    @property
    def action(self) -> str:
        return self.keys.get("a", "t")

    def pixels(self) -> npt.NDArray[np.uint8]:
        """The transmitted picture as BGR, shape (height, width, 3)."""
        fmt = self.keys.get("f", "32")
        if fmt == "100":
            image = cv2.imdecode(np.frombuffer(self.payload, np.uint8), cv2.IMREAD_COLOR)
            if image is None:
                raise ValueError("the PNG payload does not decode")
            return np.asarray(image, np.uint8)
        channels = {"24": 3, "32": 4}[fmt]
        width, height = int(self.keys["s"]), int(self.keys["v"])
        raw = np.frombuffer(self.payload, np.uint8).reshape(height, width, channels)
        return np.ascontiguousarray(raw[..., 2::-1])


def parse_kitty(stream: bytes) -> list[KittyCommand]:
    """Every complete graphics command in a byte stream, in order."""
    commands = []
    keys: dict[str, str] | None = None
    data = b""
    for match in _APC.finditer(stream):
        chunk_keys = dict(
            pair.split("=", 1) for pair in match.group(1).decode("ascii").split(",") if pair
        )
        if keys is None:
            keys, data = chunk_keys, b""
        data += match.group(2) or b""
        if chunk_keys.get("m", "0") == "1":
            continue
        payload = base64.standard_b64decode(data) if data else b""
        if keys.get("o") == "z":
            payload = zlib.decompress(payload)
        commands.append(KittyCommand({k: v for k, v in keys.items() if k != "m"}, payload))
        keys = None
    return commands

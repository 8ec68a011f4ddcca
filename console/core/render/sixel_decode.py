"""A small sixel decoder, so tests and the benchmark can see what a terminal would show.

The privacy tests decode every sixel the renderer writes and check the pixels under a
mask; the benchmark decodes our output and img2sixel's to compare their fidelity. It
understands what encoders emit in practice: raster attributes, RGB register definitions,
register selection, repeats, carriage return and next band.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

_DCS = re.compile(rb"\x1bP([0-9;]*)q(.*?)\x1b\\", re.DOTALL)
_TOKEN = re.compile(rb'"([0-9;]*)|#([0-9]+)((?:;[0-9]*)*)|!([0-9]*)([?-~])|([?-~]+)|(\$)|(-)')


@dataclass(frozen=True, slots=True)
class SixelImage:
    """A decoded sixel image."""

    pixels: npt.NDArray[np.uint8]
    """BGR, shape (height, width, 3); unpainted pixels are black."""
    painted: npt.NDArray[np.bool_]
    """Which pixels some sixel set."""
    raster: tuple[int, int] | None
    """Width and height declared by the raster attributes, if any."""
    registers: frozenset[int]
    """Every colour register the image defined."""
    bands: int
    """Number of six-pixel bands the data addressed."""


def find_sixels(stream: bytes) -> list[bytes]:
    """Every complete sixel DCS in a byte stream, in order."""
    return [match.group(0) for match in _DCS.finditer(stream)]


class _Canvas:
    """Pixels that grow as sixels land, painted band by band in numpy."""

    def __init__(self, width: int, height: int) -> None:
        self.pixels = np.zeros((max(height, 6), max(width, 1), 3), np.uint8)
        self.painted = np.zeros(self.pixels.shape[:2], bool)

    def paint_band(self, band: int, pieces: list[tuple[int, tuple[int, int, int], bytes]]) -> None:
        """Paint one band's pieces (x, BGR, sixel bytes) in order; later pieces win."""
        if not pieces:
            return
        data = np.frombuffer(b"".join(piece for _, _, piece in pieces), np.uint8) - 63
        lengths = np.array([len(piece) for _, _, piece in pieces], np.int64)
        starts = np.array([x for x, _, _ in pieces], np.int64)
        colours = np.array([colour for _, colour, _ in pieces], np.uint8)
        offsets = np.cumsum(lengths) - lengths
        columns = np.arange(len(data)) - np.repeat(offsets - starts, lengths)
        colour = np.repeat(colours, lengths, axis=0)
        self._grow(int(columns.max()) + 1, (band + 1) * 6)
        for bit in range(6):
            hit = np.flatnonzero((data >> bit) & 1)
            row = band * 6 + bit
            self.pixels[row, columns[hit]] = colour[hit]
            self.painted[row, columns[hit]] = True

    def _grow(self, width: int, height: int) -> None:
        old_h, old_w = self.painted.shape
        if width <= old_w and height <= old_h:
            return
        pixels = np.zeros((max(height, old_h), max(width, old_w), 3), np.uint8)
        painted = np.zeros(pixels.shape[:2], bool)
        pixels[:old_h, :old_w] = self.pixels
        painted[:old_h, :old_w] = self.painted
        self.pixels, self.painted = pixels, painted


def decode_sixel(dcs: bytes) -> SixelImage:
    """Decode one DCS sixel image; raises ValueError on bytes a sixel cannot contain."""
    match = _DCS.fullmatch(dcs.strip(b"\r\n"))
    if match is None:
        raise ValueError("not a single sixel DCS (ESC P ... q ... ESC \\)")
    body = match.group(2)
    raster: tuple[int, int] | None = None
    palette: dict[int, tuple[int, int, int]] = {}
    canvas = _Canvas(0, 0)
    pieces: list[tuple[int, tuple[int, int, int], bytes]] = []
    band = x = 0
    colour = (0, 0, 0)
    position = 0
    for token in _TOKEN.finditer(body):
        if token.start() != position:
            raise ValueError(f"unexpected byte {body[position : position + 1]!r} at {position}")
        position = token.end()
        attrs, register, definition, repeat, repeated, literal, cr, nl = token.groups()
        if attrs is not None:
            fields = [int(f or 0) for f in attrs.split(b";")]
            if len(fields) >= 4:
                raster = (fields[2], fields[3])
                canvas = _Canvas(*raster)
        elif register is not None:
            index = int(register)
            if definition:
                space, *channels = (int(f or 0) for f in definition[1:].split(b";"))
                if space != 2 or len(channels) != 3:
                    raise ValueError(f"register {index}: only RGB (2) definitions are supported")
                r, g, b = ((c * 255 + 50) // 100 for c in channels)
                palette[index] = (b, g, r)
            colour = palette.get(index, (0, 0, 0))
        elif repeated is not None:
            count = int(repeat or 1)
            pieces.append((x, colour, repeated * count))
            x += count
        elif literal is not None:
            pieces.append((x, colour, literal))
            x += len(literal)
        elif cr is not None:
            x = 0
        elif nl is not None:
            canvas.paint_band(band, pieces)
            pieces, band, x = [], band + 1, 0
    if position != len(body):
        raise ValueError(f"unexpected byte {body[position : position + 1]!r} at {position}")
    canvas.paint_band(band, pieces)
    rows = np.flatnonzero(canvas.painted.any(axis=1))
    columns = np.flatnonzero(canvas.painted.any(axis=0))
    width = int(columns.max(initial=-1)) + 1
    height = int(rows.max(initial=-1)) + 1
    if raster is not None:  # a declared size wins, unless pixels landed outside it
        width, height = max(width, raster[0]), max(height, raster[1])
    return SixelImage(
        pixels=canvas.pixels[:height, :width],
        painted=canvas.painted[:height, :width],
        raster=raster,
        registers=frozenset(palette),
        bands=-(-height // 6) if rows.size == 0 else int(rows.max()) // 6 + 1,
    )

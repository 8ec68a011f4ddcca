"""Read an X window dump (`xwd -root`) into an RGB numpy array.

`xwd` comes with x11-apps and needs nothing else, while ImageMagick's `import` would pull
in a large package just to take a screenshot. The format is a big-endian header of 25
words, the window name, a colour table, then the pixels; only the TrueColor 24/32-bit
layout that Xvfb produces is needed here.
"""

from __future__ import annotations

import struct

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""Height x width x 3, RGB."""

_FIELDS = (
    "header_size",
    "file_version",
    "pixmap_format",
    "pixmap_depth",
    "width",
    "height",
    "xoffset",
    "byte_order",
    "bitmap_unit",
    "bitmap_bit_order",
    "bitmap_pad",
    "bits_per_pixel",
    "bytes_per_line",
    "visual_class",
    "red_mask",
    "green_mask",
    "blue_mask",
    "bits_per_rgb",
    "colormap_entries",
    "ncolors",
    "window_width",
    "window_height",
    "window_x",
    "window_y",
    "window_border_width",
)
_ZPIXMAP = 2
_COLOR_ENTRY = 12


def parse_xwd(data: bytes) -> Image:
    header = dict(zip(_FIELDS, struct.unpack(">25I", data[:100]), strict=True))
    width, height, stride = header["width"], header["height"], header["bytes_per_line"]
    bits = header["bits_per_pixel"]
    if header["pixmap_format"] != _ZPIXMAP or bits not in (24, 32) or stride < bits // 8 * width:
        raise ValueError(f"expected a 24- or 32-bit ZPixmap dump, got {header}")
    offset = header["header_size"] + header["ncolors"] * _COLOR_ENTRY
    rows = np.frombuffer(data, np.uint8, count=height * stride, offset=offset).reshape(height, -1)
    pixels = rows[:, : width * bits // 8].reshape(height, width, bits // 8).astype(np.uint32)
    if header["byte_order"] == 0:  # least significant byte first
        pixels = pixels[..., ::-1]
    words = np.zeros((height, width), np.uint32)
    for byte in range(bits // 8):  # most significant first
        words = (words << 8) | pixels[..., byte]
    channels = []
    for mask in (header["red_mask"], header["green_mask"], header["blue_mask"]):
        shift = (mask & -mask).bit_length() - 1
        channels.append(((words & mask) >> shift).astype(np.uint8))
    return np.stack(channels, axis=-1)

"""Kitty graphics protocol: true-colour tile pictures with no palette in the way.

Sixel's 256 registers turn a blurred white mask into tinted blobs; kitty, Ghostty and
others take the pixels themselves. What that costs is bytes, since nothing but deflate
stands between the pixels and the wire, so a tile is sent at the pixel size its byte
budget allows and the terminal scales it to the tile's cells (`c=`/`r=`). The picture
keeps one image id and one placement per tile: sending `a=T` with the same `i` and `p`
replaces it in place, so the terminal holds one image per tile however long the wall
runs. Replies are suppressed (`q=2`), because Textual owns the input stream and a reply
would read as keys, and the cursor stays put (`C=1`) so the text around is not moved.

PNG (`f=100`) wins over deflated RGB (`f=24,o=z`) on camera pictures: its per-row
filters take the gradients out before deflate, about 30 % fewer bytes for the same
encoding time at compression level 1.
"""

from __future__ import annotations

import base64
import math

import cv2
import numpy as np

from console.core.privacy.masking import MaskedFrame, Pixels
from console.core.render.cells import build_tile
from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, tile_pixels

CHUNK = 4096
"""Largest base64 payload of one escape sequence, as the protocol requires."""

CELL_BUDGET = 24
"""Bytes a picture may take per cell it covers, each frame: a screen of 240x67 cells
filled with tiles at 10 fps is then 3.9 MB/s, however many tiles share it."""

_PNG = [cv2.IMWRITE_PNG_COMPRESSION, 1]
_START_BYTES_PER_PIXEL = 3.0
"""Wire bytes per pixel assumed before the first frame says better (base64 of PNG of
camera video: 2.3-3.1)."""
SCALE_STEPS = 32
"""The pixel size moves in steps of 1/32 of the tile's full size. Masks are rasterized
once per picture size and then cached; a size that followed every frame's bytes exactly
changed by a pixel or two each frame and rebuilt every mask raster each time (a third of
the render threads' time on a 2x2 kitty wall)."""


def apc(control: str, payload: bytes) -> str:
    """One graphics command, its base64 payload split into chunks of at most CHUNK bytes:
    the first carries `control`, every chunk but the last `m=1`."""
    data = base64.standard_b64encode(payload).decode("ascii")
    pieces = [data[at : at + CHUNK] for at in range(0, len(data), CHUNK)] or [""]
    out = []
    for index, piece in enumerate(pieces):
        more = int(index < len(pieces) - 1)
        keys = f"{control},m={more}" if index == 0 else f"m={more},q=2"
        out.append(f"\x1b_G{keys};{piece}\x1b\\")
    return "".join(out)


def place_image(pixels: Pixels, image_id: int, cols: int, rows: int) -> str:
    """Transmit a BGR picture as PNG and place it over `cols` x `rows` cells at the cursor,
    replacing whatever this image id and placement showed before."""
    ok, png = cv2.imencode(".png", pixels, _PNG)
    if not ok:
        raise ValueError("the picture could not be encoded as PNG")
    control = f"a=T,f=100,i={image_id},p=1,c={cols},r={rows},C=1,q=2"
    return apc(control, png.tobytes())


def delete_image(image_id: int) -> str:
    """Take the tile's picture off the screen and free it in the terminal (`d=I`)."""
    return f"\x1b_Ga=d,d=I,i={image_id},q=2\x1b\\"


DELETE_ALL = "\x1b_Ga=d,d=A,q=2\x1b\\"
"""Every picture off the screen: on leaving the wall and at exit."""


class KittyRenderer:
    """Renders a tile as a kitty picture over blank cells.

    The pixel size starts at the tile's full size and shrinks, keeping proportions, until
    the picture's measured bytes per pixel fit `cell_budget` times its cells; each frame's
    bytes correct the estimate for the next. The size moves in `SCALE_STEPS`, down as soon
    as the estimate says so and up only by more than one step, so noise in the estimate
    does not make it flicker between two sizes. Every renderer has its own image id, given
    by its tile.
    """

    mode = "kitty"

    def __init__(self, image_id: int = 1, cell_budget: int = CELL_BUDGET) -> None:
        if not 0 < image_id < 2**32:
            raise ValueError(f"kitty image ids are 1..2^32-1, got {image_id}")
        self.image_id = image_id
        self.cell_budget = cell_budget
        self._bytes_per_pixel = _START_BYTES_PER_PIXEL
        self._step: tuple[tuple[int, int], int] | None = None
        """The tile's full pixel size and the step of it last chosen."""

    def pixel_size(self, cols: int, rows: int, cell_px: tuple[int, int]) -> tuple[int, int]:
        width, height = cols * cell_px[0], rows * cell_px[1]
        if width <= 0 or height <= 0:
            return 0, 0
        budget = self.cell_budget * cols * rows
        scale = min(1.0, math.sqrt(budget / (self._bytes_per_pixel * width * height)))
        step = max(1, math.floor(scale * SCALE_STEPS))
        last = self._step
        if last is not None and last[0] == (width, height) and step == last[1] + 1:
            step = last[1]
        self._step = ((width, height), step)
        return max(1, width * step // SCALE_STEPS), max(1, height * step // SCALE_STEPS)

    @staticmethod
    def _fits(frame: MaskedFrame, cols: int, rows: int, cell_px: tuple[int, int]) -> bool:
        return 0 < frame.width <= cols * cell_px[0] and 0 < frame.height <= rows * cell_px[1]

    def render(
        self, frame: MaskedFrame, cols: int, rows: int, cell_px: tuple[int, int]
    ) -> RenderedTile:
        size = self.pixel_size(cols, rows, cell_px)
        if isinstance(frame, MaskedFrame) and self._fits(frame, cols, rows, cell_px):
            size = (frame.width, frame.height)  # masked for this picture: sent as it is
        pixels = tile_pixels(frame, size)
        graphics = place_image(pixels, self.image_id, cols, rows)
        measured = len(graphics) / (size[0] * size[1])
        self._bytes_per_pixel = 0.5 * self._bytes_per_pixel + 0.5 * measured
        blank = np.full((rows, cols), DEFAULT, np.int32)
        return build_tile(
            self.mode,
            ColorDepth.TRUECOLOR,
            np.zeros((rows, cols), np.uint8),
            blank,
            blank,
            graphics=graphics,
            graphics_px=size,
            graphics_erase=delete_image(self.image_id),
        )

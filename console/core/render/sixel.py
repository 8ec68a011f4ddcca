"""Sixel graphics encoded with numpy, on a fixed palette.

A fixed palette replaces per-frame quantisation: mapping a pixel is a table lookup, and a
colour keeps its register from one frame to the next, so nothing shimmers. The palette is
a 6x6x6 colour cube plus a ramp of 39 greys between the cube's six, 255 registers in
all (terminals offer 256, and the encoder keeps one for padding). Camera pictures are
mostly near-grey, and a cube alone turns light and mid greys into tints: a blurred white
mask came out as a pink blob. Each pixel takes the nearer of its nearest cube colour and
its nearest grey, read from a table of 64 levels per channel built once.
The encoder never loops over pixels in Python. Each pixel sets one bit of its colour's
sixel in its band, so scattering the six rows of all bands into a dense (band, colour) x
column array builds every sixel at once; run boundaries then come from one comparison,
and the output bytes are written by offset, all in numpy.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from console.core.privacy.masking import MaskedFrame, Pixels
from console.core.render.cells import build_tile
from console.core.render.tile import DEFAULT, ColorDepth, RenderedTile, tile_pixels

Indices = npt.NDArray[np.uint8]
"""Per-pixel palette registers, shape (h, w)."""

_LEVELS = 6
"""Cube levels per channel: 0, 51, ..., 255."""
_CUBE = _LEVELS**3
_RAMP_PER_GAP = (8, 8, 8, 8, 7)
"""Greys added between each pair of neighbouring cube greys: 39, so 216 + 39 = 255."""

MAX_WIDTH = 9999
"""Widest image the encoder writes; repeat counts have at most four digits."""


def _greys() -> npt.NDArray[np.float64]:
    """The ramp's levels, evenly spread inside each gap between two cube greys."""
    step = 255 / (_LEVELS - 1)
    ramp = [
        step * (gap + (k + 1) / (count + 1))
        for gap, count in enumerate(_RAMP_PER_GAP)
        for k in range(count)
    ]
    return np.array(ramp)


def _palette() -> npt.NDArray[np.uint8]:
    levels = np.arange(_LEVELS) * 255 / (_LEVELS - 1)
    r, g, b = np.meshgrid(levels, levels, levels, indexing="ij")
    cube = np.stack([r.ravel(), g.ravel(), b.ravel()], axis=1)
    ramp = np.repeat(_greys()[:, None], 3, axis=1)
    return np.asarray(np.round(np.concatenate([cube, ramp])), dtype=np.uint8)


PALETTE = _palette()
"""RGB of each register, shape (255, 3): the cube (register = r * 36 + g * 6 + b) first,
then the grey ramp, darkest first."""


@functools.cache
def _nearest() -> npt.NDArray[np.uint8]:
    """Register per (B, G, R) bin of 64 levels each: the nearer of the nearest cube colour
    and the nearest grey (cube greys included) to the bin's centre."""
    centre = np.arange(64) * 4 + 1.5
    b, g, r = np.meshgrid(centre, centre, centre, indexing="ij")
    rgb = np.stack([r.ravel(), g.ravel(), b.ravel()], axis=1)
    level = np.round(rgb * (_LEVELS - 1) / 255).astype(np.int64)
    cube = level @ np.array([_LEVELS**2, _LEVELS, 1])
    cube_error = ((rgb - PALETTE[cube]) ** 2).sum(axis=1)
    grey_registers = np.concatenate(
        [np.arange(_LEVELS) * (_LEVELS**2 + _LEVELS + 1), _CUBE + np.arange(len(PALETTE) - _CUBE)]
    )
    grey_values = PALETTE[grey_registers, 0].astype(np.float64)
    order = np.argsort(grey_values)
    grey_values, grey_registers = grey_values[order], grey_registers[order]
    mean = rgb.mean(axis=1)
    above = np.clip(np.searchsorted(grey_values, mean), 1, len(grey_values) - 1)
    below = above - 1
    pick = np.where(mean - grey_values[below] < grey_values[above] - mean, below, above)
    grey = grey_registers[pick]
    grey_error = ((rgb - PALETTE[grey]) ** 2).sum(axis=1)
    return np.asarray(np.where(grey_error < cube_error, grey, cube), np.uint8)


_BAYER = np.array([[0, 8, 2, 10], [12, 4, 14, 6], [3, 11, 1, 9], [15, 7, 13, 5]], dtype=np.int32)
"""4x4 ordered-dither thresholds 0..15."""


def sixel_indices(pixels: Pixels, dither: bool = False) -> Indices:
    """The register of every pixel of a BGR image: nearest palette colour, or Bayer-dithered
    over the cube."""
    if not dither:
        bins = (pixels >> 2).astype(np.int32)
        index = (bins[..., 0] << 12) | (bins[..., 1] << 6) | bins[..., 2]
        return np.asarray(_nearest()[index], np.uint8)
    height, width = pixels.shape[:2]
    threshold = np.tile(_BAYER, (-(-height // 4), -(-width // 4)))[:height, :width]
    threshold = 2 * threshold + 1  # centres of 16 steps, in 32nds
    indices = np.zeros((height, width), np.int32)
    for channel, stride in enumerate((_LEVELS**2, _LEVELS, 1)):
        value = pixels[..., 2 - channel].astype(np.int32)
        level = (value * (_LEVELS - 1) * 32 + threshold * 255) // (255 * 32)
        indices += np.minimum(level, _LEVELS - 1) * stride
    return indices.astype(np.uint8)


def _digit_count(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Decimal digits of each value, 1..4."""
    return 1 + (values >= 10).astype(np.int64) + (values >= 100) + (values >= 1000)


def _put_decimal(
    out: npt.NDArray[np.uint8],
    at: npt.NDArray[np.int64],
    values: npt.NDArray[np.int64],
    count: npt.NDArray[np.int64],
) -> None:
    """Write each value's decimal digits at its offset (most significant first)."""
    for place in range(4):
        has = count > place
        power = 10 ** (count[has] - 1 - place)
        out[at[has] + place] = 48 + (values[has] // power) % 10


def encode_sixel(indices: Indices, palette: npt.NDArray[np.uint8]) -> str:
    """A complete DCS sixel image of `indices`, defining only the registers it uses.

    The header carries raster attributes `"1;1;W;H` (square pixels, exact size) and
    P2=0: every pixel is painted, so the image is opaque.
    """
    height, width = indices.shape
    ncolours = len(palette)
    if not 0 < width <= MAX_WIDTH or height <= 0 or ncolours > 255:
        raise ValueError(f"cannot encode a {width}x{height} sixel image of {ncolours} colours")
    bands = -(-height // 6)
    stride = ncolours + 1  # register `ncolours` fills the rows below the image
    padded = np.full((bands * 6, width), ncolours, np.uint8)
    padded[:height] = indices
    key = (np.arange(bands, dtype=np.int32) * stride)[:, None, None] + padded.reshape(
        bands, 6, width
    )
    present = np.zeros(bands * stride, bool)
    present[key.ravel()] = True
    lines = np.flatnonzero(present)  # one sixel line per (band, colour) present
    line_of = np.cumsum(present, dtype=np.int64 if len(lines) * width >= 2**31 else np.int32)
    target = (line_of[key] - 1) * width + np.arange(width, dtype=line_of.dtype)
    dense = np.zeros((len(lines), width), np.uint8)
    flat = dense.reshape(-1)
    for bit in range(6):
        flat[target[:, bit, :]] |= np.uint8(1 << bit)
    colour = lines % stride
    real = colour < ncolours
    return _emit(dense[real], lines[real] // stride, colour[real], palette, width, height)


def _emit(
    dense: npt.NDArray[np.uint8],
    band_of_line: npt.NDArray[np.int64],
    colour_of_line: npt.NDArray[np.int64],
    palette: npt.NDArray[np.uint8],
    width: int,
    height: int,
) -> str:
    """Serialise sixel lines: `#c` + run-length-encoded sixels, `$` between lines of a band,
    `-` between bands, nothing after the last; trailing empty sixels are dropped."""
    nlines = len(dense)
    change = np.ones(dense.shape, bool)
    np.not_equal(dense[:, 1:], dense[:, :-1], out=change[:, 1:])
    starts = np.flatnonzero(change)
    lengths = np.diff(starts, append=nlines * width)
    values = dense.reshape(-1)[starts].astype(np.int64)
    line = starts // width
    last_in_line = np.ones(len(starts), bool)
    last_in_line[:-1] = line[1:] != line[:-1]
    keep = ~(last_in_line & (values == 0))  # a line never ends in empty sixels
    starts, lengths, values, line = starts[keep], lengths[keep], values[keep], line[keep]

    run_digits = _digit_count(lengths)
    repeated = lengths >= 4
    run_bytes = np.where(repeated, 2 + run_digits, lengths)
    colour_digits = _digit_count(colour_of_line)
    header_bytes = 1 + colour_digits
    last_line_of_band = np.ones(nlines, bool)
    last_line_of_band[:-1] = band_of_line[1:] != band_of_line[:-1]
    trailer_bytes = np.ones(nlines, np.int64)
    trailer_bytes[-1] = 0
    trailer = np.where(last_line_of_band, ord("-"), ord("$"))

    line_bytes = (
        header_bytes + trailer_bytes + np.bincount(line, run_bytes, nlines).astype(np.int64)
    )
    line_offset = np.cumsum(line_bytes) - line_bytes
    first_run = np.searchsorted(line, np.arange(nlines))
    run_offset = np.cumsum(run_bytes) - run_bytes
    run_offset += line_offset[line] + header_bytes[line] - run_offset[first_run][line]

    out = np.empty(int(line_bytes.sum()), np.uint8)
    out[line_offset] = ord("#")
    _put_decimal(out, line_offset + 1, colour_of_line, colour_digits)
    ends = line_offset + line_bytes - 1
    out[ends[:-1]] = trailer[:-1]
    chars = (values + 63).astype(np.uint8)
    for place in range(3):
        literal = ~repeated & (lengths > place)
        out[run_offset[literal] + place] = chars[literal]
    out[run_offset[repeated]] = ord("!")
    _put_decimal(out, run_offset[repeated] + 1, lengths[repeated], run_digits[repeated])
    out[run_offset[repeated] + 1 + run_digits[repeated]] = chars[repeated]

    used = np.unique(colour_of_line)
    percent = (palette[used].astype(np.int64) * 100 + 127) // 255
    definitions = "".join(
        f"#{c};2;{r};{g};{b}" for c, (r, g, b) in zip(used.tolist(), percent.tolist(), strict=True)
    )
    return f'\x1bP0;0;0q"1;1;{width};{height}{definitions}{out.tobytes().decode("ascii")}\x1b\\'


class SixelRenderer:
    """Renders a tile as a sixel image over blank cells.

    The image is as wide as the tile and as tall as the largest multiple of six pixels
    that fits in its rows, so it never spills into the row below the tile. A terminal
    shows nothing of an image larger than its sixel limit (xterm: 1000x1000 at most), so
    where the tile exceeds `max_px` the image is scaled down to fit, keeping proportions,
    and centred in the tile's cells.
    """

    mode = "sixel"

    def __init__(self, dither: bool = False, max_px: tuple[int, int] | None = None) -> None:
        self.dither = dither
        """Apply 4x4 ordered dithering: smoother gradients, larger output."""
        self.max_px = max_px
        """The largest image the terminal shows (XTSMGRAPHICS), if it said."""

    def pixel_size(self, cols: int, rows: int, cell_px: tuple[int, int]) -> tuple[int, int]:
        width, height = cols * cell_px[0], rows * cell_px[1]
        if self.max_px is not None and width > 0 and height > 0:
            scale = min(1.0, self.max_px[0] / width, self.max_px[1] / height)
            width, height = int(width * scale), int(height * scale)
        return width, height // 6 * 6

    def _cells(
        self, size: tuple[int, int], cols: int, rows: int, cell_px: tuple[int, int]
    ) -> tuple[int, int, int, int] | None:
        """Where a scaled-down image sits in the tile: centred, on whole cells."""
        used = (-(-size[0] // cell_px[0]), -(-size[1] // cell_px[1]))
        if used == (cols, rows):
            return None
        return ((cols - used[0]) // 2, (rows - used[1]) // 2, *used)

    def render(
        self, frame: MaskedFrame, cols: int, rows: int, cell_px: tuple[int, int]
    ) -> RenderedTile:
        size = self.pixel_size(cols, rows, cell_px)
        blank = np.full((rows, cols), DEFAULT, np.int32)
        glyphs = np.zeros((rows, cols), np.uint8)
        if min(size) <= 0:  # not even a band fits: the text picture stands in
            return build_tile(self.mode, ColorDepth.TRUECOLOR, glyphs, blank, blank)
        pixels = tile_pixels(frame, size)
        return build_tile(
            self.mode,
            ColorDepth.TRUECOLOR,
            glyphs,
            blank,
            blank,
            graphics=encode_sixel(sixel_indices(pixels, self.dither), PALETTE),
            graphics_px=size,
            graphics_cells=self._cells(size, cols, rows, cell_px),
        )

"""The masking stage: the only way a camera frame becomes something that may be shown.

Everything downstream (terminal renderers, stills, exports) accepts a `MaskedFrame` and
nothing else, and only this module can make one. A frame therefore cannot reach a
terminal or a file without passing through `CameraMasker`, and if masking fails the
caller gets an exception instead of pixels: it fails closed.

Whether liftable masks apply is asked of the `LiftGate` on *every* frame, so a lift ends
the moment its deadline passes on the monotonic clock, whether or not any UI timer runs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import cv2
import numpy as np
import numpy.typing as npt

from console.core.privacy.masks import BoolRaster, Mask, MaskStyle, rasterize, resample_outward
from console.core.privacy.timeline import MaskTimeline, union

Pixels = npt.NDArray[np.uint8]
"""A BGR image, shape (height, width, 3)."""


class MaskingError(Exception):
    """Masks could not be applied; the frame must not be shown."""


class LiftGate(Protocol):
    """Answers, per frame, whether liftable masks are lifted right now."""

    def lifted(self) -> bool: ...


class NeverLifted:
    """The gate for every context without a lift: stills, checks, tests."""

    def lifted(self) -> bool:
        return False


NEVER_LIFTED = NeverLifted()

_SEAL = object()


class MaskedFrame:
    """A frame that has been through the masking stage.

    The pixels are read-only so no consumer can paint over the masks' result by accident.
    """

    __slots__ = ("camera_id", "captured_at", "lifted", "pixels")

    def __init__(
        self, seal: object, pixels: Pixels, camera_id: str, lifted: bool, captured_at: float
    ) -> None:
        if seal is not _SEAL:
            raise TypeError("MaskedFrame is made only by console.core.privacy.masking")
        pixels.flags.writeable = False
        self.pixels = pixels
        """BGR pixels with every applicable mask burned in."""
        self.camera_id = camera_id
        """The camera whose masks were applied."""
        self.lifted = lifted
        """True when liftable masks were left off because a lift was active."""
        self.captured_at = captured_at
        """Monotonic time the source delivered the frame, for latency measurement."""

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def blank_frame(width: int, height: int, camera_id: str = "") -> MaskedFrame:
    """An all-black frame: safe to show because it shows nothing."""
    return MaskedFrame(_SEAL, np.zeros((height, width, 3), np.uint8), camera_id, False, 0.0)


def editor_view(
    frame: MaskedFrame, colours: Pixels, weights: npt.NDArray[np.float32]
) -> MaskedFrame:
    """The mask editor's picture with its marks (masks, points, cursor) painted into it.

    For the administrator's editor alone (it needs `admin`): `frame` is what the editor
    was given to show, already the masking stage's product (the picture beneath the
    masks, see `CameraFeed.beneath`), and this only blends each pixel towards the BGR
    `colours` by `weights` (0..1, shape (height, width)), so it can cover a pixel but
    never uncover one. The marks go into the pixels so that an image renderer (sixel)
    shows them: text drawn over an image would be hidden under it. `frame` is scaled
    nearest-neighbour to the marks' size first, which copies its pixels and blends none.
    The result keeps the frame's camera, lift state and capture time.
    """
    height, width = weights.shape
    pixels = frame.pixels
    if (frame.width, frame.height) != (width, height):
        pixels = np.asarray(cv2.resize(pixels, (width, height), interpolation=cv2.INTER_NEAREST))
    weight = np.clip(weights, 0.0, 1.0)[..., None]
    base = pixels.astype(np.float32)
    marked = np.round(base + (colours.astype(np.float32) - base) * weight).astype(np.uint8)
    return MaskedFrame(_SEAL, marked, frame.camera_id, frame.lifted, frame.captured_at)


_Look = tuple[MaskStyle, int, tuple[int, int, int]]
"""(style, level, colour): masks sharing a look are painted as one layer."""


@dataclass(frozen=True, slots=True)
class _Layer:
    """All active masks of one look, merged into one raster for one frame size.

    Only the bounding box of the raster is stored and touched per frame, so a small mask
    on a large frame costs little.
    """

    style: MaskStyle
    level: int
    color: tuple[int, int, int]
    box: tuple[slice, slice]
    raster: npt.NDArray[np.uint8]
    """The merged raster cropped to `box`, 1 where masked: the form `cv2.copyTo` takes,
    which paints through it about twenty times faster than numpy boolean indexing."""
    fill: Pixels
    """A `box`-sized image of `color`, for solid layers (empty for the others)."""


def block_size(level: int, width: int, height: int) -> int:
    """Side of the averaging block for blur and pixelate, in pixels.

    Level 1 averages over an eighth of the frame's longer side, which destroys text or
    a checkerboard whose features are under a twentieth of the frame (a test measures
    it); level 10 averages over a third. Relative to the frame, so a tile preview and a
    full-resolution export hide the same detail.
    """
    fraction = 1 / 8 + (level - 1) * (1 / 3 - 1 / 8) / 9
    return max(2, round(max(width, height) * fraction))


def _obscure(image: Pixels, style: MaskStyle, block: int) -> Pixels:
    """Average `image` over coarse blocks; blur smooths the blocks, pixelate keeps them."""
    height, width = image.shape[:2]
    small_w = max(1, -(-width // block))
    small_h = max(1, -(-height // block))
    small = cv2.resize(image, (small_w, small_h), interpolation=cv2.INTER_AREA)
    method = cv2.INTER_NEAREST if style == "pixelate" else cv2.INTER_LINEAR
    return np.asarray(cv2.resize(small, (width, height), interpolation=method), np.uint8)


_Key = tuple[tuple[Mask, ...], int, int, bool]
"""A mask set, a frame size and whether a lift is in force: what a raster depends on."""


class CameraMasker:
    """Applies one camera's masks to its frames, at full or preview resolution.

    Rasters are built once per (frame size, lift state) and cached, so per frame the
    cost is a few array copies plus one coarse resize per blurred or pixelated look.
    """

    def __init__(
        self,
        camera_id: str,
        masks: Sequence[Mask],
        gate: LiftGate = NEVER_LIFTED,
        timeline: MaskTimeline | None = None,
    ):
        self.camera_id = camera_id
        self.gate = gate
        self._state = (tuple(masks), timeline)
        self.generation = 0
        """Bumped by `use_masks`, so a paused picture knows to be masked again."""
        self._layers: dict[tuple[_Key, tuple[int, int]], tuple[_Layer, ...]] = {}
        self._rasters: dict[_Key, dict[_Look, BoolRaster]] = {}
        """Merged rasters per mask set and size: a source's are shared by every tile size
        made from it."""

    @property
    def masks(self) -> tuple[Mask, ...]:
        """The masks in force now."""
        return self._state[0]

    @property
    def timeline(self) -> MaskTimeline | None:
        """The camera's mask history, applied to recorded frames (None: masks of now only)."""
        return self._state[1]

    def use_masks(self, masks: Sequence[Mask], timeline: MaskTimeline | None = None) -> None:
        """Put new masks (and history) in force from the next frame on.

        One assignment of a tuple, so a frame being masked in another thread sees either
        the old pair or the new one, never a mix.
        """
        self._state = (tuple(masks), timeline if timeline is not None else self.timeline)
        self.generation += 1

    def full(
        self, frame: Pixels, captured_at: float = 0.0, recorded_at: float | None = None
    ) -> MaskedFrame:
        """Mask at the frame's own resolution, for stills and exports.

        `recorded_at` (POSIX seconds) marks a recorded frame: it also gets the masks in
        force when it was recorded (see `console.core.privacy.timeline`).
        """
        return self._mask(frame, None, captured_at, recorded_at)

    def preview(
        self,
        frame: Pixels,
        width: int,
        height: int,
        captured_at: float = 0.0,
        recorded_at: float | None = None,
    ) -> MaskedFrame:
        """Mask for a tile of `width` x `height` pixels.

        When shrinking, the frame is downscaled first and masked at tile resolution, which
        is far cheaper. The tile's rasters then cover every tile pixel whose footprint
        touches a mask or a source pixel the full-resolution rasters mask, because the
        downscale averaged those source pixels into it (see `resample_outward`). When
        enlarging, masking happens at full resolution first, because interpolation would
        otherwise pull pixels from under a mask into its unmasked neighbours, and again at
        tile resolution with the same rasters so every tile pixel made from a masked source
        pixel carries exactly the mask's look.
        """
        return self._mask(frame, (width, height), captured_at, recorded_at)

    def masks_for(self, recorded_at: float | None) -> tuple[Mask, ...]:
        """The masks a frame gets: now's, plus those of its recording time when recorded.

        Raises `HistoryUnavailable` when the history is unreadable (fail closed).
        """
        masks, timeline = self._state
        if recorded_at is None or timeline is None:
            return masks
        then = timeline.at(recorded_at)
        return masks if then is None else union(then.masks, masks)

    def _mask(
        self,
        frame: Pixels,
        size: tuple[int, int] | None,
        captured_at: float,
        recorded_at: float | None,
    ) -> MaskedFrame:
        lifted = self.gate.lifted()
        try:
            masks = self.masks_for(recorded_at)
            source = _as_bgr(frame)
            full_size = (int(source.shape[1]), int(source.shape[0]))
            if size is None:
                out = self._apply(source.copy(), masks, lifted, full_size)
            elif size[0] <= full_size[0] and size[1] <= full_size[1]:
                small = cv2.resize(source, size, interpolation=cv2.INTER_AREA)
                out = self._apply(np.asarray(small, np.uint8), masks, lifted, full_size)
            else:
                masked = self._apply(source.copy(), masks, lifted, full_size)
                large = cv2.resize(masked, size, interpolation=cv2.INTER_NEAREST)
                out = self._apply(np.asarray(large, np.uint8), masks, lifted, full_size)
        except Exception as error:  # any failure here must withhold the frame
            raise MaskingError(f"camera {self.camera_id}: {error}") from error
        return MaskedFrame(_SEAL, out, self.camera_id, lifted, captured_at)

    def _apply(
        self, image: Pixels, masks: tuple[Mask, ...], lifted: bool, source: tuple[int, int]
    ) -> Pixels:
        """Solids first, then blurs computed from the solid-covered image, then solids again.

        `image` was made from a frame of `source` (width, height) pixels. Painting solids
        before averaging keeps a solid mask's secret out of a neighbouring blur's averages;
        painting them again lets a solid win where masks overlap.
        """
        height, width = image.shape[:2]
        layers = self._layers_for((masks, width, height, lifted), source)
        solids = [layer for layer in layers if layer.style == "solid"]
        for layer in solids:
            cv2.copyTo(layer.fill, layer.raster, image[layer.box])
        for layer in layers:
            if layer.style != "solid":
                region = image[layer.box]
                block = block_size(layer.level, width, height)
                cv2.copyTo(_obscure(region, layer.style, block), layer.raster, region)
        for layer in solids:
            cv2.copyTo(layer.fill, layer.raster, image[layer.box])
        return image

    def _layers_for(self, key: _Key, source: tuple[int, int]) -> tuple[_Layer, ...]:
        return _cached(self._layers, (key, source), lambda: self._build_layers(key, source))

    def _build_layers(self, key: _Key, source: tuple[int, int]) -> tuple[_Layer, ...]:
        masks, width, height, lifted = key
        merged = self._merged(key)
        if source != (width, height):
            at_source = self._merged((masks, *source, lifted))
            merged = {
                look: raster | resample_outward(at_source[look], width, height)
                for look, raster in merged.items()
            }
        layers = []
        for (style, level, color), raster in merged.items():
            rows = np.flatnonzero(raster.any(axis=1))
            cols = np.flatnonzero(raster.any(axis=0))
            if rows.size == 0:
                continue
            box = (slice(int(rows[0]), int(rows[-1]) + 1), slice(int(cols[0]), int(cols[-1]) + 1))
            height, width = raster[box].shape
            fill = np.empty((height, width, 3) if style == "solid" else (0, 0, 3), np.uint8)
            fill[...] = color
            layers.append(_Layer(style, level, color, box, raster[box].astype(np.uint8), fill))
        return tuple(layers)

    def _merged(self, key: _Key) -> dict[_Look, BoolRaster]:
        """A mask set, rasterised outward at one size and merged per look."""
        return _cached(self._rasters, key, lambda: self._merge(key))

    def _merge(self, key: _Key) -> dict[_Look, BoolRaster]:
        masks, width, height, lifted = key
        merged: dict[_Look, BoolRaster] = {}
        for mask in masks:
            if lifted and mask.kind == "liftable":
                continue
            look = (mask.style, mask.level if mask.style != "solid" else 0, mask.color)
            raster = rasterize(mask.geometry, width, height)
            merged[look] = merged[look] | raster if look in merged else raster
        return merged


_K = TypeVar("_K")
_V = TypeVar("_V")
_CACHE_LIMIT = 16
"""Sizes kept per cache: resolutions come and go with resizes, so stay bounded."""


def _cached(cache: dict[_K, _V], key: _K, build: Callable[[], _V]) -> _V:
    found = cache.get(key)
    if found is None:
        found = build()
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = found
    return found


def _as_bgr(frame: Pixels) -> Pixels:
    """Accept what capture devices deliver (BGR, grey, BGRA) and refuse anything else."""
    if frame.dtype != np.uint8:
        raise MaskingError(f"expected 8-bit pixels, got {frame.dtype}")
    if frame.ndim == 2:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR), np.uint8)
    if frame.ndim == 3 and frame.shape[2] == 3:
        return frame
    if frame.ndim == 3 and frame.shape[2] == 4:
        return np.asarray(cv2.cvtColor(frame, cv2.COLOR_BGRA2BGR), np.uint8)
    raise MaskingError(f"expected a BGR image, got an array of shape {frame.shape}")

"""Recordings with known motion, for smart-search tests: made at test time, small.

A still scene (a gradient with a few fixed shapes) through which a dark figure walks at
known times. Optional sensor-like noise (Gaussian, every pixel, every frame) and an
"under the mask" patch of random blocks that change every frame, so a test can check that a
mask keeps it from ever producing a hit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

Pixels = npt.NDArray[np.uint8]

WIDTH, HEIGHT, FPS = 320, 180, 10.0


@dataclass(frozen=True, slots=True)
class Walk:
    """A figure crossing the frame left to right, entering x = `enter_x` at `start`."""

    start: float
    """Seconds from the segment's start when the figure's front edge reaches `enter_x`."""
    seconds: float = 3.0
    """How long the figure takes to cross the region."""
    enter_x: float = 0.5
    width: float = 0.25
    """The region's width the figure crosses in `seconds`."""


def background(width: int = WIDTH, height: int = HEIGHT) -> Pixels:
    ys, xs = np.indices((height, width))
    grey = (60 + 120 * xs / width + 30 * np.sin(ys / 9.0)).astype(np.uint8)
    image = np.repeat(grey[:, :, None], 3, axis=2)
    cv2.rectangle(image, (20, 20), (70, 60), (200, 180, 160), -1)
    cv2.circle(image, (260, 40), 18, (90, 140, 220), -1)
    return image


def frame_at(
    moment: float,
    walks: Sequence[Walk],
    noise: float,
    flicker: tuple[float, float, float, float] | None,
    rng: np.random.Generator,
) -> Pixels:
    image = background().copy()
    for walk in walks:
        speed = walk.width / walk.seconds
        front = walk.enter_x + (moment - walk.start) * speed
        if walk.enter_x - 0.15 <= front <= walk.enter_x + walk.width + 0.15:
            x1 = int(front * WIDTH)
            cv2.rectangle(image, (x1 - 24, 70), (x1, 160), (20, 20, 30), -1)
    if flicker is not None:
        x0, y0, x1, y1 = flicker
        box = image[int(y0 * HEIGHT) : int(y1 * HEIGHT), int(x0 * WIDTH) : int(x1 * WIDTH)]
        coarse = rng.integers(0, 256, (box.shape[0] // 12 + 1, box.shape[1] // 12 + 1, 3))
        blocks = np.kron(coarse, np.ones((12, 12, 1))).astype(np.uint8)
        box[...] = blocks[: box.shape[0], : box.shape[1]]
    if noise:
        noisy = image.astype(np.float32) + rng.normal(0, noise, image.shape)
        image = np.clip(noisy, 0, 255).astype(np.uint8)
    return image


def write_scene(
    folder: Path,
    stem: str,
    seconds: float,
    walks: Sequence[Walk] = (),
    noise: float = 0.0,
    flicker: tuple[float, float, float, float] | None = None,
    seed: int = 7,
) -> Path:
    """One segment `stem.mp4` of `seconds` at 10 fps with the walks, noise and flicker."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    assert writer.isOpened(), f"cannot write {path}"
    rng = np.random.default_rng(seed)
    for number in range(round(seconds * FPS)):
        writer.write(frame_at(number / FPS, walks, noise, flicker, rng))
    writer.release()
    return path

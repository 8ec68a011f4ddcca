"""Small recordings for playback and export tests, built in temporary folders.

Every frame shows a high-contrast checkerboard (the "secret" a mask must hide) and,
along the bottom edge, its own frame number in big black/white cells that survive
lossy codecs, so a test can tell which frame a decoder or cursor produced.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

Pixels = npt.NDArray[np.uint8]

WIDTH, HEIGHT = 160, 120
SQUARE = 4
"""Checkerboard square side in pixels: far below any mask's blur block."""
BITS = 10
CELL = 16
STRIP = CELL
"""Height of the frame-number strip at the bottom; masks in tests stay above it."""
HIDDEN = 8.0
"""`pattern_contrast` below this: at most 8 of the pattern's 255 grey levels survive,
which no eye or threshold can read back (codec noise alone reaches a few levels)."""
VISIBLE = 200.0
"""`pattern_contrast` above this: the pattern is plainly there."""


def checkerboard(width: int = WIDTH, height: int = HEIGHT) -> Pixels:
    ys, xs = np.indices((height, width))
    board = (((xs // SQUARE) + (ys // SQUARE)) % 2 * 255).astype(np.uint8)
    return np.repeat(board[:, :, None], 3, axis=2)


def picture(number: int, width: int = WIDTH, height: int = HEIGHT) -> Pixels:
    """The checkerboard with `number` written in the bottom strip, bit 0 leftmost."""
    image = checkerboard(width, height)
    for bit in range(BITS):
        value = 255 if number >> bit & 1 else 0
        image[height - STRIP :, bit * CELL : (bit + 1) * CELL] = value
    return image


def read_number(pixels: Pixels) -> int:
    """The frame number `picture` wrote, read back from a decoded (lossy) frame."""
    height = pixels.shape[0]
    number = 0
    for bit in range(BITS):
        cell = pixels[height - STRIP + 4 : height - 4, bit * CELL + 4 : (bit + 1) * CELL - 4]
        if cell.mean() > 128:
            number |= 1 << bit
    return number


def write_segment(
    folder: Path,
    stem: str,
    frames: int,
    fps: float = 10.0,
    first: int = 0,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    suffix: str = ".mp4",
) -> Path:
    """A segment named `stem + suffix` holding pictures first .. first + frames - 1."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{stem}{suffix}"
    codec = "MJPG" if suffix == ".avi" else "mp4v"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*codec), fps, size)
    assert writer.isOpened(), f"cannot write {path}"
    for number in range(first, first + frames):
        writer.write(picture(number, *size))
    writer.release()
    return path


def decode_all(path: Path) -> list[Pixels]:
    """Every frame of a video file, in order."""
    capture = cv2.VideoCapture(str(path))
    frames: list[Pixels] = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        frames.append(np.asarray(frame, np.uint8))
    capture.release()
    return frames


def pattern_contrast(frame: Pixels, where: npt.NDArray[np.bool_]) -> float:
    """How many grey levels of the checkerboard's 255 survive in `frame` where `where` is set.

    The least-squares fit of the grey values there onto the checkerboard at the same
    pixels: about 255 where the picture is untouched, about 0 under a solid mask or a
    blur that destroyed the pattern, whatever else (codec noise, a mask colour) is there.
    """
    height, width = frame.shape[:2]
    grey = frame.astype(np.float64).mean(axis=2)[where]
    board = checkerboard(width, height)[:, :, 0].astype(np.float64)[where]
    board -= board.mean()
    return float(np.dot(grey - grey.mean(), board) / np.dot(board, board) * 255)

"""The benchmark's input: the demo clips decoded to 100 PNG frames at 640x360."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from console.core.site.paths import DEMO_SITE

CLIPS = DEMO_SITE.parent / "clips"
SIZE = (640, 360)
COUNT = 100


def demo_frames(folder: Path) -> list[Path]:
    """Write COUNT frames spread evenly over the demo clips (the full-size ones) to `folder`."""
    clips = sorted(p for p in CLIPS.glob("*.mp4") if not p.stem.endswith("-small"))
    if not clips:
        raise SystemExit(f"bench: no demo clips in {CLIPS}; run `make fixtures`")
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    decoded = [_decode(clip) for clip in clips]
    total = sum(len(frames) for frames in decoded)
    picks = np.linspace(0, total - 1, COUNT).round().astype(int)
    everything = [frame for frames in decoded for frame in frames]
    paths = []
    for number, index in enumerate(picks):
        path = folder / f"frame-{number:03d}.png"
        cv2.imwrite(str(path), everything[index])
        paths.append(path)
    return paths


def _decode(clip: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(clip))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if (frame.shape[1], frame.shape[0]) != SIZE:
            frame = cv2.resize(frame, SIZE, interpolation=cv2.INTER_AREA)
        frames.append(frame)
    capture.release()
    if not frames:
        raise SystemExit(f"bench: could not decode {clip}")
    return frames

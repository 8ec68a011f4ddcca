"""How much of the region moved between two samples, and the hits that makes.

The measure is deliberately simple and robust: both samples are smoothed a little
(which flattens sensor noise), and a pixel counts as moved when its grey level changed
by more than a threshold. A sample's score is the share of the region's measurable
pixels that moved; the excluded pixels (`exclusion`) are neither measured nor counted,
so a region entirely under masks can never score. Sensitivity 1..10 lowers both the
per-pixel threshold and the share needed, and raises the sampling rate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from console.core.privacy.masks import BoolRaster

DEFAULT_SENSITIVITY = 5
SENSITIVITIES = range(1, 11)
ANALYSIS_WIDTH = 160
"""Frames are measured this wide (height in proportion): a person at 640x360 is still
tens of pixels, and decoding to this size costs next to nothing beyond decoding."""
MERGE_GAP = 2.0
"""Seconds of stillness that end a hit; shorter pauses are one event."""

Grey = npt.NDArray[np.uint8]
Smoothed = npt.NDArray[np.int16]


@dataclass(frozen=True, slots=True)
class Thresholds:
    """What one sensitivity means."""

    pixel: int
    """Grey levels a smoothed pixel must change by to count as moved."""
    share: float
    """Share of the measurable region that must move for a sample to count."""
    rate: float
    """Samples per second of recording: higher sensitivity looks more often."""


def thresholds(sensitivity: int) -> Thresholds:
    """Sensitivity 5 (the default) ignores sensor noise of a few grey levels and a
    shimmer of under 1 % of the region; 10 reacts to a change of 13 levels in 0.2 %."""
    if sensitivity not in SENSITIVITIES:
        raise ValueError(f"sensitivity must be 1 to 10, got {sensitivity}")
    return Thresholds(
        pixel=40 - 3 * sensitivity,
        share=0.002 * (11 - sensitivity),
        rate=5.0 if sensitivity <= 7 else 10.0,
    )


def analysis_size(width: int, height: int) -> tuple[int, int]:
    """The frame size motion is measured at: `ANALYSIS_WIDTH` wide, even, never larger."""
    if width <= ANALYSIS_WIDTH:
        return width, height
    return ANALYSIS_WIDTH, max(2, round(height * ANALYSIS_WIDTH / width / 2) * 2)


def step_for(fps: float, sensitivity: int) -> int:
    """Every how many frames a sample is taken at this frame rate."""
    return max(1, round(fps / thresholds(sensitivity).rate))


class Meter:
    """Scores consecutive samples of one camera at one size.

    `measure` is given the region's raster and the exclusion of the masks that applied
    to that frame; pixels outside the region or excluded are set to zero before
    smoothing and never counted, so nothing under a mask reaches the score.
    """

    def __init__(self, region: BoolRaster, limits: Thresholds) -> None:
        self.region = region
        self.limits = limits
        self._previous: Smoothed | None = None

    def reset(self) -> None:
        """Forget the last sample (a gap in the recording is no motion)."""
        self._previous = None

    def measure(self, grey: Grey, excluded: BoolRaster) -> float:
        """The share (0..1) of the measurable region that moved since the last sample."""
        watched = self.region & ~excluded
        visible = np.where(watched, grey, 0).astype(np.uint8)
        smooth = np.asarray(cv2.GaussianBlur(visible, (3, 3), 0), np.int16)
        previous, self._previous = self._previous, smooth
        count = int(np.count_nonzero(watched))
        if previous is None or count == 0:
            return 0.0
        moved = (np.abs(smooth - previous) > self.limits.pixel) & watched
        return int(np.count_nonzero(moved)) / count


@dataclass(frozen=True, slots=True)
class Sample:
    """One measurement: the recording time and the share of the region that moved."""

    time: float
    score: float


@dataclass(frozen=True, slots=True)
class Hit:
    """A stretch of motion in the region."""

    camera_id: str
    start: float
    end: float
    peak: float
    """The time of the sample that moved most."""
    score: float
    """The peak share of the region that moved, in percent."""


def hits(camera_id: str, samples: Iterable[Sample], limits: Thresholds) -> list[Hit]:
    """Samples over the threshold, merged where they lie within `MERGE_GAP` of each other."""
    found: list[Hit] = []
    current: list[Sample] = []
    for sample in sorted(samples, key=lambda s: s.time):
        if sample.score < limits.share:
            continue
        if current and sample.time - current[-1].time > MERGE_GAP:
            found.append(_hit(camera_id, current))
            current = []
        current.append(sample)
    if current:
        found.append(_hit(camera_id, current))
    return found


def _hit(camera_id: str, samples: list[Sample]) -> Hit:
    peak = max(samples, key=lambda s: s.score)
    return Hit(camera_id, samples[0].time, samples[-1].time, peak.time, round(100 * peak.score, 1))

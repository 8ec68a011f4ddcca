"""One segment of one camera scanned for motion: the unit of work of a search.

A `Job` holds only plain data (the segment, the camera's masks and history, whether a
lift is in force, the region), so it can be sent to another process: a search spreads
its segments over the cores. The frames come from `sampled_frames`, masked; each
frame's mask set (now's plus its recording time's) decides what is excluded from the
measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from console.core.privacy.masking import CameraMasker, LiftGate
from console.core.privacy.masks import BoolRaster, Mask, rasterize
from console.core.privacy.timeline import MaskTimeline
from console.core.search.exclusion import excluded
from console.core.search.motion import Meter, Sample, analysis_size, step_for, thresholds
from console.core.search.region import Region
from console.core.video.recorded_frames import sampled_frames
from console.core.video.recording_index import Segment


@dataclass(frozen=True, slots=True)
class Job:
    camera_id: str
    segment: Segment
    frames: range
    masks: tuple[Mask, ...]
    timeline: MaskTimeline | None
    lifted: bool
    """Whether liftable masks are lifted for this whole search (see `run`)."""
    region: Region
    sensitivity: int


@dataclass(frozen=True, slots=True)
class _Fixed:
    """A lift state that holds for one search: what the search was started under."""

    value: bool

    def lifted(self) -> bool:
        return self.value


def scan(job: Job) -> list[Sample]:
    """Every sample's score in the job's frames; raises RecordingError or MaskingError."""
    segment = job.segment
    size = analysis_size(segment.width, segment.height)
    gate: LiftGate = _Fixed(job.lifted)
    masker = CameraMasker(job.camera_id, job.masks, gate, job.timeline)
    limits = thresholds(job.sensitivity)
    region = rasterize(job.region, *size)
    meter = Meter(region, limits)
    exclusions: dict[tuple[Mask, ...], BoolRaster] = {}
    shown: tuple[Mask, ...] | None = None
    samples: list[Sample] = []
    step = step_for(segment.fps, job.sensitivity)
    for moment, frame in sampled_frames(segment, job.frames, masker, size, step):
        masks = masker.masks_for(moment)
        if masks != shown:
            meter.reset()  # another mask set: compare only frames masked alike
            shown = masks
        out = exclusions.get(masks)
        if out is None:
            out = exclusions[masks] = excluded(masks, job.lifted, *size)
        grey = np.asarray(cv2.cvtColor(frame.pixels, cv2.COLOR_BGR2GRAY), np.uint8)
        samples.append(Sample(moment, meter.measure(grey, out)))
    return samples

"""A whole search: cameras, a time range, a region; hits with progress, ETA and cancel.

Segments are scanned in a pool of processes, one per core, because decoding is the
cost and one Python process decodes, scales and measures on little more than one core.
Processes are started with `spawn`, never `fork`: the console has threads (Textual,
the audit queue, tile pumps) and a forked copy of a thread's lock can hang forever.

The lift is read once, at the start, and holds for the whole search: the result says
whether it ran lifted. A lift that ends before the search does voids it (it raises
`SearchCancelled`), so no hit found under a liftable mask outlives the lift; the
console drops lifted hits when a lift ends (fail closed).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from multiprocessing import resource_tracker

from console.core.privacy.masking import NEVER_LIFTED, LiftGate
from console.core.privacy.timeline import MaskTimeline
from console.core.search.motion import DEFAULT_SENSITIVITY, Hit, Sample, hits, thresholds
from console.core.search.region import Region
from console.core.search.scan import Job, scan
from console.core.site.model import Camera
from console.core.timebase.clock import Clock, monotonic
from console.core.timebase.moments import format_time
from console.core.timebase.progress import Progress
from console.core.video.recording_index import RecordingIndex
from console.core.video.segment_files import index_camera


class SearchError(Exception):
    """The search could not run or finish; the message says why (nothing is found)."""


class SearchCancelled(SearchError):
    """Cancelled by the operator, or voided by the end of the lift it ran under."""


@dataclass(frozen=True, slots=True)
class Target:
    """One camera to search, with its mask history (None: today's masks only)."""

    camera: Camera
    timeline: MaskTimeline | None = None


@dataclass(frozen=True, slots=True)
class SearchRequest:
    targets: tuple[Target, ...]
    start: float
    end: float
    region: Region
    sensitivity: int = DEFAULT_SENSITIVITY
    gate: LiftGate = NEVER_LIFTED


@dataclass(frozen=True, slots=True)
class SearchResult:
    hits: tuple[Hit, ...]
    """By start time, across cameras."""
    lifted: bool
    """True when liftable masks were lifted for the search (their areas were measured)."""
    frames: int
    indexes: dict[str, RecordingIndex] = field(default_factory=dict)
    """Each camera's recordings as searched, for thumbnails and playback."""


ProgressCallback = Callable[[Progress], None]
"""Called with frames scanned (counting the ones the sampling step skips)."""


def search(
    request: SearchRequest,
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
    workers: int | None = None,
    clock: Clock = monotonic,
) -> SearchResult:
    """Run the search to the end; blocking (the console runs it in a worker thread).

    Raises SearchError before any work when a camera's masks or history cannot be used
    or nothing was recorded in the range, and SearchCancelled when `cancel` is set.
    """
    thresholds(request.sensitivity)  # ValueError for a bad one, before any work
    if not request.start < request.end:
        raise SearchError(
            f"the range is empty: {format_time(request.start)} is not before "
            f"{format_time(request.end)}"
        )
    lifted = request.gate.lifted()
    jobs, indexes = _plan(request, lifted)
    total = sum(len(job.frames) for job in jobs)
    started = clock()
    samples: dict[str, list[Sample]] = {target.camera.id: [] for target in request.targets}
    done = 0
    executor = _executor(len(jobs), workers)
    try:
        pending: dict[Future[list[Sample]], Job] = {executor.submit(scan, j): j for j in jobs}
        while pending:
            _check(cancel)
            finished, _ = wait(pending, timeout=0.1, return_when=FIRST_COMPLETED)
            _check(cancel)
            for future in finished:
                job = pending.pop(future)
                samples[job.camera_id] += _result(future, job)
                done += len(job.frames)
                if progress is not None:
                    progress(Progress.after(done, total, clock() - started))
        _check(cancel)
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
    if lifted and not request.gate.lifted():
        raise SearchCancelled("the lift ended during the search; its hits are not kept")
    limits = thresholds(request.sensitivity)
    found = [hit for camera, taken in samples.items() for hit in hits(camera, taken, limits)]
    found.sort(key=lambda hit: (hit.start, hit.camera_id))
    return SearchResult(tuple(found), lifted, total, indexes)


def _plan(request: SearchRequest, lifted: bool) -> tuple[list[Job], dict[str, RecordingIndex]]:
    jobs: list[Job] = []
    indexes: dict[str, RecordingIndex] = {}
    for target in request.targets:
        camera = target.camera
        if target.timeline is not None and target.timeline.failure:
            raise SearchError(
                f"camera {camera.id}: {target.timeline.failure}; refused, because older "
                "footage could lose masks it had"
            )
        index = indexes[camera.id] = index_camera(camera)
        planned = list(index.plan(request.start, request.end))
        if not planned:
            raise SearchError(
                f"camera {camera.id} has no recorded frames from {format_time(request.start)} "
                f"to {format_time(request.end)}: "
                f"{index.problem or index.gap_message(request.start)}"
            )
        jobs += [
            Job(
                camera.id,
                segment,
                frames,
                camera.masks,
                target.timeline,
                lifted,
                request.region,
                request.sensitivity,
            )
            for segment, frames in planned
        ]
    return jobs, indexes


def prepare_workers() -> None:
    """Start multiprocessing's resource tracker now, while stderr is a real file.

    The pool starts it on first use and hands it `sys.stderr.fileno()`; inside a
    running Textual app that is Textual's capture, whose fileno is -1, and every
    search in more than one process failed with "bad value(s) in fds_to_keep". The
    console calls this before its app runs; the tracker then lives as long as it.
    """
    resource_tracker.ensure_running()


def _executor(jobs: int, workers: int | None) -> Executor:
    count = min(jobs, workers or os.cpu_count() or 1)
    if count <= 1:
        return _Inline()
    return ProcessPoolExecutor(count, mp_context=multiprocessing.get_context("spawn"))


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise SearchCancelled("search cancelled; nothing was kept")


def _result(future: Future[list[Sample]], job: Job) -> list[Sample]:
    try:
        return future.result()
    except Exception as error:  # a decoder or masking failure ends the search, named
        raise SearchError(
            f"camera {job.camera_id}: {job.segment.path.name} could not be searched: {error}"
        ) from None


class _Inline(Executor):
    """One job at a time in this process, for a search with a single segment."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        future: Future[object] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:
            future.set_exception(error)
        return future

"""Frame-level privacy checks for fault tests: every frame a feed hands out is inspected.

A fault test cannot know in advance which frame a fault will touch (the one before a
resolution change, a half-decoded corrupt part, the first frame after a reconnect), so
`PrivacyWatch` asks the feed for frames continuously, the way tiles and the full-size
view do, for as long as the fault lasts, and checks every single one. A test then
asserts both that nothing leaked and that the watch really saw frames and statuses, so
it cannot pass by having looked at nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import dropwhile

import numpy as np

from console.core.privacy.masking import MaskedFrame
from console.core.privacy.masks import Mask, RectGeometry, rasterize
from console.core.video.feed import CameraFeed, FeedState
from tests.support.frames import Pixels, gradient, secret_pattern

MASK_BGR = (95, 58, 30)
"""The solid mask's colour (#1e3a5f): red channel 30, far from anything in a scene."""

SECRET_MASK = Mask("secret", "permanent", "solid", RectGeometry(0.25, 0.25, 0.75, 0.75), MASK_BGR)
"""Covers exactly the scene's secret; its edges fall on 16-pixel JPEG block borders."""

PREVIEW_SIZES = ((64, 48), (100, 37), (400, 300))
"""A tile-sized shrink, a shrink out of proportion, and an enlargement."""


def scene(width: int, height: int) -> Pixels:
    """A gradient (red channel 128 everywhere) with the secret checkerboard in its middle.

    Both secret colours have red 255, so after JPEG and resizing a leaked secret still
    shows as red above 200, which neither the gradient nor the mask colour can produce.
    Width and height should be multiples of 64 so the secret's edges are JPEG block
    borders: ringing inside a block would otherwise smear the secret past the mask.
    """
    image = gradient(width, height)
    x0, x1, y0, y1 = width // 4, 3 * width // 4, height // 4, 3 * height // 4
    image[y0:y1, x0:x1] = secret_pattern(x1 - x0, y1 - y0)
    return image


def secret_pixels(pixels: Pixels) -> int:
    """How many pixels look like the secret (saturated red, as neither background nor mask)."""
    return int(np.count_nonzero(pixels[..., 2] > 200))


@dataclass
class Observed:
    """What the watch saw; checked by the test after the fault."""

    frames: int = 0
    """Masked frames received and checked."""
    captures: int = 0
    """Distinct source frames among them (by capture time): new video, not re-asks."""
    withheld: int = 0
    """Calls that returned None (no frame yet, stream lost, masking failed)."""
    violations: list[str] = field(default_factory=list)
    """Every privacy breach or broken promise, described; must stay empty."""
    states: list[FeedState] = field(default_factory=list)
    """Feed states in the order seen, consecutive repeats collapsed."""
    full_sizes: set[tuple[int, int]] = field(default_factory=set)
    """(width, height) of the full-resolution frames received."""
    longest_call: float = 0.0
    """Seconds the slowest preview() or full() call took: the UI thread's worst wait."""

    def since_connected(self) -> list[FeedState]:
        """The states after the initial "connecting", which a fast source may skip unseen."""
        return list(dropwhile(lambda state: state == "connecting", self.states))


class PrivacyWatch:
    """Polls `feed.preview` at several tile sizes and `feed.full` in a thread, checking all."""

    def __init__(
        self,
        feed: CameraFeed,
        solid_masks: Sequence[Mask],
        secret: Callable[[Pixels], int] | None = secret_pixels,
        previews: Sequence[tuple[int, int]] = PREVIEW_SIZES,
    ) -> None:
        self.feed = feed
        self.solid_masks = tuple(solid_masks)
        self.secret = secret
        self.previews = tuple(previews)
        self.seen = Observed()
        self._last_capture = -1.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="privacy watch", daemon=True)

    def __enter__(self) -> PrivacyWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> Observed:
        self._stop.set()
        self._thread.join()
        return self.seen

    def captures(self) -> int:
        with self._lock:
            return self.seen.captures

    def state(self) -> FeedState | None:
        with self._lock:
            return self.seen.states[-1] if self.seen.states else None

    def _run(self) -> None:
        while not self._stop.is_set():
            for size in self.previews:
                self._call(lambda w=size[0], h=size[1]: self.feed.preview(w, h), size)
            self._call(self.feed.full, None)
            self._note_state()
            time.sleep(0.003)

    def tap(self) -> Callable[[int, int], MaskedFrame | None]:
        """`feed.preview`, with every frame it returns checked like the watch's own.

        Put it in the feed's place (`monkeypatch.setattr(feed, "preview", watch.tap())`)
        and whatever else asks the feed, such as a tile's pump in the running console,
        has each frame it is given checked: the very frames that tile then draws.
        """
        preview = self.feed.preview

        def checked(width: int, height: int) -> MaskedFrame | None:
            return self._call(lambda: preview(width, height), (width, height))

        return checked

    def _call(
        self, fetch: Callable[[], MaskedFrame | None], size: tuple[int, int] | None
    ) -> MaskedFrame | None:
        """Fetch one frame and check it; a feed that raises hands out nothing."""
        started = time.monotonic()
        try:
            frame = fetch()
        except Exception as error:  # the fault must become a status, never an exception
            self._violation(f"the feed raised {type(error).__name__}: {error}")
            return None
        took = time.monotonic() - started
        problems = [] if frame is None else self._check(frame, size)
        with self._lock:
            self.seen.longest_call = max(self.seen.longest_call, took)
            if frame is None:
                self.seen.withheld += 1
            else:
                self.seen.frames += 1
                if frame.captured_at != self._last_capture:
                    self._last_capture = frame.captured_at
                    self.seen.captures += 1
                if size is None:
                    self.seen.full_sizes.add((frame.width, frame.height))
            self.seen.violations.extend(problems)
        return frame

    def _check(self, frame: MaskedFrame, size: tuple[int, int] | None) -> list[str]:
        shape = f"{frame.width}x{frame.height}"
        problems = []
        if size is not None and (frame.width, frame.height) != size:
            problems.append(f"preview asked for {size}, got {shape}")
        if frame.lifted or frame.camera_id != self.feed.camera.id:
            problems.append(f"{shape}: lifted={frame.lifted}, camera={frame.camera_id!r}")
        for mask in self.solid_masks:
            raster = rasterize(mask.geometry, frame.width, frame.height)
            wrong = np.count_nonzero(np.any(frame.pixels[raster] != mask.color, axis=-1))
            if wrong:
                problems.append(f"{shape}: {wrong} pixels under mask {mask.id} not its colour")
        if self.secret is not None and (leaked := self.secret(frame.pixels)):
            problems.append(f"{shape}: {leaked} pixels look like the secret")
        return problems

    def _note_state(self) -> None:
        state = self.feed.status.state
        with self._lock:
            if not self.seen.states or self.seen.states[-1] != state:
                self.seen.states.append(state)

    def _violation(self, text: str) -> None:
        with self._lock:
            self.seen.violations.append(text)

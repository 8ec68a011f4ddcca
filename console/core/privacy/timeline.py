"""Which masks apply to a frame recorded at a given time.

Recorded video is masked with the union of the masks in force when the frame was
recorded and those in force now, so removing or shrinking a mask never reveals footage
that was masked when it was recorded, and a new mask covers older footage too.

Why a plain union is "the stricter wins": every mask of both sets is applied. Where a
liftable mask of one set and a permanent mask of the other cover the same pixels, the
permanent one still applies during a lift. Where looks differ, the masking stage paints
solids last (a solid beats pixelate and blur) and applies every blur and pixelation, so
the result hides at least as much as the strongest look or level of either set.

Frames recorded before the first known set get the first set as well as today's: the
oldest record is the best knowledge of what was masked then.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.core.privacy.masks import Mask


class HistoryUnavailable(Exception):
    """The mask history could not be read; recorded video of the camera must not be shown."""


@dataclass(frozen=True, slots=True)
class MaskVersion:
    """One mask set a camera has had."""

    version: int
    effective_at: float
    """POSIX seconds from which the set was in force."""
    changed_by: str
    masks: tuple[Mask, ...]


@dataclass(frozen=True, slots=True)
class MaskTimeline:
    """A camera's mask sets, oldest first; `failure` set when the history is unreadable."""

    camera_id: str
    versions: tuple[MaskVersion, ...] = ()
    failure: str = ""

    def at(self, moment: float) -> MaskVersion | None:
        """The set in force at `moment` (the first set before it); None without history."""
        if self.failure:
            raise HistoryUnavailable(f"camera {self.camera_id}: {self.failure}")
        chosen = self.versions[0] if self.versions else None
        for version in self.versions:
            if version.effective_at <= moment:
                chosen = version
        return chosen

    def applied(self, start: float, end: float) -> tuple[MaskVersion, ...]:
        """The sets frames recorded in [start, end) get, besides the latest (now's) set."""
        used = {version for version in (self.at(start),) if version is not None}
        used.update(v for v in self.versions if start <= v.effective_at < end)
        if self.versions:
            used.add(self.versions[-1])
        return tuple(sorted(used, key=lambda version: version.version))


def union(then: tuple[Mask, ...], now: tuple[Mask, ...]) -> tuple[Mask, ...]:
    """Both sets applied together; a mask identical in both is applied once."""
    seen = set(now)
    return now + tuple(mask for mask in then if mask not in seen)

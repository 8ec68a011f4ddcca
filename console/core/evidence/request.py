"""What a caller asks an export for, what it hears while it runs, and what it gets back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.core.evidence.formats import ExportFormat
from console.core.evidence.policy import UnmaskedGrant
from console.core.privacy.masks import Geometry
from console.core.privacy.timeline import MaskTimeline
from console.core.site.model import Site
from console.core.timebase.progress import Progress


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """Everything an export needs; the export screen and `veil export` each build one."""

    site: Site
    camera_id: str
    start: float
    """POSIX seconds, inclusive."""
    end: float
    """POSIX seconds, exclusive."""
    out: Path
    """A .mp4 or .avi file, or for PNG a folder; none of it may exist yet."""
    format: ExportFormat
    operator: str
    reason: str = ""
    extra: tuple[Geometry, ...] = ()
    """Export-only masks, burned in as solid blocks on top of the camera's."""
    extra_color: tuple[int, int, int] = (0, 0, 0)
    """BGR fill of the extra masks."""
    unmasked: UnmaskedGrant | None = None
    timeline: MaskTimeline | None = None
    """The camera's mask history; None exports with today's masks only (tests, tools)."""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A finished export; `manifest_sha256` is what the audit record holds."""

    output: Path
    manifest_path: Path
    manifest: dict[str, object]
    manifest_sha256: str
    frames: int


ProgressCallback = Callable[[Progress], None]
"""Called after every frame."""

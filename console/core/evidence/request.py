"""What a caller asks an export for, what it hears while it runs, and what it gets back."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from console.core.evidence.formats import ExportFormat
from console.core.evidence.policy import UnmaskedGrant
from console.core.privacy.masks import Geometry
from console.core.site.model import Site


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


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """Reported after every frame."""

    done: int
    total: int
    eta: float | None
    """Seconds left at the rate so far; None before the first frame."""

    @property
    def percent(self) -> float:
        return 100.0 * self.done / self.total if self.total else 100.0


@dataclass(frozen=True, slots=True)
class ExportResult:
    """A finished export; `manifest_sha256` is what the audit record holds."""

    output: Path
    manifest_path: Path
    manifest: dict[str, object]
    manifest_sha256: str
    frames: int


ProgressCallback = Callable[[ExportProgress], None]

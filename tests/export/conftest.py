"""A small camera with recordings, masks and an audit log for export tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from console.core.audit.trail import AuditLog
from console.core.evidence.export import export_recording
from console.core.evidence.formats import ExportFormat
from console.core.evidence.keys import ExportKey, create_export_key
from console.core.evidence.request import ExportRequest, ExportResult
from console.core.privacy.masks import Geometry, Mask, RectGeometry
from console.core.site.model import Camera, Role, Site
from tests.support.recorded_video import write_segment

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC).timestamp()
DOOR = Mask("door", "permanent", "solid", RectGeometry(0.1, 0.1, 0.4, 0.5), color=(40, 200, 120))
WINDOW = Mask("window", "liftable", "blur", RectGeometry(0.5, 0.1, 0.9, 0.6))
EXTRA = RectGeometry(0.05, 0.6, 0.3, 0.8)
"""An export-only mask, above the frame-number strip."""
FRAMES = 60
"""Frames 0-29 at 10:00:00, 30-49 at 10:00:03, 50-59 at 10:01:00 (10 fps)."""


@dataclass
class Scene:
    """A site with one camera `cam`, its recordings folder, an output folder, an audit and
    the site's export key."""

    site: Site
    recordings: Path
    out: Path
    audit: AuditLog
    key: ExportKey

    def request(
        self,
        name: str,
        export_format: ExportFormat,
        extra: tuple[Geometry, ...] = (EXTRA,),
        start: float = T0,
        end: float = T0 + 120,
        **options: object,
    ) -> ExportRequest:
        return ExportRequest(
            self.site,
            "cam",
            start,
            end,
            self.out / name,
            export_format,
            "alice",
            extra=extra,
            **options,  # type: ignore[arg-type]
        )

    def export(self, request: ExportRequest, **options: Any) -> ExportResult:
        """`export_recording` with this scene's audit and key."""
        return export_recording(request, self.audit, self.key, **options)

    def leftovers(self) -> list[str]:
        """Everything in the output folder: after a failed export it must be empty."""
        return sorted(path.name for path in self.out.iterdir())


@pytest.fixture
def scene(tmp_path: Path) -> Scene:
    recordings = tmp_path / "recordings"
    write_segment(recordings, "2026-11-27T10-00-00Z", 30)
    write_segment(recordings, "2026-11-27T10-00-03Z", 20, first=30)
    write_segment(recordings, "2026-11-27T10-01-00Z", 10, first=50)
    camera = Camera("cam", "Front door", "pattern:bars", (DOOR, WINDOW), recordings=recordings)
    roles = {"operator": Role("operator", frozenset({"export"}))}
    site = Site(tmp_path / "site.toml", "Test site", (camera,), roles, sha256="ab" * 32)
    out = tmp_path / "out"
    out.mkdir()
    data = tmp_path / "data"
    key = create_export_key(data / "export-key.pem")
    return Scene(site, recordings, out, AuditLog(data / "audit.db"), key)

"""Export from the demo site's recordings, as an operator would in `make demo`."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.audit.trail import AuditLog
from console.core.evidence.export import export_recording
from console.core.evidence.keys import create_export_key
from console.core.evidence.request import ExportRequest
from console.core.privacy.masks import RectGeometry, rasterize
from console.core.site.config import load_site
from tests.conftest import DEMO_SITE

PROBES = {
    "lobby": (RectGeometry(0.84, 0.27, 0.92, 0.53), (0x5F, 0x3A, 0x1E)),
    "gate": (RectGeometry(0.75, 0.31, 0.89, 0.73), (0, 0, 0)),
}
"""console/demo/README.md: regions well inside solid masks over a secret, and the BGR colour."""


@pytest.mark.parametrize("camera_id", sorted(PROBES))
def test_demo_export_burns_the_solid_masks_into_every_still(tmp_path: Path, camera_id: str) -> None:
    start = datetime(2026, 11, 27, 10, 0, 3, tzinfo=UTC).timestamp()
    request = ExportRequest(
        load_site(DEMO_SITE), camera_id, start, start + 9, tmp_path / "stills", "png", "op"
    )
    key = create_export_key(tmp_path / "export-key.pem")
    result = export_recording(request, AuditLog(tmp_path / "audit.db"), key)

    assert result.frames == 40  # 10:00:03-05 and 10:00:10-12, across the gap
    probe, colour = PROBES[camera_id]
    inside = rasterize(probe, 640, 360)
    for still in sorted(result.output.glob("*.png")):
        pixels = np.asarray(cv2.imread(str(still)), np.uint8)
        assert (pixels[inside] == colour).all(), still.name
    assert [gap["why"] for gap in result.manifest["gaps"]] == ["no recording"]  # type: ignore[index]

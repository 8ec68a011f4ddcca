"""`veil masks report`: masked, outlined stills and an HTML summary that escapes the site."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from console.core.evidence.mask_report import OUTLINE
from console.core.privacy.masks import rasterize
from console.core.site.config import load_site
from tests.conftest import DEMO_SITE
from tests.core.test_site_watch import _site_copy
from tests.core.test_still import veil

LABEL_COLOURS = {tuple(colour) for colour in OUTLINE.values()}


def test_the_report_of_the_demo_site_is_masked_and_complete(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = veil("masks", "report", "--site", str(DEMO_SITE), "--out", str(out))
    assert result.returncode == 0, result.stderr

    site = load_site(DEMO_SITE)
    page = (out / "index.html").read_text()
    for number, camera in enumerate(site.cameras, start=1):
        image = cv2.imread(str(out / f"camera-{number}.png"))
        height, width = image.shape[:2]
        for mask in camera.masks:
            assert f"<td>{mask.id}</td>" in page
            if mask.style != "solid":
                continue
            inside = rasterize(mask.geometry, width, height)
            colours = {tuple(int(v) for v in pixel) for pixel in image[inside]}
            # Only the mask's own colour, or the outline and labels drawn over it.
            assert colours <= {mask.color} | LABEL_COLOURS, f"{camera.id}/{mask.id} leaks"
            assert mask.color in colours
    assert "Demo site" in page
    assert "site file " in page  # who changed the masks last: the hand-edited site file


def test_the_summary_escapes_a_hostile_camera_name(tmp_path: Path) -> None:
    path = _site_copy(tmp_path)
    hostile = '<script>alert("x")</script>'
    path.write_text(path.read_text().replace('"Lobby entrance"', f"'{hostile}'", 1))
    out = tmp_path / "report"

    result = veil("masks", "report", "--site", str(path), "--out", str(out), "--timeout", "5")

    assert result.returncode == 0, result.stderr
    page = (out / "index.html").read_text()
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert np.asarray(cv2.imread(str(out / "camera-1.png"))).size > 0

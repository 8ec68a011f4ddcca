"""`veil still`: a full-resolution still with every mask burned in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

from console.core.privacy.masks import rasterize
from console.core.site.config import load_site
from tests.conftest import DEMO_SITE


def veil(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args], capture_output=True, text=True, timeout=120
    )


def test_still_burns_in_every_solid_mask(tmp_path: Path) -> None:
    site = load_site(DEMO_SITE)
    for camera in site.cameras:
        solids = [m for m in camera.masks if m.style == "solid"]
        if not solids:
            continue
        out = tmp_path / f"{camera.id}.png"
        result = veil("still", "--site", str(DEMO_SITE), "--camera", camera.id, "--out", str(out))
        assert result.returncode == 0, result.stderr
        image = cv2.imread(str(out))
        assert image.shape == (360, 640, 3)
        for mask in solids:
            footprint = rasterize(mask.geometry, 640, 360)
            assert (image[footprint] == mask.color).all(), f"{camera.id}/{mask.id} leaks"
        unmasked = ~np.any([rasterize(m.geometry, 640, 360) for m in camera.masks], axis=0)
        assert len(np.unique(image[unmasked].reshape(-1, 3), axis=0)) > 50, "no picture"


def test_still_errors_are_clear(tmp_path: Path) -> None:
    unknown = veil("still", "--site", str(DEMO_SITE), "--camera", "roof", "--out", "x.png")
    assert unknown.returncode == 1
    assert "no camera 'roof'" in unknown.stderr
    wrong = veil("still", "--site", str(DEMO_SITE), "--camera", "lobby", "--out", "x.jpg")
    assert wrong.returncode == 2
    assert ".png" in wrong.stderr
    blocked = tmp_path / "file"
    blocked.write_text("")
    target = blocked / "x.png"
    result = veil("still", "--site", str(DEMO_SITE), "--camera", "lobby", "--out", str(target))
    assert result.returncode == 3
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr

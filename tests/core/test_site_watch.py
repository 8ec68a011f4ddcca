"""The site-file watcher: each change of contents reported once, problems as problems."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from console.core.site.config import load_site
from console.core.site.model import Site
from console.core.site.paths import DEMO_SITE
from console.core.site.problems import SiteError
from console.core.site.watch import SiteWatcher

NEW_MASK = """
[[cameras.masks]]
id = "added"
kind = "permanent"
style = "solid"
rect = [0.5, 0.5, 0.9, 0.9]
"""


def _site_copy(tmp_path: Path) -> Path:
    site = tmp_path / "site.toml"
    shutil.copy(DEMO_SITE, site)
    for folder in ("clips", "recordings"):
        (tmp_path / folder).symlink_to(DEMO_SITE.parent / folder)
    return site


def _bump(path: Path) -> None:
    """Move the mtime on, as a second write within the same clock tick might not."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_a_valid_change_is_reported_once_with_the_new_site(tmp_path: Path) -> None:
    path = _site_copy(tmp_path)
    seen: list[Site | SiteError] = []
    watcher = SiteWatcher(path, load_site(path).sha256, seen.append)

    watcher.poll()
    assert seen == []
    first_camera_end = path.read_text().index(
        "[[cameras]]", path.read_text().index("[[cameras]]") + 1
    )
    text = path.read_text()
    path.write_text(text[:first_camera_end] + NEW_MASK + text[first_camera_end:])
    _bump(path)
    watcher.poll()
    watcher.poll()

    assert len(seen) == 1
    site = seen[0]
    assert isinstance(site, Site)
    assert "added" in [mask.id for mask in site.cameras[0].masks]


def test_a_touch_without_a_change_is_not_reported(tmp_path: Path) -> None:
    path = _site_copy(tmp_path)
    seen: list[Site | SiteError] = []
    watcher = SiteWatcher(path, load_site(path).sha256, seen.append)

    _bump(path)
    watcher.poll()

    assert seen == []


def test_an_invalid_change_is_reported_as_its_problems(tmp_path: Path) -> None:
    path = _site_copy(tmp_path)
    seen: list[Site | SiteError] = []
    watcher = SiteWatcher(path, load_site(path).sha256, seen.append)

    path.write_text(path.read_text() + "\n[[cameras\n")
    _bump(path)
    watcher.poll()

    assert len(seen) == 1
    assert isinstance(seen[0], SiteError)
    assert str(path) in str(seen[0])

"""`veil still`: a full-resolution still with every mask burned in, for a user with `live`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog
from console.core.privacy.masks import rasterize
from console.core.site.config import load_site
from console.core.site.paths import resolve_paths
from tests.conftest import DEMO_SITE
from tests.lift.conftest import FAST

PASSWORD = "a long password"
NO_LIVE_SITE = """\
[site]
name = "No live"

[roles.auditor]
permissions = ["audit", "playback"]

[[cameras]]
id = "door"
name = "Door"
source = "pattern:bars"
"""


def veil(*args: str, stdin: str = PASSWORD + "\n") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def add_user(site_path: Path, name: str, role: str) -> None:
    paths = resolve_paths()
    site = load_site(site_path)
    audit = AuditLog(paths.audit_db)
    UserStore(paths.users_db, site.roles, audit, params=FAST).add("os:test", name, role, PASSWORD)


def events() -> list[tuple[str, str, str, dict[str, object]]]:
    records = AuditLog(resolve_paths().audit_db).records()
    return [
        (r.event, r.operator, r.outcome, json.loads(r.details))
        for r in records
        if r.event not in ("user_admin",)
    ]


def still(site: Path, camera: str, out: Path | str, *login: str) -> list[str]:
    return ["still", "--site", str(site), "--camera", camera, "--out", str(out), *login]


USER = ("--user", "olga", "--password-stdin")


@pytest.fixture
def operator() -> None:
    add_user(DEMO_SITE, "olga", "operator")


@pytest.mark.usefixtures("operator")
def test_still_burns_in_every_solid_mask_and_is_audited(tmp_path: Path) -> None:
    site = load_site(DEMO_SITE)
    taken = []
    for camera in site.cameras:
        solids = [m for m in camera.masks if m.style == "solid"]
        if not solids:
            continue
        out = tmp_path / f"{camera.id}.png"
        result = veil(*still(DEMO_SITE, camera.id, out, *USER))
        assert result.returncode == 0, result.stderr
        taken.append(camera.id)
        image = cv2.imread(str(out))
        assert image.shape == (360, 640, 3)
        for mask in solids:
            footprint = rasterize(mask.geometry, 640, 360)
            assert (image[footprint] == mask.color).all(), f"{camera.id}/{mask.id} leaks"
        unmasked = ~np.any([rasterize(m.geometry, 640, 360) for m in camera.masks], axis=0)
        assert len(np.unique(image[unmasked].reshape(-1, 3), axis=0)) > 50, "no picture"
    assert taken
    expected = []
    for camera_id in taken:
        out = str(tmp_path / f"{camera_id}.png")
        expected += [
            ("login_ok", "olga", "ok", {}),
            ("live_taken", "olga", "ok", {"camera": camera_id, "command": "still", "out": out}),
            ("logout", "olga", "ok", {"cause": "command finished"}),
        ]
    assert events() == expected


@pytest.mark.usefixtures("operator")
def test_still_needs_the_users_password(tmp_path: Path) -> None:
    out = tmp_path / "lobby.png"
    anonymous = veil(*still(DEMO_SITE, "lobby", out))
    assert anonymous.returncode == 2
    assert "--user" in anonymous.stderr
    wrong = veil(*still(DEMO_SITE, "lobby", out, *USER), stdin="not the password\n")
    assert wrong.returncode == 1
    assert "Wrong user name or password." in wrong.stderr
    assert "not the password" not in wrong.stderr
    assert not out.exists()
    assert [event[:3] for event in events()] == [("login_failed", "olga", "wrong credentials")]


def test_a_role_without_live_gets_no_still_and_the_refusal_is_audited(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(NO_LIVE_SITE)
    add_user(site, "olga", "auditor")
    out = tmp_path / "door.png"
    refused = veil(*still(site, "door", out, *USER))
    assert refused.returncode == 1
    assert "user olga (role auditor) may not watch live video" in refused.stderr
    assert not out.exists()
    assert events() == [
        ("login_ok", "olga", "ok", {}),
        ("live_taken", "olga", "denied",
         {"camera": "door", "command": "still", "why": "role auditor lacks live"}),
        ("logout", "olga", "ok", {"cause": "command finished"}),
    ]  # fmt: skip


@pytest.mark.usefixtures("operator")
def test_still_errors_are_clear(tmp_path: Path) -> None:
    unknown = veil(*still(DEMO_SITE, "roof", "x.png", *USER))
    assert unknown.returncode == 1
    assert "no camera 'roof'" in unknown.stderr
    wrong = veil(*still(DEMO_SITE, "lobby", "x.jpg", *USER))
    assert wrong.returncode == 2
    assert ".png" in wrong.stderr
    blocked = tmp_path / "file"
    blocked.write_text("")
    result = veil(*still(DEMO_SITE, "lobby", blocked / "x.png", *USER))
    assert result.returncode == 3
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr

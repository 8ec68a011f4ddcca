"""`veil` loads only the stack of the verb it runs (the rule in `console.verbs`).

Every start builds the parser of every verb; were a verb module to import its core stack
at top level, `veil render` (benchmarked on wall time, start-up included) would pay for
the audit database, the keyring, export and login on every run. Checked in a fresh
interpreter, since this test process has long imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

OTHER_VERBS_STACKS = (
    "console.core.audit.trail",
    "console.core.video.credentials",
    "console.core.storage.sqlite",
    "console.core.evidence.export",
    "console.core.search",
    "console.core.video.feed",
    "console.core.access.lift",
    "console.core.access.passwords",
    "console.core.video.playback_cursor",
    "console.core.video.recorded_frames",
    "console.core.video.recording_index",
    "console.core.video.segment_decoder",
    "console.core.video.segment_files",
    "console.core.services",
    "console.core.access.session",
    "console.core.video.sources",
    "console.core.access.users",
    "console.ui",
    "av",
    "cryptography",
    "keyring",
    "sqlite3",
    "textual",
)
"""What `veil render --input-dir` never uses: other verbs', live video's and the app's."""

VERBS = (
    "anchor",
    "audit",
    "credential",
    "deploy",
    "export",
    "keys",
    "render",
    "search",
    "site",
    "still",
    "user",
    "verify_export",
)

SITE = """\
[site]
name = "Imports"

[roles.operator]
permissions = ["live"]

[[cameras]]
id = "door"
name = "Door"
source = "pattern:bars"
"""


def loaded_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running `code`."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)), file=sys.stderr)"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
        timeout=60,
    )
    return set(json.loads(result.stderr.splitlines()[-1]))


def stacks_in(modules: set[str]) -> list[str]:
    return sorted(
        module
        for module in modules
        if any(module == stack or module.startswith(f"{stack}.") for stack in OTHER_VERBS_STACKS)
    )


def test_building_the_parser_loads_no_verb_stack() -> None:
    modules = loaded_after("from console.cli import build_parser\nbuild_parser()")
    assert {f"console.verbs.{verb}" for verb in VERBS} <= modules  # the probe saw every verb
    assert stacks_in(modules) == []
    drawing = {"numpy", "cv2", "console.core.render.factory"}
    assert not drawing & modules, "no verb draws at start-up"


def test_render_from_pictures_loads_only_its_own_stack(tmp_path: Path) -> None:
    site = tmp_path / "site.toml"
    site.write_text(SITE)
    frames = tmp_path / "frames"
    frames.mkdir()
    cv2.imwrite(str(frames / "a.png"), np.full((36, 64, 3), 128, np.uint8))
    argv = ["render", "--site", str(site), "--camera", "door", "--input-dir", str(frames)]
    modules = loaded_after(
        f"from console.cli import main\nassert main({argv!r}) == 0, 'veil render failed'"
    )
    assert {
        "console.core.privacy.masking",
        "console.core.render.halfblock",
    } <= modules  # it rendered
    assert stacks_in(modules) == []

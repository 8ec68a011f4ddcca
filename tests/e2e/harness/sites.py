"""Site files for end-to-end runs: no video file or camera needed, every key exercised.

`WALL_SITE` is what the terminal tests start the console on: two synthetic cameras that
always play and one whose file is missing, so a live tile and a dead tile are both on the
wall. `FULL_SITE` uses every key a site may hold and is the seed the fuzzer mutates.
"""

from __future__ import annotations

from pathlib import Path

WALL_SITE = """\
[site]
name = "E2E Wall"

[roles.operator]
permissions = ["live"]

[[cameras]]
id = "lobby"
name = "Lobby Bars"
source = "pattern:bars"

[[cameras.masks]]
id = "desk"
kind = "permanent"
rect = [0.1, 0.1, 0.4, 0.4]
color = "#ff00ff"

[[cameras]]
id = "yard"
name = "Yard Gradient"
source = "pattern:gradient"

[[cameras]]
id = "gone"
name = "Gone Camera"
source = "clips/missing.mp4"
"""
WALL_TILES = ("Lobby Bars", "Yard Gradient", "Gone Camera")
WALL_USER = ("watcher", "watcher-e2e-password", "operator")
"""Name, password and role of the user the wall tests log in as (see `add_users`)."""
MISSING_CLIP = "clips/missing.mp4"

FULL_SITE = """\
[site]
name = "Fuzz Seed"
lift_timeout = "10m"
require_lift_reason = true

[auth]
max_failures = 3
failure_window = "2m"
lockout = "90s"

[audit]
anchor = "/run/veil-anchor/anchor.sock"
anchor_key = "ed25519:lgdzxtXQ2YZDNUHQ5HZCfURlmh3DQ06xOZ8SvSEi8Io="

[roles.operator]
permissions = ["live", "playback", "export"]

[roles.supervisor]
permissions = ["live", "playback", "export", "lift_privacy_masks", "audit", "admin"]
lift_timeout = "2h"

[[cameras]]
id = "lobby"
name = "Lobby"
source = "pattern:bars"
tile_source = "pattern:checker"
fps = 10
recordings = "recordings/lobby"

[[cameras.masks]]
id = "keypad"
kind = "permanent"
style = "solid"
color = "#102030"
grid = "16x16"
cells = ["3,4", "3-5,6-7"]

[[cameras.masks]]
id = "window"
kind = "liftable"
style = "blur"
level = 3
rect = [0.1, 0.05, 0.4, 0.3]

[[cameras]]
id = "street"
name = "Street"
source = "rtsp://127.0.0.1:8554/street"
credential = "street-cam"

[[cameras.masks]]
id = "houses"
kind = "liftable"
style = "pixelate"
level = 7
polygon = [[0.1, 0.1], [0.4, 0.1], [0.3, 0.4]]

[[carousels]]
id = "tour"
name = "Tour"
cameras = ["lobby", "street"]
interval = "15s"
"""


def write_site(folder: Path, text: str = WALL_SITE, name: str = "site.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path

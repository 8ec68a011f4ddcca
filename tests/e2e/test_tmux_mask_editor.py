"""An administrator draws, changes and removes a grid, a rect and a polygon mask with the
keys in `veil masks edit` (one tmux session) while an operator's console runs on the
same site (another); after each save the operator's tile shows the masks in force
within 2 s, read from the colours of the tile's cells."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness.cli import add_users, audit_records
from .harness.colours import RGB, picture, solid_at
from .harness.env import VEIL
from .harness.operator import LOGIN_SCREEN, STEP, fill_in
from .harness.sites import write_site
from .harness.tmux import TmuxSession

pytestmark = pytest.mark.e2e

SITE = """\
# The editor's e2e site: this comment must survive every save.
[site]
name = "E2E Editor"

[roles.operator]
permissions = ["live"]

[roles.admin]
permissions = ["live", "admin"]

[[cameras]]
id = "lobby"
name = "Lobby Bars"
source = "pattern:bars"
"""
OPERATOR = ("watcher", "watcher-e2e-password", "operator")
ADMIN = ("boss", "boss-e2e-password-1", "admin")
PURPLE: RGB = (150, 60, 200)
"""The editor's fourth solid colour (`c` three times); the bars have no such colour."""
GREY: RGB = (128, 128, 128)
"""Its second (`c` once); the bars' greys are 192 and 16."""
IN_FORCE = 2.0
"""Seconds from a save until every running console has the new masks (issue 11)."""


@pytest.fixture
def editor_tmux() -> Iterator[TmuxSession]:
    """The administrator's session, beside the operator's (`tmux`)."""
    folder = Path(tempfile.mkdtemp(prefix="veil-tmux-"))
    session = TmuxSession(folder, "editor")
    try:
        yield session
    finally:
        session.kill()
        shutil.rmtree(folder, ignore_errors=True)


class Editing:
    """The administrator at `veil masks edit`, and the operator's tile to watch."""

    def __init__(self, editor: TmuxSession, wall: TmuxSession, site: Path) -> None:
        self.editor = editor
        self.wall = wall
        self.site = site
        self.saves = 0
        self.delays: list[float] = []

    def keys(self, *keys: str, shows: str | None = None) -> str:
        """Send keys (tmux names; "Right*12" repeats) and wait for the status line."""
        for key in keys:
            name, _, count = key.partition("*")
            self.editor.tmux("send-keys", "-t", self.editor.name, "-N", count or "1", name)
        return self.editor.wait_for(shows, STEP) if shows else self.editor.capture()

    def save(self, *expected: tuple[float, float, RGB, bool]) -> None:
        """Ctrl+S, then the operator's tile must show (x, y) in the colour (or not)
        within `IN_FORCE` seconds of the editor saying the file is written."""
        self.saves += 1
        self.keys("C-s")
        backup = f"site.toml.{self.saves}"
        self.editor.wait_until(lambda s: "Saved to" in s and backup in s, backup, STEP)
        saved = time.monotonic()

        def in_force(screen: str) -> bool:
            cells = picture(screen, self.wall.capture(escapes=True), "Lobby Bars")
            return all(solid_at(cells, x, y, rgb) == on for x, y, rgb, on in expected)

        self.wall.wait_until(in_force, f"the masks of save {self.saves}", timeout=STEP)
        self.delays.append(time.monotonic() - saved)


def cursor(screen: str) -> tuple[int, int]:
    """The point cell under the editor's cursor, from its status line."""
    found = re.search(r"point (\d\.\d+),(\d\.\d+)", screen)
    assert found, screen
    return (round(float(found[1]) * 63), round(float(found[2]) * 63))


def start(
    session: TmuxSession, argv: list[str], env: dict[str, str], user: tuple[str, ...]
) -> None:
    session.start(argv, env, width=120, height=40)
    session.wait_for(LOGIN_SCREEN, timeout=30)
    fill_in(session, (user[0], user[1]))


def test_masks_drawn_in_the_editor_are_in_force_on_a_running_console_within_2_s(
    tmux: TmuxSession, editor_tmux: TmuxSession, tmp_path: Path, veil_env: dict[str, str]
) -> None:
    site = write_site(tmp_path / "site", SITE)
    add_users(veil_env, site, [OPERATOR, ADMIN])
    start(tmux, [str(VEIL), "--site", str(site)], veil_env, OPERATOR)

    def bars(screen: str) -> bool:
        return bool(picture(screen, tmux.capture(escapes=True), "Lobby Bars"))

    tmux.wait_until(bars, "the lobby's picture", timeout=STEP)
    start(editor_tmux, [str(VEIL), "masks", "edit", "--camera", "lobby", "--site", str(site)],
          veil_env, ADMIN)  # fmt: skip
    editing = Editing(editor_tmux, tmux, site)
    editing.keys(shows="cell 0,0 of 16x16 · pen 1 · mask grid-1")

    # A grid mask: purple, pen 3 around cell (1, 1); then cells around (13, 13) too; removed.
    editing.keys("c*3", "+*2", "Right", "Down", shows="cell 1,1 of 16x16 · pen 3")
    editing.keys("Space", shows="coverage 3.5%")
    editing.save((0.09, 0.09, PURPLE, True), (0.84, 0.84, PURPLE, False))
    editing.keys("Right*12", "Down*12", "Space", shows="coverage 7.0%")
    editing.save((0.09, 0.09, PURPLE, True), (0.84, 0.84, PURPLE, True))
    editing.keys("x", shows="Removed mask grid-1")
    editing.save((0.09, 0.09, PURPLE, False), (0.84, 0.84, PURPLE, False))

    # A rect: grey over the middle; its top-left corner moved right; removed.
    editing.keys("Left*9", "Up*9", shows="cell 4,4 of 16x16")
    screen = editing.keys("r", "c", shows="mask rect-1 (permanent, solid, colour #808080)")
    assert cursor(screen) == (16, 16) and "point 1 of 4" in screen
    editing.save((0.5, 0.5, GREY, True), (0.35, 0.5, GREY, True), (0.9, 0.5, GREY, False))
    editing.keys("Space", "Right*16", "Space", shows="point 1 of 4")
    editing.save((0.65, 0.5, GREY, True), (0.35, 0.5, GREY, False))
    editing.keys("x", shows="Removed mask rect-1")
    editing.save((0.65, 0.5, GREY, False))

    # A polygon: a purple triangle of three points; its apex moved up; removed.
    screen = editing.keys("p", "c*3", shows="mask polygon-1 (permanent, solid, colour #963cc8)")
    assert cursor(screen) == (32, 16)
    editing.keys("Space", "Space", "Left*20", "Down*30", "Space", "Space", shows="point 2 of 2")
    editing.keys("Right*40", "Space", "Space", shows="point 2 of 3")  # between the two
    editing.save((0.51, 0.57, PURPLE, True), (0.51, 0.22, PURPLE, False))
    editing.keys("Left*20", "Up*30", shows="point 1 of 3")
    screen = editing.keys(
        "Space", "Up*12", "Space", shows="point 0.508,0.064 · point 1 of 3 · mask"
    )
    assert cursor(screen) == (32, 4)
    editing.save((0.51, 0.57, PURPLE, True), (0.51, 0.22, PURPLE, True))
    editing.keys("x", shows="Removed mask polygon-1")
    editing.save((0.51, 0.57, PURPLE, False), (0.51, 0.22, PURPLE, False))

    assert max(editing.delays) < IN_FORCE, editing.delays
    assert site.read_text().startswith("# The editor's e2e site: this comment must survive")
    records = audit_records(veil_env, Path(veil_env["VEIL_DATA_DIR"]))
    saves = [r for r in records if r["event"] == "masks_saved"]
    assert len(saves) == editing.saves and {r["operator"] for r in saves} == {"boss"}
    changes = [r for r in records if r["event"] == "site_changed"]
    assert len(changes) >= editing.saves, "each save is audited as a site change"
    editor_tmux.send_keys("Escape")
    tmux.send_keys("C-q")
    assert tmux.wait_exit(timeout=10) == 0

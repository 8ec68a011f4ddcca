"""Saving masks from the editor: comments kept, invalid sites and stale files refused,
backups numbered, the mode kept; and the grid draft's painting, undo and coverage."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest

from console.core.privacy.mask_draft import MaskDraft, coverage
from console.core.privacy.masks import GridGeometry, Mask
from console.core.site.config import load_site
from console.core.site.edit import (
    ChangedOnDisk,
    InvalidSite,
    cell_ranges,
    open_site,
    save_masks,
)

SITE = """\
# The test site: this comment must survive a save.
[site]
name = "Edit test"

[roles.admin]
permissions = ["live", "admin"]

[[cameras]]
id = "lobby"
name = "Lobby"   # trailing comment on the camera
source = "clips/lobby.mp4"

[[cameras.masks]]
# the keypad, never lifted
id = "keypad"
kind = "permanent"
grid = "16x16"
cells = ["3,4"]

[[cameras.masks]]
id = "window"
kind = "liftable"
rect = [0.1, 0.05, 0.4, 0.3]

[[cameras]]
id = "street"
name = "Street"
source = "clips/street.mp4"
"""


@pytest.fixture
def site_file(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(SITE)
    path.chmod(0o640)
    return path


def _grid(mask_id: str, cells: set[tuple[int, int]], kind: str = "permanent") -> Mask:
    return Mask(mask_id, kind, "solid", GridGeometry(16, frozenset(cells)))  # type: ignore[arg-type]


def test_a_save_keeps_comments_and_untouched_masks_and_loads_back(site_file: Path) -> None:
    opened = open_site(site_file)
    masks = opened.site.camera("lobby").masks
    keypad = _grid("keypad", {(3, 4), (4, 4), (5, 4), (9, 9)})
    saved = save_masks(opened, "lobby", (keypad, masks[1]))
    text = site_file.read_text()
    assert "# The test site: this comment must survive a save." in text
    assert "# trailing comment on the camera" in text
    assert "# the keypad, never lifted" in text
    assert "rect = [0.1, 0.05, 0.4, 0.3]" in text
    assert load_site(site_file).camera("lobby").masks == (keypad, masks[1])
    assert saved.diff.changed == ("keypad",) and not saved.diff.added and not saved.diff.removed


def test_adding_and_removing_masks_is_in_the_diff(site_file: Path) -> None:
    opened = open_site(site_file)
    new = _grid("door", {(0, 0)}, "liftable")
    saved = save_masks(opened, "street", (new,))
    assert saved.diff.added == ("door",)
    assert load_site(site_file).camera("street").masks == (new,)
    saved = save_masks(saved.opened, "lobby", ())
    assert saved.diff.removed == ("keypad", "window")
    assert load_site(site_file).camera("lobby").masks == ()


def test_an_invalid_site_is_never_written_and_the_problem_names_the_key(
    site_file: Path,
) -> None:
    opened = open_site(site_file)
    twice = _grid("keypad", {(1, 1)})
    with pytest.raises(InvalidSite) as refused:
        save_masks(opened, "lobby", (twice, twice))
    assert site_file.read_text() == SITE
    assert not list(site_file.parent.glob("site.toml.*"))
    problem = refused.value.problems[0]
    assert problem.file == site_file
    assert problem.path == "cameras[0].masks[1].id"
    assert problem.line is not None and "duplicate mask id" in problem.expected


def test_a_file_changed_on_disk_is_not_overwritten(site_file: Path) -> None:
    opened = open_site(site_file)
    site_file.write_text(SITE.replace("Edit test", "Someone else's edit"))
    with pytest.raises(ChangedOnDisk):
        save_masks(opened, "lobby", ())
    assert "Someone else's edit" in site_file.read_text()


def test_backups_are_numbered_and_the_mode_is_kept(site_file: Path) -> None:
    opened = open_site(site_file)
    first = save_masks(opened, "lobby", ())
    second = save_masks(first.opened, "street", (_grid("door", {(2, 2)}),))
    assert first.backup.name == "site.toml.1" and second.backup.name == "site.toml.2"
    assert first.backup.read_text() == SITE
    assert second.backup.read_bytes() == first.opened.raw
    assert os.stat(site_file).st_mode & 0o777 == 0o640
    assert not [p for p in site_file.parent.iterdir() if p.name.startswith(".site.toml")]


def test_cells_are_written_as_runs_per_row() -> None:
    cells = frozenset({(0, 0), (1, 0), (2, 0), (5, 0), (7, 3)})
    assert cell_ranges(cells) == ["0-2,0", "5,0", "7,3"]


def test_pen_paints_a_square_and_erase_and_undo_redo_walk_back_and_forth() -> None:
    draft = MaskDraft([])
    assert draft.current.id == "grid-1" and draft.masks == ()
    draft.paint((5, 5), pen=3)
    assert draft.grid.cells == {(c, r) for c in range(4, 7) for r in range(4, 7)}
    draft.paint((5, 5), pen=1, on=False)
    assert len(draft.grid.cells) == 8
    assert draft.undo() and len(draft.grid.cells) == 9
    assert draft.undo() and draft.grid.cells == frozenset()
    assert not draft.undo()
    assert draft.redo() and len(draft.grid.cells) == 9
    draft.toggle_kind()
    assert draft.current.kind == "liftable"
    assert draft.redo() is False  # a new edit drops the redo stack


def test_a_paint_that_changes_nothing_is_not_an_undo_step() -> None:
    draft = MaskDraft([])
    draft.paint((0, 0), on=False)
    assert not draft.undo()


def test_rectangle_fill_is_clipped_to_the_grid_and_coverage_is_exact() -> None:
    draft = MaskDraft([], grid=8)
    draft.fill((6, 6), (20, 20))
    assert draft.grid.cells == {(6, 6), (6, 7), (7, 6), (7, 7)}
    assert coverage(draft.masks) == pytest.approx(100 * 4 / 64)


def test_changing_the_grid_keeps_the_area_covered() -> None:
    draft = MaskDraft([_grid("keypad", {(3, 4)})])
    before = coverage(draft.masks)
    draft.set_grid(64)
    assert len(draft.grid.cells) == 16 and coverage(draft.masks) == pytest.approx(before)
    draft.set_grid(8)
    assert draft.grid.cells == {(1, 2)}
    assert coverage(draft.masks) >= before


def test_erasing_every_cell_removes_the_mask_on_save() -> None:
    keypad = _grid("keypad", {(3, 4)})
    draft = MaskDraft([keypad, replace(keypad, id="other")])
    draft.paint((3, 4), on=False)
    assert [mask.id for mask in draft.masks] == ["other"]


def test_new_masks_get_free_ids_and_next_mask_cycles_the_grid_masks() -> None:
    draft = MaskDraft([_grid("keypad", {(3, 4)})])
    draft.add_mask()
    assert draft.current.id == "grid-1" and draft.grid.cells == frozenset()
    draft.paint((0, 0))
    draft.next_style()
    assert draft.current.style == "blur"
    draft.next_mask()
    assert draft.current.id == "keypad"
    draft.next_mask()
    assert draft.current.id == "grid-1"
    assert [mask.id for mask in draft.masks] == ["keypad", "grid-1"]
    draft.undo()
    draft.undo()
    draft.undo()
    assert [mask.id for mask in draft.all_masks] == ["keypad"]

"""Writing a camera's masks back into site.toml, for the mask editor.

The file is the administrator's: comments, ordering and formatting are kept (tomlkit),
and only the mask tables that changed are touched. A save is refused rather than risked:

- the new text is validated by `parse_site`, the loader `veil check-site` uses, and an
  invalid site is never written (the problems name file, line and key path);
- if the file changed on disk since the editor opened it (another administrator, a hand
  edit), the save is refused so that neither edit is lost silently; the editor offers a
  reload. The check and the rename are not one atomic step: two saves within the same
  millisecond could still race, which a human-driven editor does not produce;
- the previous file is kept as a numbered backup (site.toml.1, .2, ...), and the new one
  replaces it atomically (a temporary file in the same folder, then a rename) with the
  old file's mode, so a killed process leaves either the old or the new file whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import AoT, Table

from console.core.privacy.masks import GridGeometry, Mask, PolygonGeometry, RectGeometry
from console.core.site.config import parse_site
from console.core.site.kinds import Colour
from console.core.site.model import Site
from console.core.site.problems import Problem, SiteError

_GEOMETRY_KEYS = ("grid", "cells", "rect", "polygon")
_DEFAULT_LEVEL = 5
_DEFAULT_COLOUR = (0, 0, 0)


class SaveRefused(Exception):
    """The save did not happen; the file on disk is as it was."""


class ChangedOnDisk(SaveRefused):
    """The file is no longer the one the editor opened; reload before saving."""


class InvalidSite(SaveRefused):
    """The edited site would not load; `problems` are what `check-site` would say."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class MaskDiff:
    """Which mask ids a save added, removed and changed; the audit records it."""

    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    def details(self) -> dict[str, object]:
        return {
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": list(self.changed),
        }


@dataclass(frozen=True, slots=True)
class OpenedSite:
    """A site file as the editor opened it: the bytes decide whether a save may go ahead."""

    path: Path
    raw: bytes
    site: Site
    sha256: str


@dataclass(frozen=True, slots=True)
class Saved:
    """A save that happened: the file as now on disk, its backup, and the diff."""

    opened: OpenedSite
    backup: Path
    diff: MaskDiff


def open_site(path: Path) -> OpenedSite:
    """Read and validate the site file; raises SiteError (from the loader) if invalid."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise SiteError([Problem(path, "", None, f"cannot read the site file: {reason}")]) from None
    return OpenedSite(path, raw, parse_site(path, raw), hashlib.sha256(raw).hexdigest())


def diff_masks(before: Sequence[Mask], after: Sequence[Mask]) -> MaskDiff:
    old = {mask.id: mask for mask in before}
    new = {mask.id: mask for mask in after}
    return MaskDiff(
        added=tuple(i for i in new if i not in old),
        removed=tuple(i for i in old if i not in new),
        changed=tuple(i for i in new if i in old and old[i] != new[i]),
    )


def masks_text(opened: OpenedSite, camera_id: str, masks: Sequence[Mask]) -> str:
    """The site file's text with `camera_id`'s masks replaced by `masks`.

    Mask tables whose mask is unchanged are left byte for byte; a changed one keeps its
    place and comments and has only its keys rewritten; new masks are appended.
    """
    document = tomlkit.parse(opened.raw.decode("utf-8"))
    index = next(i for i, camera in enumerate(opened.site.cameras) if camera.id == camera_id)
    before = {mask.id: mask for mask in opened.site.cameras[index].masks}
    camera: Table = document["cameras"][index]
    tables: AoT | None = camera.get("masks")
    wanted = {mask.id: mask for mask in masks}
    if tables is None:
        tables = AoT([])
        camera["masks"] = tables
    for position in reversed(range(len(tables))):
        table = tables[position]
        mask_id = str(table.get("id"))
        if mask_id not in wanted:
            del tables[position]
        elif wanted[mask_id] != before.get(mask_id):
            _write_mask(table, wanted[mask_id])
    present = {str(table.get("id")) for table in tables}
    for mask in masks:  # a repeated id is written again, so validation refuses it
        if mask.id in present:
            present.discard(mask.id)
        else:
            table = tomlkit.table()
            _write_mask(table, mask)
            tables.append(table)
    if not len(tables):
        del camera["masks"]
    return tomlkit.dumps(document)


def save_masks(
    opened: OpenedSite,
    camera_id: str,
    masks: Sequence[Mask],
    before_write: Callable[[Site], None] | None = None,
) -> Saved:
    """Validate, back up and write; raises `SaveRefused` having written nothing.

    `before_write` gets the validated new site once the save is sure to go ahead and
    before the file is written: the editor records the mask history entry with the
    administrator's name there, so no console's reload can see the new masks first and
    attribute them to the file.
    """
    text = masks_text(opened, camera_id, masks)
    raw = text.encode("utf-8")
    try:
        site = parse_site(opened.path, raw)
    except SiteError as error:
        raise InvalidSite(error.problems) from None
    try:
        current = opened.path.read_bytes()
    except OSError as error:
        raise SaveRefused(f"{opened.path}: cannot read the site file: {error.strerror}") from None
    if current != opened.raw:
        raise ChangedOnDisk(
            f"{opened.path} changed on disk since the editor opened it; reload it and edit again"
        )
    if before_write is not None:
        before_write(site)
    mode = os.stat(opened.path).st_mode & 0o7777
    backup = _next_backup(opened.path)
    _write_atomically(backup, opened.raw, mode)
    _write_atomically(opened.path, raw, mode)
    diff = diff_masks(opened.site.camera(camera_id).masks, site.camera(camera_id).masks)
    return Saved(OpenedSite(opened.path, raw, site, hashlib.sha256(raw).hexdigest()), backup, diff)


def _write_mask(table: Any, mask: Mask) -> None:
    """Set the keys of `mask` on its table, dropping the ones it no longer has."""
    for key in (*_GEOMETRY_KEYS, "color", "level"):
        if key in table:
            del table[key]
    table["id"] = mask.id
    table["kind"] = mask.kind
    table["style"] = mask.style
    if mask.style == "solid" and mask.color != _DEFAULT_COLOUR:
        table["color"] = Colour().show(mask.color).strip('"')
    if mask.style != "solid" and mask.level != _DEFAULT_LEVEL:
        table["level"] = mask.level
    geometry = mask.geometry
    if isinstance(geometry, GridGeometry):
        table["grid"] = f"{geometry.size}x{geometry.size}"
        table["cells"] = cell_ranges(geometry.cells)
    elif isinstance(geometry, RectGeometry):
        table["rect"] = [geometry.x0, geometry.y0, geometry.x1, geometry.y1]
    elif isinstance(geometry, PolygonGeometry):
        table["polygon"] = [list(point) for point in geometry.points]


def cell_ranges(cells: frozenset[tuple[int, int]]) -> list[str]:
    """Cells as "c0-c1,r" runs, row by row: a 64x64 grid stays readable in the file."""
    runs: list[str] = []
    for row in sorted({r for _, r in cells}):
        columns = sorted(c for c, r in cells if r == row)
        start = previous = columns[0]
        for column in [*columns[1:], None]:
            if column is not None and column == previous + 1:
                previous = column
                continue
            runs.append(f"{start},{row}" if start == previous else f"{start}-{previous},{row}")
            if column is not None:
                start = previous = column
    return runs


_BACKUP = re.compile(r"\.(\d+)$")


def _next_backup(path: Path) -> Path:
    numbers = [
        int(match.group(1))
        for sibling in path.parent.iterdir()
        if sibling.name.startswith(f"{path.name}.")
        and (match := _BACKUP.search(sibling.name))
        and sibling.name == f"{path.name}.{match.group(1)}"
    ]
    return path.with_name(f"{path.name}.{max(numbers, default=0) + 1}")


def _write_atomically(path: Path, raw: bytes, mode: int) -> None:
    """A temporary file beside `path`, flushed to disk, then renamed over it."""
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(raw)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise

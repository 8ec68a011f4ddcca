"""Every mask set each camera has had, in the site database, so old footage keeps its masks.

A new row is written only when a camera's masks differ from its latest recorded set, so
loading the same site file again adds nothing. Hand edits of the site file are recorded
at load and reload as changed by "site file <sha256>"; the mask editor records its user.
The file is created 0600: the history tells what each camera hides.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from console.core.privacy.masks import (
    Geometry,
    GridGeometry,
    Mask,
    PolygonGeometry,
    RectGeometry,
)
from console.core.privacy.timeline import MaskTimeline, MaskVersion
from console.core.storage.database import Connection, Database, StorageUnavailable
from console.core.storage.sqlite import SqliteDatabase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mask_history (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    camera_id TEXT NOT NULL,
    effective_at REAL NOT NULL,
    changed_by TEXT NOT NULL,
    masks TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS mask_history_camera ON mask_history (camera_id, effective_at);
"""


class MaskHistoryError(Exception):
    """The mask history cannot be read or written."""


def site_file_author(sha256: str) -> str:
    """Who a hand edit of the site file is recorded as."""
    return f"site file {sha256}"


class MaskHistory:
    """The `mask_history` table of the site database."""

    def __init__(self, path: Path | Database) -> None:
        self.database: Database = (
            SqliteDatabase(path, _SCHEMA, "mask history") if isinstance(path, Path) else path
        )

    def record_masks(
        self, camera_id: str, masks: Sequence[Mask], changed_by: str, effective_at: float
    ) -> int | None:
        """Record `masks` as in force from `effective_at`; the new version, None if unchanged."""
        encoded = encode_masks(tuple(masks))
        with self._transaction() as connection:
            row = connection.execute(
                "SELECT masks FROM mask_history WHERE camera_id = ? "
                "ORDER BY effective_at DESC, version DESC LIMIT 1",
                (camera_id,),
            ).fetchone()
            if row is not None and row[0] == encoded:
                return None
            inserted = connection.execute(
                "INSERT INTO mask_history (camera_id, effective_at, changed_by, masks) "
                "VALUES (?, ?, ?, ?) RETURNING version",
                (camera_id, effective_at, changed_by, encoded),
            ).fetchone()
            return int(inserted[0])

    def timeline(self, camera_id: str) -> MaskTimeline:
        """The camera's sets, oldest first; a timeline that fails closed when unreadable."""
        try:
            with self._connection() as connection:
                rows = connection.execute(
                    "SELECT version, effective_at, changed_by, masks FROM mask_history "
                    "WHERE camera_id = ? ORDER BY effective_at, version",
                    (camera_id,),
                ).fetchall()
            versions = tuple(
                MaskVersion(int(v), float(at), str(by), decode_masks(str(masks)))
                for v, at, by, masks in rows
            )
        except (MaskHistoryError, ValueError, KeyError, TypeError) as error:
            return MaskTimeline(camera_id, failure=f"mask history unreadable: {error}")
        return MaskTimeline(camera_id, versions)

    @contextmanager
    def _connection(self) -> Iterator[Connection]:
        try:
            with self.database.read() as connection:
                yield connection
        except StorageUnavailable as error:
            raise MaskHistoryError(str(error)) from None

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        try:
            with self.database.write("mask_history") as connection:
                yield connection
        except StorageUnavailable as error:
            raise MaskHistoryError(str(error)) from None


def encode_masks(masks: tuple[Mask, ...]) -> str:
    """Canonical JSON of a mask set, so equal sets compare equal as text."""
    return json.dumps([_mask_json(mask) for mask in masks], sort_keys=True)


def decode_masks(text: str) -> tuple[Mask, ...]:
    return tuple(_mask_from(item) for item in json.loads(text))


def _mask_json(mask: Mask) -> dict[str, Any]:
    geometry = mask.geometry
    shape: dict[str, Any]
    if isinstance(geometry, GridGeometry):
        shape = {"grid": geometry.size, "cells": sorted(map(list, geometry.cells))}
    elif isinstance(geometry, RectGeometry):
        shape = {"rect": [geometry.x0, geometry.y0, geometry.x1, geometry.y1]}
    else:
        shape = {"polygon": [list(point) for point in geometry.points]}
    return {
        "id": mask.id,
        "kind": mask.kind,
        "style": mask.style,
        "color": list(mask.color),
        "level": mask.level,
        "geometry": shape,
    }


def _mask_from(item: dict[str, Any]) -> Mask:
    shape = item["geometry"]
    geometry: Geometry
    if "grid" in shape:
        cells = frozenset((int(c), int(r)) for c, r in shape["cells"])
        geometry = GridGeometry(int(shape["grid"]), cells)
    elif "rect" in shape:
        x0, y0, x1, y1 = (float(v) for v in shape["rect"])
        geometry = RectGeometry(x0, y0, x1, y1)
    else:
        geometry = PolygonGeometry(tuple((float(x), float(y)) for x, y in shape["polygon"]))
    kind, style = item["kind"], item["style"]
    if kind not in ("permanent", "liftable") or style not in ("solid", "blur", "pixelate"):
        raise ValueError(f"unknown mask kind or style {kind!r}/{style!r}")
    b, g, r = (int(v) for v in item["color"])
    return Mask(str(item["id"]), kind, style, geometry, (b, g, r), int(item["level"]))

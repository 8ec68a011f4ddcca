"""The manifest beside each export: what was exported, from where, with which masks, by whom.

`files` lists every file of the output (name relative to the manifest's folder, SHA-256,
size), so the manifest alone pins the export; `signature` makes the manifest itself
tamper-evident.

It reads like the site file (geometry spelt as in site.toml, colours as `#rrggbb`), so a
reviewer can check the masks against the site without Veil.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from console import __version__
from console.core.evidence.encoding import Output
from console.core.evidence.request import ExportRequest
from console.core.evidence.stills import SUMS_NAME
from console.core.evidence.writers import Digest
from console.core.privacy.masks import Geometry, GridGeometry, Mask, RectGeometry
from console.core.timebase.moments import format_time
from console.core.timebase.utc import WallClock, format_utc
from console.core.video.recording_index import Gap, RecordingIndex, Span

MANIFEST_SUFFIX = ".manifest.json"
"""Appended to the output's name: `case-12.mp4` gets `case-12.mp4.manifest.json`."""
MANIFEST_SCHEMA = "veil-export-manifest/2"
"""/2: signed (`signed_by`, `signature`), every file hashed (`files`), H.264 MP4s on the
recording's clock (`first_frame`, `last_frame`), codecs named as ffprobe names them."""


@dataclass(frozen=True, slots=True)
class Written:
    """What the writer produced, for the manifest and the audit record."""

    frames: int
    lifted: int
    """Frames written while a lift kept liftable masks off."""
    digest: Digest

    @property
    def sha256(self) -> str:
        return self.digest.sha256


def manifest_path_for(out: Path) -> Path:
    return out.with_name(out.name + MANIFEST_SUFFIX)


def build_manifest(
    request: ExportRequest,
    index: RecordingIndex,
    extras: tuple[Mask, ...],
    output: Output,
    written: Written,
    now: WallClock,
) -> dict[str, object]:
    site = request.site
    camera = site.camera(request.camera_id)
    timeline = index.timeline(request.start, request.end)
    plan = list(index.plan(request.start, request.end))
    first, last = plan[0], plan[-1]
    return {
        "schema": MANIFEST_SCHEMA,
        "veil_version": __version__,
        "created": format_utc(now()),
        "site": {"name": site.name, "file": str(site.path), "sha256": site.sha256},
        "camera": {"id": camera.id, "name": camera.name},
        "range": {"from": format_time(request.start), "to": format_time(request.end)},
        "recorded": [
            {"from": format_time(piece.start), "to": format_time(piece.end)}
            for piece in timeline
            if isinstance(piece, Span)
        ],
        "gaps": [
            {"from": format_time(piece.start), "to": format_time(piece.end), "why": piece.message}
            for piece in timeline
            if isinstance(piece, Gap)
        ],
        "first_frame": format_time(first[0].frame_time(first[1][0])),
        "last_frame": format_time(last[0].frame_time(last[1][-1])),
        "frames": written.frames,
        "fps": output.fps,
        "size": list(output.size),
        "output": {
            "name": request.out.name,
            "format": output.format,
            "codec": output.codec,
            "sha256": written.sha256,
            "sha256_of": SUMS_NAME if output.format == "png" else request.out.name,
        },
        "files": [
            {"name": file.name, "sha256": file.sha256, "bytes": file.size}
            for file in written.digest.files
        ],
        "masks": [_mask_entry(mask) for mask in camera.masks],
        "extra_masks": [_mask_entry(mask) for mask in extras],
        "lifted_frames": written.lifted,
        "operator": request.operator,
        "authorizer": request.unmasked.authorizer if request.unmasked else None,
        "reason": request.reason,
    }


def _mask_entry(mask: Mask) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": mask.id,
        "kind": mask.kind,
        "style": mask.style,
        "geometry": geometry_json(mask.geometry),
    }
    if mask.style == "solid":
        blue, green, red = mask.color
        entry["color"] = f"#{red:02x}{green:02x}{blue:02x}"
    else:
        entry["level"] = mask.level
    return entry


def geometry_json(geometry: Geometry) -> dict[str, object]:
    """The geometry spelt as in site.toml, so a manifest reads like the site file."""
    if isinstance(geometry, GridGeometry):
        cells = [f"{col},{row}" for col, row in sorted(geometry.cells, key=lambda c: (c[1], c[0]))]
        return {"grid": f"{geometry.size}x{geometry.size}", "cells": cells}
    if isinstance(geometry, RectGeometry):
        return {"rect": [geometry.x0, geometry.y0, geometry.x1, geometry.y1]}
    return {"polygon": [list(point) for point in geometry.points]}

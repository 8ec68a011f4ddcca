"""The mask report a data-protection officer reads: each camera's masked still with its
masks outlined and labelled, and an HTML table of every mask and its history.

The still is a `MaskedFrame`: the report shows nothing the console would not. Outlines and
labels are drawn on a copy in two fixed colours (permanent purple, liftable green, as in
the commercial client) without anti-aliasing, so they add only those colours. Every
string from the site file or the history is escaped with `html.escape`.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass

import cv2
import numpy as np

from console.core.evidence.manifest import geometry_json
from console.core.privacy.masking import MaskedFrame, Pixels
from console.core.privacy.masks import Mask, rasterize
from console.core.privacy.timeline import MaskTimeline, MaskVersion
from console.core.timebase.moments import format_time

OUTLINE = {"permanent": (255, 0, 160), "liftable": (0, 200, 0)}
"""BGR outline and label colour per kind."""


@dataclass(frozen=True, slots=True)
class CameraReport:
    """One camera's part of the report."""

    camera_id: str
    name: str
    masks: tuple[Mask, ...]
    timeline: MaskTimeline
    still: str
    """The PNG's file name, or "" when the camera gave no picture."""
    problem: str = ""
    size: tuple[int, int] = (0, 0)


def annotate(frame: MaskedFrame, masks: tuple[Mask, ...]) -> Pixels:
    """A copy of the masked still with each mask's outline and id drawn over it."""
    image = np.ascontiguousarray(frame.pixels.copy())
    for mask in masks:
        raster = rasterize(mask.geometry, frame.width, frame.height).astype(np.uint8)
        colour = OUTLINE[mask.kind]
        contours, _ = cv2.findContours(raster, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.polylines(image, contours, True, colour, 1, cv2.LINE_8)
        x, y, _, h = cv2.boundingRect(raster)
        baseline = y - 4 if y >= 14 else min(frame.height - 2, y + h + 12)
        cv2.putText(
            image, mask.id, (x, baseline), cv2.FONT_HERSHEY_PLAIN, 1.0, colour, 1, cv2.LINE_8
        )
    return image


def coverage(mask: Mask, size: tuple[int, int]) -> float:
    """Share of the frame the mask hides, in %, at the still's resolution (outward)."""
    width, height = size if size != (0, 0) else (640, 360)
    return 100.0 * float(rasterize(mask.geometry, width, height).mean())


def summary_html(site_name: str, site_file: str, cameras: list[CameraReport]) -> str:
    """The report page; nothing from the site reaches it unescaped."""
    e = html.escape
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Privacy masks of {e(site_name)}</title>",
        "<style>table{border-collapse:collapse}td,th{border:1px solid #888;padding:2px 6px}"
        "</style></head><body>",
        f"<h1>Privacy masks of {e(site_name)}</h1>",
        f"<p>Site file: {e(site_file)}</p>",
    ]
    for camera in cameras:
        parts.append(f"<h2>{e(camera.name)} ({e(camera.camera_id)})</h2>")
        if camera.still:
            parts.append(f'<p><img src="{e(camera.still)}" alt="masked still" width="640"></p>')
        else:
            parts.append(f"<p>No picture: {e(camera.problem)}</p>")
        parts.append(
            "<table><tr><th>Site</th><th>Camera</th><th>Mask</th><th>Kind</th><th>Style</th>"
            "<th>Level</th><th>Geometry</th><th>Coverage %</th><th>Version</th>"
            "<th>Last changed by</th><th>When</th></tr>"
        )
        latest = camera.timeline.versions[-1] if camera.timeline.versions else None
        for mask in camera.masks:
            since = _introduced(camera.timeline, mask)
            cells = [
                site_name,
                camera.camera_id,
                mask.id,
                mask.kind,
                mask.style,
                "" if mask.style == "solid" else str(mask.level),
                json.dumps(geometry_json(mask.geometry)),
                f"{coverage(mask, camera.size):.1f}",
                str(latest.version) if latest else camera.timeline.failure or "unrecorded",
                since.changed_by if since else "",
                format_time(since.effective_at) if since else "",
            ]
            parts.append("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _introduced(timeline: MaskTimeline, mask: Mask) -> MaskVersion | None:
    """The oldest version since which this mask has been exactly as it is now."""
    found = None
    for version in reversed(timeline.versions):
        if mask not in version.masks:
            break
        found = version
    return found

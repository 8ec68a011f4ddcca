"""`veil masks`: the site's privacy masks, edited in the console or reported on paper.

`edit` is the console (`veil`) with one difference: after a login by a role holding
`admin`, the mask editor opens on `--camera`; any other role gets the wall and a
message, since the editor shows the picture beneath the masks. The camera is checked
before the console starts, so a typo is an error on the command line, not a screen.
`report` writes, for a data-protection officer, each camera's masked still with its
masks outlined and an HTML summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from console.verbs.common import add_location_options, fail, paths_from, site_or_error
from console.verbs.output import say


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("masks", help="privacy masks: edit them, or report on them")
    verbs = parser.add_subparsers(dest="masks_verb", metavar="COMMAND", required=True)
    edit = verbs.add_parser(
        "edit", help="start the console in the mask editor of a camera (needs `admin`)"
    )
    edit.add_argument("--camera", required=True, help="id of the camera whose masks to edit")
    add_location_options(edit)
    edit.set_defaults(func=edit_masks)
    report = verbs.add_parser(
        "report", help="write each camera's masked still with its masks outlined, and a summary"
    )
    add_location_options(report)
    report.add_argument(
        "--out",
        type=Path,
        default=Path("mask-report"),
        help="folder to write (default mask-report)",
    )
    report.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for each camera's frame"
    )
    report.set_defaults(func=masks_report)


def masks_report(args: argparse.Namespace) -> int:
    """A camera without a picture is listed with the reason, never shown unmasked."""
    import cv2

    from console.core.evidence.mask_report import CameraReport, annotate, summary_html
    from console.core.privacy.masking import NEVER_LIFTED
    from console.core.services import site_timeline
    from console.core.video import credentials
    from console.core.video.feed import CameraFeed

    paths = paths_from(args)
    site = site_or_error(paths)
    if isinstance(site, int):
        return site
    out: Path = args.out
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return fail(f"cannot create {out}: {error.strerror or error}")
    cameras = []
    for number, camera in enumerate(site.cameras, start=1):
        timeline = site_timeline(paths, site, camera.id)
        feed = CameraFeed(camera, NEVER_LIFTED, credentials=credentials.resolve)
        try:
            frame = feed.full(wait=args.timeout)
            status = feed.main_status()
        finally:
            feed.stop()
        if frame is None:
            why = status.message or status.state
            cameras.append(CameraReport(camera.id, camera.name, camera.masks, timeline, "", why))
            continue
        name = f"camera-{number}.png"
        if not cv2.imwrite(str(out / name), annotate(frame, camera.masks)):
            return fail(f"cannot write {out / name}")
        size = (frame.width, frame.height)
        cameras.append(CameraReport(camera.id, camera.name, camera.masks, timeline, name, "", size))
    page = out / "index.html"
    try:
        page.write_text(summary_html(site.name, str(site.path), cameras), encoding="utf-8")
    except OSError as error:
        return fail(f"cannot write {page}: {error.strerror or error}")
    say(f"{page}: mask report of {len(cameras)} cameras")
    return 0


def edit_masks(args: argparse.Namespace) -> int:
    from console.verbs.common import camera_or_error
    from console.verbs.run import run_console

    found = camera_or_error(paths_from(args), args.camera)
    if isinstance(found, int):
        return found
    return run_console(args, edit_camera=args.camera)

"""`veil still`: one full-resolution masked picture of a camera, as evidence or a check.

A still is live video: the user logs in (audited), their role must hold `live`, and the
still is recorded in the audit before the file is written, so a picture nobody can
account for is never made. Liftable masks are always burned in: a command never lifts.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.verbs.common import add_location_options, camera_or_error, fail, paths_from
from console.verbs.login import CommandLogin, add_user_options, as_user
from console.verbs.output import say

if TYPE_CHECKING:
    from console.core.privacy.masking import MaskedFrame
    from console.core.site.model import Camera


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("still", help="write a masked full-resolution still (PNG)")
    add_location_options(parser)
    parser.add_argument("--camera", required=True, help="camera id from the site file")
    parser.add_argument("--out", required=True, type=Path, help="PNG file to write")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for a frame (default 10)"
    )
    add_user_options(parser, required=True, acting="takes the still (role with live)")
    parser.set_defaults(func=still)


def write_png(frame: MaskedFrame, out: Path) -> None:
    """Write atomically: a reader never sees half a file, and a failure leaves none."""
    import cv2

    out.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".png")
    os.close(handle)
    try:
        if not cv2.imwrite(temporary, frame.pixels):
            raise OSError(f"could not encode or write {out}")
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def still(args: argparse.Namespace) -> int:
    from console.core.audit.trail import Event

    paths = paths_from(args)
    found = camera_or_error(paths, args.camera)
    if isinstance(found, int):
        return found
    site, camera = found
    if args.out.suffix.lower() != ".png":
        return fail(f"--out must name a .png file, got {args.out}", 2)

    def act(login: CommandLogin) -> int:
        details: dict[str, object] = {"camera": camera.id, "command": "still"}
        refused = login.refused("live", Event.LIVE_TAKEN, "watch live video", details)
        if refused is not None:
            return refused
        taken = partial(login.record, Event.LIVE_TAKEN, {**details, "out": str(args.out)})
        return _take(camera, args.out, args.timeout, taken)

    return as_user(paths, site, args.user, args.password_stdin, act)


def _take(camera: Camera, out: Path, timeout: float, record: Callable[[], None]) -> int:
    """Wait for a masked frame, `record` it, then write it."""
    from console.core.privacy.masking import NEVER_LIFTED
    from console.core.video import credentials
    from console.core.video.feed import CameraFeed

    feed = CameraFeed(camera, NEVER_LIFTED, credentials=credentials.resolve)
    try:
        frame = feed.full(wait=timeout)
        if frame is None:
            status = feed.status if feed.status.state == "masks-unavailable" else feed.main_status()
            return fail(
                f"no masked frame from camera {camera.id}: {status.message or status.state}"
            )
        record()
        write_png(frame, out)
    except OSError as error:
        return fail(f"cannot write {out}: {error.strerror or error}")
    finally:
        feed.stop()
    say(f"{out}: {frame.width}x{frame.height} masked still of {camera.id}")
    return 0

"""`veil still`: one full-resolution masked picture of a camera, as evidence or a check."""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.verbs.common import add_location_options, camera_or_error, fail, paths_from
from console.verbs.output import say

if TYPE_CHECKING:
    from console.core.privacy.masking import MaskedFrame


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("still", help="write a masked full-resolution still (PNG)")
    add_location_options(parser)
    parser.add_argument("--camera", required=True, help="camera id from the site file")
    parser.add_argument("--out", required=True, type=Path, help="PNG file to write")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for a frame (default 10)"
    )
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
    from console.core.privacy.masking import NEVER_LIFTED
    from console.core.video import credentials
    from console.core.video.feed import CameraFeed

    found = camera_or_error(paths_from(args), args.camera)
    if isinstance(found, int):
        return found
    _, camera = found
    if args.out.suffix.lower() != ".png":
        return fail(f"--out must name a .png file, got {args.out}", 2)
    feed = CameraFeed(camera, NEVER_LIFTED, credentials=credentials.resolve)
    try:
        frame = feed.full(wait=args.timeout)
        if frame is None:
            status = feed.status if feed.status.state == "masks-unavailable" else feed.main_status()
            return fail(
                f"no masked frame from camera {camera.id}: {status.message or status.state}"
            )
        write_png(frame, args.out)
    except OSError as error:
        return fail(f"cannot write {args.out}: {error.strerror or error}")
    finally:
        feed.stop()
    say(f"{args.out}: {frame.width}x{frame.height} masked still of {camera.id}")
    return 0

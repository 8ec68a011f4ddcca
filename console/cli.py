"""The `veil` command: the console itself, plus administration and tooling verbs.

Exit codes: 0 success, 1 the input was checked and found wrong (site problems, failed
verification, refused credentials), 2 usage errors (argparse), 3 the environment
prevented the work (unwritable data dir, missing camera frames, no keyring).
Errors are printed as one clear message each; a traceback means a bug in Veil.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

# FFmpeg and OpenCV log straight to the terminal's stderr, which is where Textual draws:
# a corrupt segment's "moov atom not found" would scribble over the console. Silence
# them before cv2 is first imported; problems surface as source status instead.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
os.environ.setdefault("OPENCV_LOG_LEVEL", "SILENT")

from console import __version__  # noqa: E402
from console.core.render.modes import RENDER_MODES  # noqa: E402
from console.verbs import VERBS  # noqa: E402
from console.verbs.common import add_location_options  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="veil",
        description="Terminal operator console for video-surveillance privacy masking.",
    )
    parser.add_argument("--version", action="version", version=f"veil {__version__}")
    add_location_options(parser)
    parser.add_argument(
        "--demo",
        action="store_true",
        help="start on the bundled demo site with demo users in a throw-away data dir",
    )
    parser.add_argument(
        "--render",
        choices=("auto", *RENDER_MODES),
        default=None,
        help="how tiles are drawn (default: $VEIL_RENDER or auto-detect)",
    )
    parser.add_argument(
        "--colors",
        choices=("auto", "truecolor", "256", "16", "mono"),
        default=None,
        help="colour depth for text tiles (default: auto-detect; NO_COLOR forces mono)",
    )
    parser.add_argument(
        "--ssh-keys",
        metavar="FILE",
        help="run as an sshd ForceCommand: name the connecting key from SSH_USER_AUTH "
        "(ExposeAuthInfo yes) and this authorized keys file; see `veil deploy ssh`",
    )
    subparsers = parser.add_subparsers(dest="verb", metavar="COMMAND")
    for register in VERBS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from console.verbs.run import run_console

        func = run_console
    try:
        code = int(func(args))
    except KeyboardInterrupt:
        code = 130
    sys.stdout.flush()
    return code


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())

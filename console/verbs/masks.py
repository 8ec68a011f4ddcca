"""`veil masks edit`: the console started straight into the mask editor.

It is the console (`veil`) with one difference: after a login by a role holding
`admin`, the mask editor opens on `--camera`; any other role gets the wall and a
message, since the editor shows the picture beneath the masks. The camera is checked
before the console starts, so a typo is an error on the command line, not a screen.
"""

from __future__ import annotations

import argparse
from typing import Any

from console.verbs.common import add_location_options


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("masks", help="privacy masks: edit them in the console")
    verbs = parser.add_subparsers(dest="masks_verb", metavar="COMMAND", required=True)
    edit = verbs.add_parser(
        "edit", help="start the console in the mask editor of a camera (needs `admin`)"
    )
    edit.add_argument("--camera", required=True, help="id of the camera whose masks to edit")
    add_location_options(edit)
    edit.set_defaults(func=edit_masks)


def edit_masks(args: argparse.Namespace) -> int:
    from console.verbs.common import camera_or_error, paths_from
    from console.verbs.run import run_console

    found = camera_or_error(paths_from(args), args.camera)
    if isinstance(found, int):
        return found
    return run_console(args, edit_camera=args.camera)

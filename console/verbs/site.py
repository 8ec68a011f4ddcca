"""`veil check-site`: validate a site file the way the console will read it."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from console.verbs.common import site_or_error
from console.verbs.output import say


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "check-site", help="validate a site file; list every problem or print a summary"
    )
    parser.add_argument("path", type=Path, help="the site.toml to check")
    parser.set_defaults(func=check_site)


def check_site(args: argparse.Namespace) -> int:
    from console.core.site.paths import resolve_paths

    site = site_or_error(resolve_paths(site=args.path))
    if isinstance(site, int):
        return site
    masks = sum(len(camera.masks) for camera in site.cameras)
    lifters = sorted(r.name for r in site.roles.values() if "lift_privacy_masks" in r.permissions)
    say(
        f"{args.path}: OK: {site.name!r}, {len(site.cameras)} cameras, {masks} masks, "
        f"{len(site.roles)} roles ({', '.join(lifters) or 'none'} may lift), "
        f"{len(site.carousels)} carousels"
    )
    return 0

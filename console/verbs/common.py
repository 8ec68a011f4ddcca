"""What every verb shares: where the site and data live, and how errors are printed."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from console.verbs.output import say

if TYPE_CHECKING:
    from console.core.site.model import Camera, Site
    from console.core.site.paths import Paths

NO_SITE = (
    "veil: no site configured.",
    "  Try the demo:        veil --demo   (or: make demo)",
    "  Or point at a site:  veil --site PATH/site.toml   (or set VEIL_SITE)",
    "  Check a site file:   veil check-site PATH/site.toml",
)


def add_location_options(parser: argparse.ArgumentParser) -> None:
    """--site and --data-dir, accepted both before and after the verb."""
    parser.add_argument(
        "--site",
        default=argparse.SUPPRESS,
        help="site file (default: $VEIL_SITE, then the site and user config dirs)",
    )
    parser.add_argument(
        "--data-dir",
        default=argparse.SUPPRESS,
        help="users, audit, exports and logs (default: $VEIL_DATA_DIR, then the user data dir)",
    )


def paths_from(args: argparse.Namespace) -> Paths:
    from console.core.site.paths import resolve_paths

    return resolve_paths(getattr(args, "site", None), getattr(args, "data_dir", None))


def fail(message: str, code: int = 3) -> int:
    """Print a one-line (or few-line) error to stderr and return the exit code."""
    say(f"veil: {message}", err=True)
    return code


def site_or_error(paths: Paths) -> Site | int:
    """The validated site, or an exit code after printing every problem."""
    from console.core.site.config import load_site
    from console.core.site.problems import SiteError

    if paths.site is None:
        say(*NO_SITE, err=True)
        return 1
    try:
        return load_site(paths.site)
    except SiteError as error:
        say(*(str(problem) for problem in error.problems), err=True)
        count = len(error.problems)
        say(f"veil: {count} problem{'s' if count != 1 else ''} in {paths.site}", err=True)
        return 1


def camera_or_error(paths: Paths, camera_id: str) -> tuple[Site, Camera] | int:
    """The site and one of its cameras, or an exit code after saying what is wrong."""
    site = site_or_error(paths)
    if isinstance(site, int):
        return site
    try:
        return site, site.camera(camera_id)
    except KeyError as error:
        return fail(str(error.args[0]), 1)


def site_for_audit(paths: Paths, strict: bool) -> Site | None | int:
    """The site whose ``[audit]`` table says how the audit is anchored; None without one.

    A configured site that cannot be read is an exit code when `strict` (verifying
    without its anchor would claim more than was checked), else a warning: disabling an
    account must work even while the site file is broken, just unanchored.
    """
    if paths.site is None:
        return None
    if strict:
        return site_or_error(paths)
    from console.core.site.config import load_site
    from console.core.site.problems import SiteError

    try:
        return load_site(paths.site)
    except SiteError:
        print(
            f"veil: warning: {paths.site} has problems (`veil check-site` lists them), so "
            "this change is not anchored",
            file=sys.stderr,
        )
        return None

"""What every verb shares: where the site and data live, and how errors are printed."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.core.site.model import Camera, Site
    from console.core.site.paths import Paths

NO_SITE = (
    "veil: no site configured.\n"
    "  Try the demo:        veil --demo   (or: make demo)\n"
    "  Or point at a site:  veil --site PATH/site.toml   (or set VEIL_SITE)\n"
    "  Check a site file:   veil check-site PATH/site.toml"
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


_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
"""Control, format (bidi overrides, zero-width), surrogate and line/paragraph separator
characters: what could move the cursor, recolour or reorder a terminal's text."""


def printable(text: str) -> str:
    """`text` safe to print: every character that could act on a terminal, escaped."""
    return "".join(
        _escaped(char) if unicodedata.category(char) in _HIDDEN else char for char in text
    )


def _escaped(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def fail(message: str, code: int = 3) -> int:
    """Print a one-line (or few-line) error to stderr and return the exit code."""
    print(f"veil: {message}", file=sys.stderr)
    return code


def site_or_error(paths: Paths) -> Site | int:
    """The validated site, or an exit code after printing every problem."""
    from console.core.site.config import load_site
    from console.core.site.problems import SiteError

    if paths.site is None:
        print(NO_SITE, file=sys.stderr)
        return 1
    try:
        return load_site(paths.site)
    except SiteError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"veil: {count} problem{'s' if count != 1 else ''} in {paths.site}", file=sys.stderr)
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

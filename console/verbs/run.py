"""Running the console itself (`veil`, `veil --demo`, `veil --site PATH`)."""

from __future__ import annotations

import argparse

from console.core.paths import DataDirError, demo_paths, ensure_data_dir
from console.core.services import build_services
from console.verbs.common import fail, paths_from, site_or_error


def run_console(args: argparse.Namespace) -> int:
    paths = demo_paths() if args.demo else paths_from(args)
    try:
        ensure_data_dir(paths)
    except DataDirError as error:
        return fail(str(error))
    site = site_or_error(paths)
    if isinstance(site, int):
        return site
    from console.ui.app import VeilApp

    services = build_services(site, paths, demo=args.demo)
    try:
        VeilApp(services).run()
    finally:
        services.stop()
    return 0

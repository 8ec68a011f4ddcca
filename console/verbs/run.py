"""Running the console itself (`veil`, `veil --demo`, `veil --site PATH`).

However the process ends, a lift does not outlive it unrecorded: the app closes the
session on quit and on SIGHUP (the SSH connection or terminal went away) or SIGTERM,
and the `finally` here ends any lift still in force (a crash) so the audit says
"session ended while lifted". Lift state is never written anywhere, so the next start
is masked in any case.
"""

from __future__ import annotations

import argparse
import signal
import sys

from console.core.audit import AuditUnavailable
from console.core.paths import DataDirError, demo_paths, ensure_data_dir
from console.core.services import build_services
from console.core.terminal import detect_terminal
from console.core.users import UserError, UsersUnavailable
from console.verbs.common import fail, paths_from, site_or_error

FATAL_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""Signals after which the console records the end of the session and exits."""


def run_console(args: argparse.Namespace) -> int:
    paths = demo_paths() if args.demo else paths_from(args)
    try:
        ensure_data_dir(paths)
    except DataDirError as error:
        return fail(str(error))
    site = site_or_error(paths)
    if isinstance(site, int):
        return site
    if args.demo:
        print("veil: preparing the demo users…", file=sys.stderr)
    # Ask the terminal before Textual owns stdin; afterwards its answers would be lost.
    caps = detect_terminal(args.render, args.colors)
    try:
        services = build_services(site, paths, demo=args.demo)
    except (AuditUnavailable, UsersUnavailable, UserError) as error:
        return fail(str(error))
    services.caps = caps
    from console.ui.app import VeilApp

    app = VeilApp(services, fatal_signals=FATAL_SIGNALS)
    try:
        app.run()
    finally:
        try:
            services.gate.end_session("exit" if app.return_code == 0 else "crash")
        except AuditUnavailable as error:
            print(f"veil: masks applied, but not recorded: {error}", file=sys.stderr)
        services.stop()
    return app.return_code or 0

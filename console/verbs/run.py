"""Running the console itself (`veil`, `veil --demo`, `veil --site PATH`).

However the process ends, a lift does not outlive it unrecorded: the app closes the
session on quit, its `SessionGuard` on SIGHUP (the SSH connection or terminal went
away), SIGTERM or a lost terminal, and the `finally` here ends any lift still in force
so the audit says "session ended while lifted": with the guard's cause when there is
one (the app may end on its own before the guard has closed the session), else "exit"
or "crash". The console queues the records of masks going back (they must never wait
on a disk); the process waits for them here before it ends. Lift state is never
written anywhere, so the next start is masked anyway.

With `--ssh-keys FILE` (the sshd `ForceCommand` of the SSH deployment) the console first
names the key that connected (`console.core.access.ssh`) and refuses to start without
it, or without a terminal: a client asking for a command (`ssh veil@host cat veil.db`)
or a file transfer gets that refusal, and with `-t` gets the console, never its command.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from pathlib import Path

from console import __version__
from console.core.access.ssh import SshIdentityError, ssh_identity
from console.core.access.users import UserError, UsersUnavailable
from console.core.audit.trail import AuditUnavailable
from console.core.evidence.keys import KeyProblem
from console.core.render.terminal import detect_terminal
from console.core.services import build_services
from console.core.site.paths import DataDirError, demo_paths, ensure_data_dir
from console.verbs.common import fail, paths_from, site_or_error
from console.verbs.logs import close_console_log, open_console_log
from console.verbs.output import say

FATAL_SIGNALS = (signal.SIGHUP, signal.SIGTERM)
"""Signals after which the console records the end of the session and exits."""

_log = logging.getLogger(__name__)


def run_console(args: argparse.Namespace, edit_camera: str | None = None) -> int:
    """The console; with `edit_camera`, its mask editor opens after an admin's login."""
    origin: dict[str, str] = {}
    if args.ssh_keys:
        try:
            origin = ssh_identity(os.environ, Path(args.ssh_keys)).details()
        except SshIdentityError as error:
            return fail(str(error))
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            return fail("this account runs only the Veil console, which needs a terminal", 2)
    paths = demo_paths() if args.demo else paths_from(args)
    try:
        ensure_data_dir(paths)
    except DataDirError as error:
        return fail(str(error))
    site = site_or_error(paths)
    if isinstance(site, int):
        return site
    log = open_console_log(paths.logs_dir)
    _log.info(
        "console %s starting: pid %d, site %s (sha256 %s), data %s%s",
        __version__,
        os.getpid(),
        site.path,
        site.sha256,
        paths.data_dir,
        "".join(f", {key} {value}" for key, value in origin.items()),
    )
    if args.demo:
        say("veil: preparing the demo users…", err=True)
    # Ask the terminal before Textual owns stdin; afterwards its answers would be lost.
    caps = detect_terminal(args.render, args.colors)
    try:
        services = build_services(site, paths, demo=args.demo, origin=origin)
    except (AuditUnavailable, UsersUnavailable, UserError, KeyProblem) as error:
        _log.error("console not started: %s", error)
        close_console_log(log)
        return fail(str(error))
    services.caps = caps
    from console.ui.app import VeilApp
    from console.ui.session_guard import SessionGuard, exit_code

    guard = SessionGuard(FATAL_SIGNALS, sys.__stderr__)
    app = VeilApp(services, guard=guard, edit_camera=edit_camera)
    try:
        app.run()
    finally:
        outside = guard.cause()
        cause = outside or ("exit" if app.return_code == 0 else "crash")
        unrecorded = guard.unrecorded
        try:
            services.gate.end_session(cause)
            services.audit.flush()  # the records of this session's end, queued till now
        except AuditUnavailable as error:
            unrecorded = error
        if unrecorded is not None:
            _log.error("session end (%s) not recorded: %s", cause, unrecorded)
            say(f"veil: masks applied, but not recorded: {unrecorded}", err=True)
        services.stop()
        _log.info("console stopped: %s (exit status %s)", cause, app.return_code)
        close_console_log(log)
    return exit_code(outside) if outside else app.return_code or 0

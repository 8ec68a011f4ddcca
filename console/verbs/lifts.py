"""`veil lifts`: the site's active lifts, and ending one from elsewhere.

The list is a reading of the site's audit (`console.core.access.site_lifts`), so it
shows every console's lifts, wherever they run, as soon as they are recorded. Both
actions act for a console user, logged in as `veil export` logs one in (audited and
throttled with every other password check): listing needs `audit`, ending needs
`lift_privacy_masks` or `admin`, and a refused end is recorded as a denied "lift
ended" (which names the lift under another key, so it ends nothing). The lifted
console puts its masks back within a second of the record (`LiftWatch`).
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from console.verbs.common import add_location_options, fail, paths_from, site_or_error
from console.verbs.login import add_user_options, as_user
from console.verbs.output import columns, say

if TYPE_CHECKING:
    from collections.abc import Callable
    from datetime import datetime

    from console.core.audit.open_lifts import OpenLift
    from console.verbs.login import CommandLogin


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "lifts",
        help="list the site's active lifts, or end one (every console follows the audit)",
        description="List every active lift of the site: id, console host, operator, "
        "authorizer, reason and time left. Needs a user whose role holds audit.",
    )
    add_location_options(parser)
    parser.add_argument("--json", action="store_true", help="a JSON array, one object a lift")
    add_user_options(parser, required=True, acting="lists or ends lifts", shared=True)
    parser.set_defaults(func=list_lifts)
    actions = parser.add_subparsers(dest="lifts_action", metavar="ACTION")
    end = actions.add_parser(
        "end",
        help="end a lift now: its console puts the masks back within a second",
        description="End lift ID (the id `veil lifts` shows) and record who ended it and "
        "why. Needs a user whose role holds lift_privacy_masks or admin.",
    )
    add_location_options(end)
    end.add_argument("id", type=int, metavar="ID", help="the lift's id from `veil lifts`")
    end.add_argument("--reason", required=True, help="why it is ended, for the record")
    add_user_options(end, required=True, acting="ends the lift", shared=True)
    end.set_defaults(func=end_a_lift)


def list_lifts(args: argparse.Namespace) -> int:
    from console.core.access.site_lifts import LIST_PERMISSION, active_lifts
    from console.core.audit.trail import AuditUnavailable
    from console.core.timebase.utc import system_now

    def listing(login: CommandLogin) -> int:
        if not login.may(LIST_PERMISSION):
            return fail(
                f"user {login.user.name} (role {login.user.role}) may not list lifts "
                f"(needs {LIST_PERMISSION})",
                1,
            )
        try:
            lifts = active_lifts(login.audit)
        except AuditUnavailable as error:
            return fail(f"cannot read the audit: {error}")
        now = system_now()
        if args.json:
            say(*json.dumps([_as_json(lift, now) for lift in lifts], indent=2).split("\n"))
        elif lifts:
            header = ("ID", "HOST", "OPERATOR", "AUTHORIZER", "TIME LEFT", "REASON")
            say(*columns(header, [_row(lift, now) for lift in lifts]))
        else:
            say("no active lifts")
        return 0

    return _as_user(args, listing)


def end_a_lift(args: argparse.Namespace) -> int:
    import socket

    from console.core.access.site_lifts import END_PERMISSIONS, LiftNotActive, end_lift
    from console.core.audit.trail import Event

    if not args.reason.strip():
        return fail("--reason: ending a lift needs a reason", 2)

    def ending(login: CommandLogin) -> int:
        refused = login.refused(
            END_PERMISSIONS, Event.LIFT_ENDED, "end lifts", {"requested_lift": args.id}, args.reason
        )
        if refused is not None:
            return refused
        try:
            record = end_lift(
                login.audit, args.id, login.user.name, args.reason, socket.gethostname()
            )
        except LiftNotActive as error:
            return fail(str(error), 1)
        say(f"lift {args.id} ended (audit record {record.seq}); its console puts the masks back")
        return 0

    return _as_user(args, ending)


def _as_user(args: argparse.Namespace, act: Callable[[CommandLogin], int]) -> int:
    """Log the --user in, run `act(login)`, and close the session however it ends."""
    name = getattr(args, "user", None)
    if not name:
        return fail("--user NAME is required", 2)
    paths = paths_from(args)
    site = site_or_error(paths)
    if isinstance(site, int):
        return site
    return as_user(paths, site, name, getattr(args, "password_stdin", False), act)


def _time_left(lift: OpenLift, now: datetime) -> str:
    from console.core.access.lockout import format_seconds

    remaining = lift.remaining(now)
    if remaining is None:
        return "unknown"
    if remaining <= 0:
        return "ran out, end not recorded (console killed?)"
    return format_seconds(remaining)


def _row(lift: OpenLift, now: datetime) -> tuple[str, ...]:
    started = lift.started
    return (
        str(started.seq),
        lift.host or "?",
        started.operator,
        started.authorizer,
        _time_left(lift, now),
        started.reason,
    )


def _as_json(lift: OpenLift, now: datetime) -> dict[str, object]:
    """Every character kept exactly (JSON escapes the controls), for whoever needs them."""
    from console.core.timebase.utc import format_utc

    started = lift.started
    deadline = lift.deadline
    return {
        "id": started.seq,
        "host": lift.host,
        "operator": started.operator,
        "authorizer": started.authorizer,
        "reason": started.reason,
        "started": started.time,
        "duration_s": lift.duration,
        "deadline": format_utc(deadline) if deadline else None,
        "remaining_s": lift.remaining(now),
    }

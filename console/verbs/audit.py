"""`veil audit`: read the audit trail as a table, JSON or CSV, and verify it.

Verifying checks the hash chain and, when the site's ``[audit]`` table names an anchor,
the chain against the anchor's signed checkpoints; both commands also list lifts that
started and never ended (a console killed or powered off while lifted).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import TYPE_CHECKING, Any

from console.text import visible
from console.verbs.common import add_location_options, fail, paths_from, site_for_audit
from console.verbs.output import columns, csv_cell, say

if TYPE_CHECKING:
    from console.core.audit.trail import AuditLog, AuditRecord, Verification

_FIELDS = (
    "seq",
    "time",
    "event",
    "label",
    "operator",
    "authorizer",
    "reason",
    "outcome",
    "details",
    "prev_hash",
    "hash",
)


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("audit", help="show or verify the tamper-evident audit trail")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION", required=True)

    show = actions.add_parser("show", help="list audit records, oldest first")
    add_location_options(show)
    show.add_argument(
        "--since",
        metavar="T",
        help="only records at or after T, ISO 8601 (e.g. 2024-05-01 or 2024-05-01T12:30Z); "
        "without an offset T is UTC",
    )
    form = show.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true", help="a JSON array with every field")
    form.add_argument("--csv", action="store_true", help="CSV with a header row")
    show.set_defaults(func=show_audit)

    verify = actions.add_parser(
        "verify",
        help="check the hash chain and the anchor; exit 1 naming the first bad or missing record",
    )
    add_location_options(verify)
    verify.set_defaults(func=verify_audit)


def show_audit(args: argparse.Namespace) -> int:
    from console.core.audit.trail import AuditUnavailable
    from console.core.timebase.utc import parse_utc

    try:
        since = parse_utc(args.since) if args.since else None
    except ValueError as error:
        return fail(f"--since: {error}", 2)
    log = _audit(args)
    if isinstance(log, int):
        return log
    try:
        records = log.records(since)
        everything = log.records() if since else records
    except AuditUnavailable as error:
        return fail(str(error), 3)
    if args.json:
        say(*json.dumps([_as_json(record) for record in records], indent=2).split("\n"))
    elif args.csv:
        say(*_csv(records))
    else:
        say(*_table(records))
    # Beneath a table for people; on stderr, so JSON and CSV stay machine-readable.
    for line in _open_lifts(everything):
        print(visible(line), file=sys.stderr if args.json or args.csv else sys.stdout)
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    from console.core.audit.trail import AuditUnavailable

    log = _audit(args)
    if isinstance(log, int):
        return log
    try:
        result = log.verify()
        records = log.records() if log.database.present() else []
    except AuditUnavailable as error:
        return fail(str(error), 3)
    for line in _open_lifts(records):
        print(line)
    if not result.ok:
        return fail(f"{log.path or log.where}: {result.problem}", 1)
    where = log.path or log.where
    say(f"{where}: {result.records} records, hash chain intact; {_anchoring(result)}")
    return 0


def _audit(args: argparse.Namespace) -> AuditLog | int:
    """The data dir's audit with the site's anchor, or an exit code for a broken site."""
    from console.core.access.site_audit import site_audit
    from console.core.storage.site_storage import site_storage
    from console.core.video import credentials

    paths = paths_from(args)
    site = site_for_audit(paths, strict=True)
    if isinstance(site, int):
        return site
    return site_audit(paths, site, site_storage(paths, site, credentials.database_password))


def _anchoring(result: Verification) -> str:
    """What the anchor adds to "intact", or why nothing vouches beyond the chain."""
    from console.core.audit.anchor import span

    if not result.anchored:
        return (
            "NOT anchored (no [audit] anchor in the site file): cut-off newest records, "
            "a consistent rewrite or a replaced database would go unnoticed"
        )
    checkpoint = result.checkpoint
    said = (
        f"matches the anchor's checkpoint of record {checkpoint.seq} signed at {checkpoint.time}"
        if checkpoint
        else "the anchor has signed nothing yet"
    )
    if result.unanchored:
        first, last = result.unanchored
        said += (
            f"; {span(first, last)} not anchored (written while the anchor was unreachable, "
            "or by a command without the site's anchor): the anchor cannot vouch for them"
        )
    return said


def _open_lifts(records: list[AuditRecord]) -> list[str]:
    from console.core.audit.open_lifts import open_lifts
    from console.core.timebase.utc import system_now

    now = system_now()
    return [f"veil: {lift.describe(now)}" for lift in open_lifts(records)]


def _as_json(record: AuditRecord) -> dict[str, object]:
    """Every field, with details as a JSON object unless tampering made it unreadable."""
    shown: dict[str, object] = {field: getattr(record, field) for field in _FIELDS}
    try:
        shown["details"] = json.loads(record.details)
    except ValueError:
        pass
    return shown


def _csv(records: list[AuditRecord]) -> list[str]:
    """CSV lines with a header; every cell as `csv_cell` makes it, so none breaks a line."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(_FIELDS)
    writer.writerows([csv_cell(getattr(record, field)) for field in _FIELDS] for record in records)
    return buffer.getvalue().removesuffix("\n").split("\n")


def _table(records: list[AuditRecord]) -> list[str]:
    """Aligned columns for people; the hashes are left to --json, --csv and verify."""
    if not records:
        return ["no audit records"]
    header = ("SEQ", "TIME (UTC)", "EVENT", "OPERATOR", "AUTHORIZER", "OUTCOME", "REASON")
    rows = [
        (
            str(r.seq),
            r.time[:19].replace("T", " "),
            r.label,
            r.operator,
            r.authorizer,
            r.outcome,
            r.reason,
            r.details if r.details != "{}" else "",
        )
        for r in records
    ]
    return columns((*header, "DETAILS"), rows)

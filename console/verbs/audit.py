"""`veil audit`: read the audit trail as a table, JSON or CSV, and verify its hash chain."""

from __future__ import annotations

import argparse
import csv
import io
import json
from typing import TYPE_CHECKING, Any

from console.text import visible
from console.verbs.common import add_location_options, fail, paths_from
from console.verbs.output import csv_cell, say

if TYPE_CHECKING:
    from console.core.audit.trail import AuditRecord

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
        "verify", help="check the hash chain; exit 1 naming the first bad record"
    )
    add_location_options(verify)
    verify.set_defaults(func=verify_audit)


def show_audit(args: argparse.Namespace) -> int:
    from console.core.audit.trail import AuditLog, AuditUnavailable
    from console.core.timebase.utc import parse_utc

    try:
        since = parse_utc(args.since) if args.since else None
    except ValueError as error:
        return fail(f"--since: {error}", 2)
    log = AuditLog(paths_from(args).audit_db)
    try:
        records = log.records(since)
    except AuditUnavailable as error:
        return fail(str(error), 3)
    if args.json:
        say(*json.dumps([_as_json(record) for record in records], indent=2).split("\n"))
    elif args.csv:
        say(*_csv(records))
    else:
        say(*_table(records))
    return 0


def verify_audit(args: argparse.Namespace) -> int:
    from console.core.audit.trail import AuditLog, AuditUnavailable

    log = AuditLog(paths_from(args).audit_db)
    try:
        result = log.verify()
    except AuditUnavailable as error:
        return fail(str(error), 3)
    if not result.ok:
        return fail(f"{log.path}: {result.problem}", 1)
    say(f"{log.path}: {result.records} records, hash chain intact")
    return 0


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
    """Aligned columns for people; the hashes are left to --json, --csv and verify.

    Cells are aligned as they will be shown (control characters escaped).
    """
    if not records:
        return ["no audit records"]
    header = ("SEQ", "TIME (UTC)", "EVENT", "OPERATOR", "AUTHORIZER", "OUTCOME", "REASON")
    rows = [header] + [
        tuple(
            visible(cell)
            for cell in (
                str(r.seq),
                r.time[:19].replace("T", " "),
                r.label,
                r.operator,
                r.authorizer,
                r.outcome,
                r.reason,
            )
        )
        for r in records
    ]
    details = ["DETAILS"] + [r.details if r.details != "{}" else "" for r in records]
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    return [
        "  ".join(
            [*(cell.ljust(width) for cell, width in zip(row, widths, strict=True)), extra]
        ).rstrip()
        for row, extra in zip(rows, details, strict=True)
    ]

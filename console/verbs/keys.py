"""`veil keys`: the site's export signing key (make it once, hand out its public half).

`init` refuses to replace an existing key unless told `--replace`: exports already handed
over verify only against the key that signed them, so losing it silently would leave
recipients with a public key that proves nothing about new exports and an administrator
with no way to sign like the old ones. Making and replacing a key are audited with the
key ids, so the audit shows which key was in force when.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, Any

from console.verbs.common import add_location_options, fail, paths_from, site_for_audit
from console.verbs.output import say

if TYPE_CHECKING:
    from pathlib import Path


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("keys", help="create or show the key that signs exports")
    actions = parser.add_subparsers(dest="keys_action", metavar="ACTION", required=True)

    init = actions.add_parser(
        "init",
        help="create the site's Ed25519 export key in the data dir (0600)",
        description="Create the private key every export is signed with, in the data dir "
        "(DATA_DIR/export-key.pem, mode 0600; the data dir is made 0700). Give recipients "
        "the output of `veil keys export-public`.",
    )
    add_location_options(init)
    init.add_argument(
        "--replace",
        action="store_true",
        help="replace an existing key (exports it signed still verify only against it)",
    )
    init.set_defaults(func=init_key)

    public = actions.add_parser(
        "export-public",
        help="print the public key for recipients (PEM or base64); its key id on stderr",
    )
    add_location_options(public)
    public.add_argument(
        "--format",
        choices=("pem", "base64"),
        default="pem",
        help="PEM (SubjectPublicKeyInfo, default) or the 32 raw bytes in base64",
    )
    public.set_defaults(func=export_public)


def init_key(args: argparse.Namespace) -> int:
    from console.core.access.site_audit import site_audit
    from console.core.audit.trail import AuditUnavailable, Event
    from console.core.evidence.keys import (
        KeyExists,
        KeyProblem,
        load_export_key,
        new_export_key,
        save_export_key,
    )
    from console.verbs.prompts import os_actor

    paths = paths_from(args)
    path = paths.export_key
    replaced = _previous_key_id(path) if args.replace else None
    found = site_for_audit(paths, strict=False)
    audit = site_audit(paths, found if not isinstance(found, int) else None)
    try:
        key = new_export_key(path, args.replace)
        details = {"action": "replaced" if args.replace else "created", "key_id": key.public.key_id}
        if replaced is not None:
            details["replaced_key_id"] = replaced
        # Recorded first: a key the audit cannot account for is not made.
        audit.append(Event.EXPORT_KEY, operator=os_actor(), details=details)
    except KeyExists as error:
        return fail(str(error), 1)
    except (KeyProblem, AuditUnavailable) as error:
        return fail(str(error))
    try:
        save_export_key(key, args.replace)
    except KeyProblem as error:
        with contextlib.suppress(AuditUnavailable):
            audit.append(
                Event.EXPORT_KEY,
                operator=os_actor(),
                outcome="failed",
                details={"key_id": key.public.key_id, "why": str(error)},
            )
        return fail(str(error), 1 if isinstance(error, KeyExists) else 3)
    load_export_key(path)  # proves the file reads back and its permissions hold
    say(f"created export key {key.public.key_id} at {path}")
    say("give recipients its public key: veil keys export-public > site-export-key.pem")
    return 0


def _previous_key_id(path: Path) -> str | None:
    from console.core.evidence.keys import KeyProblem, load_export_key

    try:
        return load_export_key(path).public.key_id
    except KeyProblem:
        return None


def export_public(args: argparse.Namespace) -> int:
    from console.core.evidence.keys import KeyProblem, load_export_key

    try:
        public = load_export_key(paths_from(args).export_key).public
    except KeyProblem as error:
        return fail(str(error))
    sys.stdout.write(public.pem() if args.format == "pem" else public.base64() + "\n")
    say(f"key id: {public.key_id}", err=True)
    return 0

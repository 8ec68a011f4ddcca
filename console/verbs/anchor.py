"""`veil anchor`: the audit anchor's signer, run by its own account (see the README).

`init` makes the signer's folder and key once and prints the ``[audit]`` lines for the
site file; `serve` runs the signer on a Unix socket. Both run as the signer's account,
never as the console's: the point of the anchor is a key the console account cannot read.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from console.verbs.common import fail

DEFAULT_SOCKET = "/run/veil-anchor/anchor.sock"


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "anchor", help="the audit anchor's signer (run under its own account)"
    )
    actions = parser.add_subparsers(dest="anchor_action", metavar="ACTION", required=True)

    init = actions.add_parser("init", help="create the signer's folder and key, once")
    init.add_argument("--dir", type=Path, required=True, help="the signer's folder (0700)")
    init.add_argument(
        "--socket", default=DEFAULT_SOCKET, help="where `serve` will listen, for the site file"
    )
    init.set_defaults(func=init_anchor)

    serve = actions.add_parser("serve", help="sign checkpoints of the audit chain's head")
    serve.add_argument("--dir", type=Path, required=True, help="the folder `init` made")
    serve.add_argument("--socket", type=Path, default=Path(DEFAULT_SOCKET))
    serve.add_argument(
        "--syslog",
        default="/dev/log",
        metavar="SOCKET",
        help="syslog socket every checkpoint and refusal is sent to, or 'none' "
        "(default: /dev/log, which journald serves where it runs)",
    )
    serve.add_argument(
        "--writer",
        metavar="USER",
        help="the console's account: only it may have records signed (default: anyone "
        "who can reach the socket)",
    )
    serve.set_defaults(func=serve_anchor)


def init_anchor(args: argparse.Namespace) -> int:
    from console.core.audit.signer import SignerError, init_signer

    try:
        public = init_signer(args.dir)
    except (SignerError, OSError) as error:
        return fail(str(error))
    print(f"anchor key made in {args.dir}; add to the site file:\n")
    print(f'[audit]\nanchor = "{args.socket}"\nanchor_key = "{public}"')
    return 0


def serve_anchor(args: argparse.Namespace) -> int:
    import pwd

    from console.core.audit.signer import Journal, Signer, SignerError, serve

    writer: int | None = None
    if args.writer is not None:
        try:
            writer = int(args.writer) if args.writer.isdigit() else pwd.getpwnam(args.writer).pw_uid
        except KeyError:
            return fail(f"--writer: no account {args.writer!r}", 2)
    try:
        signer = Signer(args.dir, Journal(args.syslog))
        print(f"veil anchor: signing for {signer.public_key} on {args.socket}", file=sys.stderr)
        serve(signer, args.socket, writer)
    except (SignerError, OSError) as error:
        return fail(str(error))
    return 0

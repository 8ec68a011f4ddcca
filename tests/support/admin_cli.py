"""Run the user, audit and credential verbs in-process, parsed exactly as `veil` parses them."""

from __future__ import annotations

import argparse

from console.verbs import audit, credential, user
from console.verbs.common import add_location_options


def run_veil(*argv: str) -> int:
    """Parse `argv` with the verbs' own `register` and run the chosen one; the exit code."""
    parser = argparse.ArgumentParser(prog="veil")
    add_location_options(parser)
    subparsers = parser.add_subparsers(dest="verb", required=True)
    for verb in (user, audit, credential):
        verb.register(subparsers)
    args = parser.parse_args(argv)
    return int(args.func(args))

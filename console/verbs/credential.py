"""`veil credential`: put camera stream credentials into the OS keyring, or take them out."""

from __future__ import annotations

import argparse
from typing import Any

from console.verbs.common import fail
from console.verbs.output import say
from console.verbs.prompts import SecretInputError, read_new_secret


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "credential", help="store or delete camera stream credentials in the OS keyring"
    )
    actions = parser.add_subparsers(dest="credential_action", metavar="ACTION", required=True)

    store = actions.add_parser("set", help="store user and password for a camera credential")
    store.add_argument(
        "name", metavar="CAMERA", help='the name a camera\'s credential = "..." refers to'
    )
    store.add_argument("--user", help="camera user name (prompted for when omitted)")
    store.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password as one line from stdin instead of prompting",
    )
    store.set_defaults(func=set_credential)

    delete = actions.add_parser("delete", help="remove a camera credential")
    delete.add_argument("name", metavar="CAMERA")
    delete.set_defaults(func=delete_credential)


def set_credential(args: argparse.Namespace) -> int:
    from console.core.video import credentials

    try:
        user = args.user if args.user is not None else _ask_user(args.name, args.password_stdin)
        password = read_new_secret(f"Password of camera user {user}", args.password_stdin)
        credentials.store(args.name, user, password)
    except (credentials.CredentialError, SecretInputError) as error:
        return fail(str(error), 3 if isinstance(error, credentials.CredentialError) else 1)
    say(f"stored credential {args.name} in {credentials.backend_name()}")
    return 0


def delete_credential(args: argparse.Namespace) -> int:
    from console.core.video import credentials

    try:
        credentials.delete(args.name)
    except credentials.CredentialError as error:
        return fail(str(error), 3)
    say(f"deleted credential {args.name}")
    return 0


def _ask_user(name: str, password_from_stdin: bool) -> str:
    if password_from_stdin:
        raise SecretInputError("with --password-stdin, give the camera user with --user")
    try:
        return input(f"Camera user for {name}: ").strip()
    except EOFError:
        raise SecretInputError("no camera user entered") from None

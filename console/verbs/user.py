"""`veil user`: add, list and manage console users; every change lands in the audit."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from console.verbs.common import (
    add_location_options,
    fail,
    paths_from,
    site_for_audit,
    site_or_error,
)
from console.verbs.output import say
from console.verbs.prompts import SecretInputError, os_actor, read_new_secret

if TYPE_CHECKING:
    from console.core.access.users import User, UserStore
    from console.core.site.model import Site


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("user", help="add, list and manage console users")
    actions = parser.add_subparsers(dest="user_action", metavar="ACTION", required=True)

    def action(
        name: str, text: str, func: Callable[[argparse.Namespace], int], takes_name: bool = True
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = actions.add_parser(name, help=text)
        add_location_options(sub)
        if takes_name:
            sub.add_argument("name", help="the user's name")
        sub.set_defaults(func=func)
        return sub

    add = action("add", "create a user with one of the site's roles", add_user)
    add.add_argument("--role", required=True, help="one of the roles in the site file")
    _password_option(add)
    action("list", "list users with role and state", list_users, takes_name=False)
    _password_option(action("passwd", "set a user's password", set_password))
    role = action("role", "give a user another of the site's roles", set_role)
    role.add_argument("--role", required=True, help="one of the roles in the site file")
    action("disable", "stop a user logging in or authorising lifts", _toggle(False))
    action("enable", "allow a disabled user again", _toggle(True))
    action("remove", "delete a user (the audit keeps their history)", remove_user)
    action(
        "unlock",
        "lift a lock set by too many failed passwords, and forget the failures",
        unlock_user,
    )


def _password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password as one line from stdin instead of prompting",
    )


def add_user(args: argparse.Namespace) -> int:
    paths = paths_from(args)
    site = site_or_error(paths)
    if isinstance(site, int):
        return site

    def change(store: UserStore) -> str:
        store.check_new(args.name, args.role)
        password = read_new_secret(f"Password for {args.name}", args.password_stdin)
        store.add(os_actor(), args.name, args.role, password)
        return f"added user {args.name} with role {args.role}"

    return _run(args, change, site)


def set_password(args: argparse.Namespace) -> int:
    def change(store: UserStore) -> str:
        password = read_new_secret(f"New password for {args.name}", args.password_stdin)
        store.set_password(os_actor(), args.name, password)
        return f"password of {args.name} changed"

    return _run(args, change)


def set_role(args: argparse.Namespace) -> int:
    paths = paths_from(args)
    site = site_or_error(paths)
    if isinstance(site, int):
        return site

    def change(store: UserStore) -> str:
        store.set_role(os_actor(), args.name, args.role)
        return f"user {args.name} now has role {args.role}"

    return _run(args, change, site)


def _toggle(enabled: bool) -> Callable[[argparse.Namespace], int]:
    def toggle(args: argparse.Namespace) -> int:
        def change(store: UserStore) -> str:
            store.set_enabled(os_actor(), args.name, enabled)
            return f"user {args.name} {'enabled' if enabled else 'disabled'}"

        return _run(args, change)

    return toggle


def remove_user(args: argparse.Namespace) -> int:
    def change(store: UserStore) -> str:
        store.remove(os_actor(), args.name)
        return f"removed user {args.name}"

    return _run(args, change)


def unlock_user(args: argparse.Namespace) -> int:
    def change(store: UserStore) -> str:
        store.unlock(os_actor(), args.name)
        return f"{args.name} unlocked"

    return _run(args, change)


def list_users(args: argparse.Namespace) -> int:
    from console.core.access.lockout import format_seconds

    def state(store: UserStore, user: User) -> str:
        shown = "enabled" if user.enabled else "disabled"
        hold = store.hold(user.name)
        return f"{shown}, locked {format_seconds(hold.seconds)}" if hold and hold.locked else shown

    def show(store: UserStore) -> list[str]:
        users = store.list()
        if not users:
            return [f"no users in {store.path}; add one with: veil user add NAME --role ROLE"]
        rows = [("NAME", "ROLE", "STATE", "CREATED", "UPDATED")] + [
            (u.name, u.role, state(store, u), u.created, u.updated) for u in users
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(4)]
        return [
            "  ".join(
                [*(cell.ljust(width) for cell, width in zip(row, widths, strict=False)), row[4]]
            )
            for row in rows
        ]

    return _run(args, show)


def _run(
    args: argparse.Namespace,
    action: Callable[[UserStore], str | Sequence[str]],
    site: Site | None = None,
) -> int:
    """Open the stores, run `action`, print its summary (a line, or lines), and map
    failures to exit codes.

    Only adding a user needs the site (for its roles, given as `site`); the other
    actions must keep working when the site file is broken, since disabling an account
    can be urgent, and use the site only to anchor their records when it can be read.
    """
    from console.core.access.passwords import PasswordPolicyError
    from console.core.access.site_audit import site_audit
    from console.core.access.users import UserError, UserStore, UsersUnavailable
    from console.core.audit.trail import AuditUnavailable
    from console.core.storage.site_storage import site_storage
    from console.core.video import credentials

    paths = paths_from(args)
    if site is None:
        found = site_for_audit(paths, strict=False)
        site = found if not isinstance(found, int) else None
    storage = site_storage(paths, site, credentials.database_password)
    audit = site_audit(paths, site, storage)
    roles = site.roles if site is not None else {}
    try:
        summary = action(UserStore(storage.users, roles, audit))
        say(*([summary] if isinstance(summary, str) else summary))
    except (UserError, PasswordPolicyError, SecretInputError) as error:
        return fail(str(error), 1)
    except (UsersUnavailable, AuditUnavailable) as error:
        return fail(str(error), 3)
    return 0

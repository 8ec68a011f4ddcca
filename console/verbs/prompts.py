"""Reading a new secret on the command line: prompted twice, or one line from stdin."""

from __future__ import annotations

import getpass
import sys


class SecretInputError(Exception):
    """No usable secret was entered; the message says why and never contains it."""


def read_new_secret(prompt: str, from_stdin: bool) -> str:
    """Prompt without echo and ask again to catch typos, or read a line for scripts.

    From stdin only the line ending is removed: leading or trailing spaces may be part of
    a password, and trimming them would silently set a different one.
    """
    if from_stdin:
        line = sys.stdin.readline()
        secret = line.removesuffix("\n").removesuffix("\r")
        if not secret:
            raise SecretInputError("no password on stdin")
        return secret
    try:
        first = getpass.getpass(f"{prompt}: ")
        second = getpass.getpass(f"{prompt} (again): ")
    except EOFError:
        raise SecretInputError("no password entered") from None
    if first != second:
        raise SecretInputError("the two entries differ; nothing was changed")
    return first


def os_actor() -> str:
    """Who ran an administration command, for the audit: the OS account, marked as such."""
    try:
        return f"os:{getpass.getuser()}"
    except (OSError, KeyError):
        return "os:unknown"

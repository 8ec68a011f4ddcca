"""`veil deploy ssh`: the sshd_config and authorized_keys lines of the SSH deployment.

Operators reach the console over SSH as one dedicated account (README, "Deployment:
SSH"): sshd's `ForceCommand` runs the console and nothing else, every forwarding is off,
and each operator has a key of their own whose name goes into the audit. Writing those
lines by hand is where such set-ups go wrong (a forgotten `DisableForwarding`, a key
line without a name), so Veil prints them, from checked inputs:

- paths are absolute and made only of characters that mean the same to sshd's config
  parser and to the shell sshd runs `ForceCommand` with, so no path can end a line,
  start a comment or smuggle in a second command;
- the account is a POSIX user name; key names are one word each (`KEY_NAME`), unique,
  and every key is a valid OpenSSH public key, given once.

Nothing is written or changed: the output is for the administrator to review and
install, then check with `sshd -t`.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.verbs.common import add_location_options, fail
from console.verbs.output import say

if TYPE_CHECKING:
    from console.core.access.ssh import PublicKey

ACCOUNT = re.compile(r"[a-z_][a-z0-9_-]{0,31}")
SAFE_PATH = re.compile(r"/[A-Za-z0-9._/+@%,=:-]*")
"""Absolute paths that need no quoting for sshd or sh: no space, quote, #, $ or newline."""
KEYS_FILE = "/etc/veil/ssh/authorized_keys"
KEY_OPTIONS = "restrict,pty"
"""`restrict` turns off every forwarding, the agent, X11 and ~/.ssh/rc for the key;
`pty` gives back the one thing the console needs, a terminal."""
SSHD_LINES = (
    "AuthenticationMethods publickey",
    "PubkeyAuthentication yes",
    "PasswordAuthentication no",
    "KbdInteractiveAuthentication no",
    "AuthorizedKeysFile {keys_file}",
    "ExposeAuthInfo yes",
    "ForceCommand exec {command}",
    "PermitTTY yes",
    "DisableForwarding yes",
    "AllowAgentForwarding no",
    "AllowTcpForwarding no",
    "AllowStreamLocalForwarding no",
    "X11Forwarding no",
    "PermitTunnel no",
    "PermitListen none",
    "PermitOpen none",
    "PermitUserRC no",
    "MaxSessions 1",
)
"""The `Match User` block: keys only, the console only, nothing forwarded, one session
per connection (so no second channel rides along on a multiplexed one)."""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    deploy = subparsers.add_parser("deploy", help="print configuration for deploying Veil")
    kinds = deploy.add_subparsers(dest="kind", metavar="KIND", required=True)
    ssh = kinds.add_parser(
        "ssh",
        help="sshd_config and authorized_keys lines for operators over SSH",
        description="Print the sshd_config Match block and the authorized_keys lines for "
        "a dedicated account whose only command is the console, one named key per "
        "operator. Nothing is changed; review, install, then run `sshd -t`.",
    )
    add_location_options(ssh)
    ssh.add_argument("--account", default="veil", help="the dedicated account (default veil)")
    ssh.add_argument(
        "--key",
        action="append",
        default=[],
        metavar="NAME=PUBKEY",
        help="an operator's key name and .pub file; repeat for each operator",
    )
    ssh.add_argument(
        "--keys-file",
        default=KEYS_FILE,
        help=f"where the authorized keys will live, owned by root (default {KEYS_FILE})",
    )
    ssh.add_argument("--veil", help="the veil program (default: this one)")
    ssh.add_argument("--only", choices=("sshd", "keys"), help="print just one of the two parts")
    ssh.set_defaults(func=deploy_ssh)


def deploy_ssh(args: argparse.Namespace) -> int:
    try:
        command = _force_command(args)
        keys = [_named_key(text) for text in args.key]
        account = _account(args.account)
    except ValueError as error:
        return fail(str(error), 2)
    problem = _duplicates(keys)
    if problem:
        return fail(problem, 2)
    parts = {
        "sshd": sshd_block(account, args.keys_file, command),
        "keys": authorized_keys(args.keys_file, keys),
    }
    chosen = [args.only] if args.only else ["sshd", "keys"]
    text = "\n".join(parts[part] for part in chosen)
    say(*text.removesuffix("\n").split("\n"))
    return 0


def sshd_block(account: str, keys_file: str, command: str) -> str:
    lines = [line.format(keys_file=keys_file, command=command) for line in SSHD_LINES]
    return (
        f"# /etc/ssh/sshd_config.d/{account}.conf: check with `sshd -t`, then reload sshd.\n"
        f"# The account needs a shell (sshd runs ForceCommand with it) and no password:\n"
        f"#   useradd --system --create-home --shell /bin/sh {account}\n"
        f"#   usermod -p '*' {account}\n"
        f"Match User {account}\n" + "".join(f"    {line}\n" for line in lines)
    )


def authorized_keys(keys_file: str, keys: list[PublicKey]) -> str:
    header = (
        f"# {keys_file}: owned by root, mode 0644, so the account cannot add keys.\n"
        "# One line per operator; the name at the end goes into the audit.\n"
    )
    return header + "".join(f"{key.line(KEY_OPTIONS)}\n" for key in keys)


def _force_command(args: argparse.Namespace) -> str:
    """`veil --site S --data-dir D --ssh-keys K`, every path absolute and checked."""
    site = getattr(args, "site", None)
    data_dir = getattr(args, "data_dir", None)
    if not site or not data_dir:
        raise ValueError(
            "give --site and --data-dir: the console must not depend on the account's "
            "environment for where its site and data are"
        )
    veil = args.veil or str(Path(sys.executable).parent / "veil")
    parts = {
        "--veil": veil,
        "--site": site,
        "--data-dir": data_dir,
        "--keys-file": args.keys_file,
    }
    for flag, path in parts.items():
        _safe_path(flag, path)
    return f"{veil} --site {site} --data-dir {data_dir} --ssh-keys {args.keys_file}"


def _safe_path(flag: str, path: str) -> None:
    if not SAFE_PATH.fullmatch(path) or "/../" in f"{path}/" or "//" in path:
        raise ValueError(
            f"{flag} {path!r}: expected an absolute path of letters, digits and "
            "._/+@%,=:- only (it goes into sshd_config and a shell command line)"
        )


def _account(name: str) -> str:
    if not ACCOUNT.fullmatch(name):
        raise ValueError(
            f"--account {name!r}: expected a user name of up to 32 lower-case letters, "
            "digits, _ and -, not starting with a digit or -"
        )
    return name


def _named_key(text: str) -> PublicKey:
    """`NAME=FILE`: the one public key in FILE, renamed NAME."""
    from dataclasses import replace

    from console.core.access.ssh import KEY_NAME, parse_public_key_line

    name, sep, file = text.partition("=")
    if not sep or not KEY_NAME.fullmatch(name):
        raise ValueError(
            f"--key {text!r}: expected NAME=FILE with NAME one word of up to 64 letters, "
            "digits and ._@+- (it names the operator in the audit)"
        )
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"--key {name}: cannot read {file}: {error}") from None
    found = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    if len(found) != 1:
        raise ValueError(f"--key {name}: {file} must hold exactly one public key")
    try:
        key = parse_public_key_line(found[0])
    except ValueError as error:
        raise ValueError(f"--key {name}: {file}: {error}") from None
    return replace(key, comment=name)


def _duplicates(keys: list[PublicKey]) -> str:
    names = [key.comment for key in keys]
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        return f"key name given twice: {', '.join(twice)}"
    seen: dict[bytes, str] = {}
    for key in keys:
        if key.blob in seen:
            return f"keys {seen[key.blob]} and {key.comment} are the same key"
        seen[key.blob] = key.comment
    return ""

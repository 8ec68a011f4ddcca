"""`veil verify-export`: check an export as its recipient would, and say what it holds.

The check is against a public key the recipient trusts (`--key`, as `veil keys
export-public` printed it), or on the Veil machine itself the site's own key. A key
taken from the manifest would prove nothing, so none is. Everything printed comes from a
file that may be hostile, so every character that could act on a terminal is escaped,
and what the manifest claims is printed only once its signature holds.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.verbs.common import add_location_options, fail, paths_from
from console.verbs.output import say

if TYPE_CHECKING:
    from console.core.evidence.keys import PublicKey
    from console.core.evidence.verify import Verification

LARGEST_KEY_FILE = 64 * 1024


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "verify-export",
        help="check an export's signature and file hashes; exit 1 naming what failed",
        description="Check an export (its video file, its folder of stills, or its "
        ".manifest.json): the manifest's Ed25519 signature, then every file's size and "
        "SHA-256, and that no file is missing or added. Prints who exported what, when "
        "and with which masks. Exit 0 when everything holds, 1 naming each file and what "
        "failed.",
    )
    add_location_options(parser)
    parser.add_argument("path", type=Path, metavar="PATH", help="the export or its manifest")
    parser.add_argument(
        "--key",
        type=Path,
        metavar="PUBLIC",
        help="the site's public key file (PEM or base64, from `veil keys export-public`); "
        "default: this machine's export key in the data dir",
    )
    parser.set_defaults(func=verify_export_command)


def verify_export_command(args: argparse.Namespace) -> int:
    from console.core.evidence.keys import (
        KeyProblem,
        NoExportKey,
        load_export_key,
        parse_public_key,
    )
    from console.core.evidence.verify import verify_export

    own = paths_from(args).export_key
    try:
        if args.key is not None:
            key = parse_public_key(_read_key_file(args.key), str(args.key))
            source = f"the key in {args.key}"
        else:
            key = load_export_key(own).public
            source = "this site's export key"
    except NoExportKey:
        return fail(
            f"no key to check against: this machine has no export key ({own}); give "
            "--key with the site's public key (the output of `veil keys export-public`)",
            2,
        )
    except (OSError, KeyProblem) as error:
        message = f"{args.key}: {error.strerror}" if isinstance(error, OSError) else str(error)
        return fail(message, 2)
    result = verify_export(args.path, key)
    if result.signed:
        _describe(result, key, source)
    for problem in result.problems:
        say(f"FAILED {problem.path}: {problem.what}")
    if not result.ok:
        count = len(result.problems)
        return fail(f"{args.path} did not verify: {count} problem{'s' * (count != 1)}", 1)
    return 0


def _read_key_file(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(LARGEST_KEY_FILE + 1)
    if len(data) > LARGEST_KEY_FILE:
        raise OSError(0, "too large to be a public key")
    return data.decode("utf-8", "replace")


def _describe(result: Verification, key: PublicKey, source: str) -> None:
    """What the signed manifest says, one labelled line each."""
    manifest = result.manifest or {}

    def get(*path: str) -> object:
        value: object = manifest
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    def line(label: str, text: str) -> None:
        say(f"  {label:<11}{text}")

    verdict = "verified" if result.ok else "manifest signature valid, export NOT verified"
    say(f"{verdict}: {result.manifest_path}")
    line("signature", f"Ed25519, key {key.key_id} ({source}), over RFC 8785 canonical JSON")
    files = get("files")
    listed = len(files) if isinstance(files, list) else 0
    line("files", f"{result.checked_files} of {listed} match their SHA-256 and size")
    authorizer = get("authorizer")
    line(
        "exported",
        f"{get('created')} by {get('operator')}"
        + (f", liftable masks lifted as authorized by {authorizer}" if authorizer else "")
        + f"; reason: {get('reason') or '(none given)'}",
    )
    line("site", f"{get('site', 'name')} (site file SHA-256 {get('site', 'sha256')})")
    line("camera", f"{get('camera', 'id')} ({get('camera', 'name')})")
    line(
        "range",
        f"{get('range', 'from')} to {get('range', 'to')}: {get('frames')} frames, "
        f"{get('first_frame')} to {get('last_frame')}",
    )
    size = get("size")
    shape = "x".join(str(side) for side in size) if isinstance(size, list) else "?"
    line(
        "output",
        f"{get('output', 'name')}: {get('output', 'format')} ({get('output', 'codec')}), "
        f"{shape} at {get('fps')} fps, {get('lifted_frames')} frames with liftable masks lifted",
    )
    for label, masks in (("mask", get("masks")), ("extra mask", get("extra_masks"))):
        for mask in masks if isinstance(masks, list) else []:
            line(label, _mask_text(mask))
    gaps = get("gaps")
    for gap in gaps if isinstance(gaps, list) else []:
        if isinstance(gap, dict):
            line("gap", f"{gap.get('from')} to {gap.get('to')}: {gap.get('why')}")


def _mask_text(mask: object) -> str:
    if not isinstance(mask, dict):
        return str(mask)
    geometry = mask.get("geometry")
    shape = (
        ", ".join(f"{name} {value}" for name, value in geometry.items())
        if isinstance(geometry, dict)
        else str(geometry)
    )
    look = mask.get("color") or f"level {mask.get('level')}"
    return f"{mask.get('id')}: {mask.get('kind')} {mask.get('style')} ({look}), {shape}"

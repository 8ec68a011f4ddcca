"""Checking an export as its recipient would: the manifest's signature, then every file.

Everything in a manifest handed back for checking is hostile until its signature holds:
it is parsed strictly (a duplicate key could show one reader a different value than the
one signed), file names must stay inside the export, and every problem is collected so
the verifier names each file and what is wrong with it, not just the first.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from console.core.evidence.canonical import NotCanonical
from console.core.evidence.keys import PublicKey
from console.core.evidence.manifest import MANIFEST_SCHEMA, MANIFEST_SUFFIX, manifest_path_for
from console.core.evidence.signature import SIGNED_BY, manifest_bytes, signature_valid

LARGEST_MANIFEST = 256 * 2**20
"""A manifest lists ~120 bytes per still: this is over two million stills."""
_SIMPLE_NAME = re.compile(r"[^/\x00]+")


@dataclass(frozen=True, slots=True)
class Problem:
    path: Path
    what: str


@dataclass
class Verification:
    manifest_path: Path
    manifest: dict[str, object] | None = None
    """The parsed manifest; trust what it says only when `signed` is True."""
    signed: bool = False
    """The signature is by the key checked against, over exactly this content."""
    checked_files: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.signed and not self.problems

    def fail(self, path: Path, what: str) -> None:
        self.problems.append(Problem(path, what))


def manifest_for(path: Path) -> Path:
    """The manifest of an export given as the manifest itself, its video or its folder."""
    if path.name.endswith(MANIFEST_SUFFIX):
        return path
    return manifest_path_for(path)


def verify_export(path: Path, key: PublicKey) -> Verification:
    """Check the export at `path` against `key`; never raises for anything in the files."""
    result = Verification(manifest_for(path))
    read = _read_manifest(result)
    if read is None:
        return result
    manifest, raw = read
    result.manifest = manifest
    _check_signature(result, manifest, key)
    if result.signed and not _as_written(manifest, raw):
        result.fail(
            result.manifest_path,
            "its signed content is intact but its bytes are not as Veil wrote them "
            "(re-formatted or re-encoded after export)",
        )
    _check_files(result, manifest)
    return result


def _as_written(manifest: dict[str, object], raw: bytes) -> bool:
    try:
        return manifest_bytes(manifest) == raw
    except UnicodeEncodeError:
        return False


def _read_manifest(result: Verification) -> tuple[dict[str, object], bytes] | None:
    path = result.manifest_path
    try:
        if path.stat().st_size > LARGEST_MANIFEST:
            result.fail(path, f"is larger than {LARGEST_MANIFEST // 2**20} MiB: not a manifest")
            return None
        raw = path.read_bytes()
    except FileNotFoundError:
        result.fail(path, "missing: an export without its manifest cannot be checked")
        return None
    except OSError as error:
        result.fail(path, f"cannot be read: {error.strerror or error}")
        return None
    try:
        parsed = json.loads(
            raw.decode("utf-8"), object_pairs_hook=_unique_keys, parse_constant=_no_constant
        )
    except (UnicodeDecodeError, ValueError) as error:
        result.fail(path, f"is not valid JSON: {error}")
        return None
    except RecursionError:
        result.fail(path, "is not a manifest: its JSON nests too deep to read")
        return None
    if not isinstance(parsed, dict):
        result.fail(path, "is not a JSON object")
        return None
    if parsed.get("schema") != MANIFEST_SCHEMA:
        result.fail(path, f"is not a signed Veil export manifest (schema {MANIFEST_SCHEMA})")
        return None
    return parsed, raw


def _unique_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    keys = [key for key, _ in pairs]
    for key in keys:
        if keys.count(key) > 1:
            raise ValueError(f"the key {key!r} appears twice in one object")
    return dict(pairs)


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not a JSON number")


def _check_signature(result: Verification, manifest: dict[str, object], key: PublicKey) -> None:
    path = result.manifest_path
    signer = manifest.get(SIGNED_BY)
    claimed = signer.get("key_id") if isinstance(signer, dict) else None
    if not isinstance(claimed, str):
        result.fail(path, "names no signing key (signed_by.key_id)")
        return
    if claimed != key.key_id:
        result.fail(path, f"is signed by key {claimed}, not by the key given ({key.key_id})")
        return
    try:
        valid = signature_valid(manifest, key)
    except NotCanonical as error:
        valid = False
        result.fail(path, f"has no canonical form to check: {error}")
        return
    if not valid:
        result.fail(path, "the signature does not match: the manifest was changed after export")
        return
    result.signed = True


def _check_files(result: Verification, manifest: dict[str, object]) -> None:
    folder = result.manifest_path.parent
    output = manifest.get("output")
    name = output.get("name") if isinstance(output, dict) else None
    files = manifest.get("files")
    if not isinstance(name, str) or not _SIMPLE_NAME.fullmatch(name) or name in (".", ".."):
        result.fail(result.manifest_path, "names no output (output.name)")
        return
    if not isinstance(files, list) or not files:
        result.fail(result.manifest_path, "lists no files")
        return
    if not os.path.lexists(folder / name):
        result.fail(folder / name, "missing")
        return
    inside: set[str] = set()
    for entry in files:
        relative = _entry_name(entry, name)
        if relative is None:
            result.fail(result.manifest_path, f"lists a file outside the export: {entry!r}")
            continue
        inside.add(relative.removeprefix(f"{name}/"))
        _check_file(result, folder / relative, entry)
    if os.path.isdir(folder / name) and not os.path.islink(folder / name):
        for extra in sorted(set(os.listdir(folder / name)) - inside):
            result.fail(folder / name / extra, "is not in the manifest (added after the export)")


def _entry_name(entry: object, output: str) -> str | None:
    """The entry's name when it is the output file or a file directly inside the output."""
    if not isinstance(entry, dict):
        return None
    name = entry.get("name")
    if not isinstance(name, str):
        return None
    parts = name.split("/")
    if parts[0] != output or len(parts) > 2:
        return None
    if any(not _SIMPLE_NAME.fullmatch(part) or part in (".", "..") for part in parts):
        return None
    return name


def _check_file(result: Verification, path: Path, entry: dict[str, object]) -> None:
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        result.fail(path, "missing")
        return
    except OSError as error:
        result.fail(path, f"cannot be read: {error.strerror or error}")
        return
    if not stat.S_ISREG(info.st_mode):
        result.fail(path, "is not a plain file")
        return
    expected_size, expected_hash = entry.get("bytes"), entry.get("sha256")
    if info.st_size != expected_size:
        result.fail(path, f"is {info.st_size} bytes; the manifest says {expected_size}")
        return
    try:
        found = _sha256(path)
    except OSError as error:
        result.fail(path, f"cannot be read: {error.strerror or error}")
        return
    if found != expected_hash:
        result.fail(path, f"SHA-256 {found} differs from the manifest's: the file was changed")
        return
    result.checked_files += 1


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()

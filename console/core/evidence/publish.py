"""An export appears all at once or not at all.

The output is written under a temporary name in the destination folder, and so is the
manifest; only after both are complete and the audit holds the record are they renamed
into place. A name taken before or during the export is never overwritten.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from console.core.evidence.durable import sync_folder, write_synced
from console.core.evidence.errors import ExportError, ExportRefused
from console.core.evidence.manifest import MANIFEST_SUFFIX, manifest_path_for


def check_destination(out: Path) -> None:
    """Refuse before any work when the output or its manifest exists or cannot be written."""
    manifest = manifest_path_for(out)
    for path in (out, manifest):
        if os.path.lexists(path):
            raise ExportRefused(f"{path} already exists; an export never overwrites a file")
    folder = out.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise ExportRefused(f"cannot export to {out}: {folder} {what}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot export to {out}: {folder} is not writable")


def write_temp(out: Path, data: bytes) -> Path:
    """The manifest under a temporary name beside the output, synced to disk."""
    try:
        handle, name = tempfile.mkstemp(
            dir=out.parent, prefix=f".{out.name}.partial-", suffix=MANIFEST_SUFFIX
        )
        os.close(handle)
        try:
            write_synced(Path(name), data)
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise ExportError(f"writing the manifest for {out} failed: {error.strerror}") from None
    return Path(name)


def publish(temp: Path, out: Path, manifest_temp: Path) -> Path:
    """Rename output and manifest into place; on failure remove whatever got there."""
    manifest = manifest_path_for(out)
    try:
        for path in (out, manifest):
            if os.path.lexists(path):
                raise ExportError(f"{path} appeared during the export; not overwriting it")
        os.rename(temp, out)
        try:
            os.rename(manifest_temp, manifest)
        except BaseException:
            if out.is_dir():
                shutil.rmtree(out, ignore_errors=True)
            else:
                out.unlink(missing_ok=True)
            raise
        sync_folder(out.parent)
    except OSError as error:
        raise ExportError(f"could not move the export into place at {out}: {error}") from None
    return manifest

"""Bytes on disk that survive a power cut: synced files, synced renames, synced hashes.

Evidence that is reported written must be written; every export file goes through here.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def write_synced(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path` and flush it to disk; OSError as it comes."""
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def synced_sha256(path: Path) -> tuple[str, int]:
    """Flush the encoder's file to disk, then hash it as stored: (SHA-256, bytes)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        os.fsync(handle.fileno())
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def sync_folder(folder: Path) -> None:
    """Make the renames durable, where the platform lets a folder be synced."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)

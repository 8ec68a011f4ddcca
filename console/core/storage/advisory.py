"""PostgreSQL advisory lock ids: the same name gives the same lock on every host.

Veil's locks are named (a store's writers, the schema's migrators), and PostgreSQL
wants a 64-bit number; a hash of the name, prefixed so no other application's numbers
collide with ours by accident, is stable across hosts, processes and Veil versions.
"""

from __future__ import annotations

import hashlib


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock id for `name`."""
    digest = hashlib.sha256(f"veil:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)

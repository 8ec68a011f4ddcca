"""The keyring every test uses: a JSON file in the test's own XDG data dir.

Tests never touch the OS keyring, and Veil refuses the insecure backends a test might
otherwise reach for (keyrings.alt's `PlaintextKeyring`, the null backend), so every test
selects this one explicitly: the autouse fixture in `tests/conftest.py` in-process, and
``PYTHON_KEYRING_BACKEND=tests.support.keyrings.FileKeyring`` for the processes tests
start (it reads `XDG_DATA_HOME` when used, so each child finds its own test's file).
It is a test fixture, not a store for real secrets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

BACKEND = f"{__name__}.FileKeyring"
"""The value of PYTHON_KEYRING_BACKEND that selects this backend in a child process."""


class FileKeyring(KeyringBackend):
    """Secrets as {"service\\x00user": secret} in ``$XDG_DATA_HOME/test-keyring.json``."""

    priority = 1  # type: ignore[assignment]

    @property
    def path(self) -> Path:
        return Path(os.environ["XDG_DATA_HOME"]) / "test-keyring.json"

    def _entries(self) -> dict[str, str]:
        try:
            entries: dict[str, str] = json.loads(self.path.read_text())
        except FileNotFoundError:
            return {}
        return entries

    def _save(self, entries: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps(entries))

    def get_password(self, service: str, username: str) -> str | None:
        return self._entries().get(f"{service}\0{username}")

    def set_password(self, service: str, username: str, password: str) -> None:
        self._save({**self._entries(), f"{service}\0{username}": password})

    def delete_password(self, service: str, username: str) -> None:
        entries = self._entries()
        if entries.pop(f"{service}\0{username}", None) is None:
            raise PasswordDeleteError("not found")
        self._save(entries)

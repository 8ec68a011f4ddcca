"""Signed checkpoints: "the audit chain's record N had hash H when the anchor saw it at T".

A checkpoint is a short signed note in the spirit of C2SP's tlog-checkpoint (a header
line, the size, the head hash, then the signature): for a hash chain the head record's
sequence number is the size and its hash commits to every record before it, so one
checkpoint the database still matches proves that nothing up to it was removed or
rewritten. Ed25519 (via `cryptography`) because signatures are small, fast to check on
any machine, and the public key is short enough to pin in the site file.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from console.core.site.kinds import ANCHOR_KEY_PREFIX

HEADER = "veil audit checkpoint v1"
"""First line of every signed note, so a signature can never be replayed as another kind."""


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One signed head of the chain."""

    seq: int
    hash: str
    time: str
    """When the anchor signed it, by the anchor's clock (UTC, ISO 8601)."""
    signature: str
    """Base64 Ed25519 signature over `note`."""

    @property
    def note(self) -> bytes:
        return note(self.seq, self.hash, self.time)

    def signed_by(self, key: Ed25519PublicKey) -> bool:
        try:
            key.verify(base64.b64decode(self.signature, validate=True), self.note)
        except (InvalidSignature, binascii.Error, ValueError):
            return False
        return True

    def as_json(self) -> dict[str, object]:
        return {"seq": self.seq, "hash": self.hash, "time": self.time, "sig": self.signature}

    @classmethod
    def from_json(cls, value: object) -> Checkpoint:
        """Raises ValueError for anything but a well-formed checkpoint object."""
        if not isinstance(value, dict):
            raise ValueError("a checkpoint must be a JSON object")
        seq, head, time, signature = (value.get(key) for key in ("seq", "hash", "time", "sig"))
        if not (isinstance(seq, int) and seq >= 1):
            raise ValueError("a checkpoint's seq must be a positive integer")
        if not all(isinstance(text, str) for text in (head, time, signature)):
            raise ValueError("a checkpoint's hash, time and sig must be strings")
        return cls(seq, str(head), str(time), str(signature))

    def line(self) -> str:
        """One line of the anchor's log."""
        return json.dumps(self.as_json(), separators=(",", ":"))

    @classmethod
    def from_line(cls, text: str) -> Checkpoint:
        return cls.from_json(json.loads(text))


def note(seq: int, head: str, time: str) -> bytes:
    return f"{HEADER}\n{seq}\n{head}\n{time}\n".encode("ascii")


def sign(key: Ed25519PrivateKey, seq: int, head: str, time: str) -> Checkpoint:
    signature = base64.b64encode(key.sign(note(seq, head, time))).decode("ascii")
    return Checkpoint(seq, head, time, signature)


def public_key_text(key: Ed25519PublicKey) -> str:
    """``ed25519:`` and the raw 32-byte key in base64: what the site file pins (and
    `console.core.site.kinds.AnchorKey` reads back)."""
    return ANCHOR_KEY_PREFIX + base64.b64encode(key.public_bytes_raw()).decode("ascii")

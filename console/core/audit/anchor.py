"""The audit's anchor as the console sees it: a signer it asks, and a log it checks against.

A keyless hash chain cannot show that its newest records were cut off, or that the
whole chain was rewritten consistently, or that the database was deleted and a new
one begun: whoever can write the file can do all three. The anchor is a separate
signer (`console.core.audit.signer`), run under an account of its own, that signs a
`Checkpoint` of the chain's head after every record and keeps the checkpoints in a log
of its own. Its key and its log are out of the console account's reach, and the site
file (installed by an administrator) pins its public key, so:

- records cut off the end leave checkpoints for sequence numbers the database no
  longer holds;
- a rewritten chain no longer matches the hashes the anchor signed;
- a deleted database leaves a log of checkpoints with no records behind them, and no
  console starts a fresh chain while the anchor has any.

Nothing here depends on how records are stored: the anchor sees sequence numbers and
hashes, and `compare` takes the records as read, so another database backend anchors
the same way.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from console.core.audit.checkpoint import Checkpoint

DEFAULT_TIMEOUT = 5.0
"""Seconds to wait for the signer, as long as for another process's database lock."""

MAX_REPLY = 64 * 1024
"""Longest single reply line accepted from the signer."""


class AnchorError(Exception):
    """The anchor could not be reached, refused, or answered nonsense; the message says which."""


class Anchor:
    """The signer listening on a Unix socket, with its public key from the site file."""

    def __init__(
        self, socket_path: Path, public_key: bytes, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        self.socket_path = socket_path
        self.key = Ed25519PublicKey.from_public_bytes(public_key)
        self.timeout = timeout
        self._lock = threading.Lock()
        self._open: tuple[socket.socket, IO[bytes]] | None = None
        """The connection kept between requests (see `console.core.audit.signer`)."""

    def extend(self, seq: int, head: str, prev: str) -> Checkpoint:
        """Ask the anchor to sign record `seq`; the checkpoint that now covers it.

        That is the checkpoint for `seq`, or a later one when another process's record
        was anchored first (the caller checks the later one is in its chain).
        """
        reply = self._ask({"op": "extend", "seq": seq, "hash": head, "prev": prev})
        if not reply.get("ok"):
            raise AnchorError(f"the anchor refused record {seq}: {reply.get('error', '?')}")
        checkpoint = self._signed(reply.get("checkpoint"))
        if checkpoint is None or checkpoint.seq < seq:
            raise AnchorError(f"the anchor answered record {seq} without a checkpoint for it")
        return checkpoint

    def head(self) -> Checkpoint | None:
        """The anchor's newest checkpoint, None when it has signed nothing yet."""
        reply = self._ask({"op": "head"})
        return self._signed(reply.get("checkpoint"))

    def checkpoints(self) -> list[Checkpoint]:
        """Every checkpoint in the anchor's log, oldest first, signatures not yet checked.

        `compare` checks the signatures of the checkpoints its findings rest on, which
        keeps verifying a long audit to one signature check rather than one per record.
        """
        found: list[Checkpoint] = []
        with self._connection() as connection:
            connection.sendall(b'{"op":"log"}\n')
            stream = connection.makefile("r", encoding="ascii", newline="\n")
            try:
                for line in stream:
                    found.append(Checkpoint.from_line(line))
            except (OSError, ValueError) as error:
                raise AnchorError(f"the anchor's log could not be read: {error}") from error
        return found

    def _signed(self, value: object) -> Checkpoint | None:
        if value is None:
            return None
        try:
            checkpoint = Checkpoint.from_json(value)
        except ValueError as error:
            raise AnchorError(f"the anchor answered nonsense: {error}") from None
        if not checkpoint.signed_by(self.key):
            raise AnchorError(
                f"the anchor at {self.socket_path} signs with another key than the site's "
                "[audit] anchor_key"
            )
        return checkpoint

    def _ask(self, request: dict[str, object]) -> dict[str, object]:
        """One request on the kept connection; asked again once on a fresh one when the
        signer had hung up (every request is safe to repeat)."""
        payload = json.dumps(request).encode("ascii") + b"\n"
        with self._lock:
            for attempt in range(2):
                if self._open is None:
                    connection = self._connection()
                    self._open = (connection, connection.makefile("rb"))
                connection, stream = self._open
                try:
                    connection.sendall(payload)
                    line = stream.readline(MAX_REPLY)
                    if not line:
                        raise ConnectionResetError("the anchor hung up")
                    reply = json.loads(line)
                    break
                except (OSError, ValueError) as error:
                    self._close()
                    if attempt or isinstance(error, TimeoutError | ValueError):
                        raise AnchorError(
                            f"no answer from the anchor at {self.socket_path}"
                        ) from error
        if not isinstance(reply, dict):
            raise AnchorError("the anchor answered nonsense")
        return reply

    def _close(self) -> None:
        if self._open is not None:
            connection, stream = self._open
            stream.close()
            connection.close()
            self._open = None

    def _connection(self) -> socket.socket:
        connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        connection.settimeout(self.timeout)
        try:
            connection.connect(str(self.socket_path))
        except OSError as error:
            connection.close()
            reason = error.strerror or str(error)
            raise AnchorError(
                f"the anchor at {self.socket_path} is unreachable ({reason})"
            ) from None
        return connection


@dataclass(frozen=True, slots=True)
class Comparison:
    """What the anchor's checkpoints say about the records a database holds."""

    problem: str
    """The first thing wrong ("" when every checkpoint matches)."""
    first_bad: int | None
    """The first record the problem concerns."""
    checkpoint: Checkpoint | None
    """The newest checkpoint, when it matches the database."""
    unanchored: tuple[int, int] | None
    """First and last record after the newest checkpoint, if any: not covered by it."""
    truncated: bool = False
    """The problem is records missing from the end (all of them, for an empty database)."""


def compare(
    hashes: dict[int, str], checkpoints: list[Checkpoint], key: Ed25519PublicKey
) -> Comparison:
    """Check a database's records (sequence number -> hash) against the anchor's log.

    Per record anchored, the first checkpoint the database contradicts names the first
    rewritten record exactly; the newest checkpoint beyond the database's end names the
    records cut off. Every finding rests on a checkpoint whose signature is checked.
    """
    newest = max(hashes, default=0)
    if not checkpoints:
        return Comparison("", None, None, (1, newest) if newest else None)
    previous = 0
    matched = 0
    for checkpoint in checkpoints:
        if checkpoint.seq <= previous:
            return Comparison(
                f"the anchor's log is out of order at record {checkpoint.seq}", None, None, None
            )
        previous = checkpoint.seq
        stored = hashes.get(checkpoint.seq)
        if stored is None or stored == checkpoint.hash:
            matched = checkpoint.seq if stored is not None else matched
            continue
        if not checkpoint.signed_by(key):
            return _bad_signature(checkpoint)
        after = (
            f"after record {matched}, the last that matches the anchor"
            if matched
            else "from its first record"
        )
        return Comparison(
            f"record {checkpoint.seq} differs from the one the anchor signed at "
            f"{checkpoint.time}: the chain was rewritten {after} (forged?)",
            checkpoint.seq,
            None,
            None,
        )
    last = checkpoints[-1]
    if not last.signed_by(key):
        return _bad_signature(last)
    if last.seq > newest:
        return Comparison(
            f"{span(newest + 1, last.seq)} missing from the end: the anchor signed record "
            f"{last.seq} at {last.time} (truncated?)",
            newest + 1,
            None,
            None,
            truncated=True,
        )
    tail = (last.seq + 1, newest) if newest > last.seq else None
    return Comparison("", None, last, tail)


def _bad_signature(checkpoint: Checkpoint) -> Comparison:
    return Comparison(
        f"the anchor's checkpoint for record {checkpoint.seq} has a bad signature (its log "
        "was altered, or the site's [audit] anchor_key is not this anchor's)",
        checkpoint.seq,
        None,
        None,
    )


def span(first: int, last: int) -> str:
    """ "record 3 is" or "records 3..5 are", for messages about missing records."""
    return f"record {first} is" if first == last else f"records {first}..{last} are"

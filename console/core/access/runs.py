"""Which consoles are running, so the next one to start can say which ended uncleanly.

A console that is killed (SIGKILL, the OOM killer) or loses power writes nothing on its
way out: its last session, and any lift in force, simply stop in the audit. Every
console therefore keeps a small file in ``data_dir / "runs"`` while it runs, with its
logged-in user and its lifts in force (learnt from the records it appends), and holds
an exclusive `flock` on it. The kernel drops that lock however the process ends, so a
console starting later can tell a dead console's file (it can take the lock) from a
live one's (it cannot, even when both run at once for different SSH sessions). For a
dead one it records "session ended uncleanly", naming the lift when one was in force,
which also closes that lift in `open_lifts`, and removes the file.

This relies on the data dir being local to one machine, as the SQLite databases beside
it do; consoles on several machines sharing one database would need leases instead.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from contextlib import suppress
from pathlib import Path

from console.core.audit.open_lifts import ended_lifts
from console.core.audit.trail import AuditLog, AuditRecord, AuditUnavailable, Event

UNCLEAN = "the console ended without closing its session (killed, crashed or lost power)"
"""The cause recorded for a session found ended uncleanly."""


class RunRegistry:
    """This console's run file, and the sweep of those other consoles left behind."""

    def __init__(self, folder: Path, audit: AuditLog) -> None:
        self.folder = folder
        self.audit = audit
        self.run = uuid.uuid4().hex[:12]
        """This console's id in its file and in records about it."""
        self._state: dict[str, object] = {"run": self.run, "pid": os.getpid(), "user": ""}
        self._lifts: dict[str, dict[str, str]] = {}
        self._descriptor: int | None = None

    def start(self) -> None:
        """Register this console, then record how the dead ones ended.

        Raises `AuditUnavailable` when an unclean end cannot be recorded (the dead
        console's file stays for the next start) or the run file cannot be made: a
        console that could not be found again after a kill does not start.
        """
        path = self.folder / f"{self.run}.run"
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            # Locked through a read-only descriptor: a file held open for writing would
            # keep an administrator from remounting the data dir read-only.
            descriptor = os.open(path, os.O_RDONLY)
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            raise AuditUnavailable(
                f"cannot keep this console's run file in {self.folder} "
                f"({error.strerror or error}), so an unclean end could not be recorded"
            ) from None
        self._descriptor = descriptor
        self._save()
        self.audit.observers.append(self._observe)
        for other in sorted(self.folder.glob("*.run")):
            if other != path:
                self._sweep(other)

    def stop(self) -> None:
        """A clean end: the file goes, so no later console reports this one."""
        if self._observe in self.audit.observers:
            self.audit.observers.remove(self._observe)
        if self._descriptor is not None:
            with suppress(OSError):
                (self.folder / f"{self.run}.run").unlink()
            os.close(self._descriptor)
            self._descriptor = None

    def _observe(self, record: AuditRecord) -> None:
        ended = [self._lifts.pop(str(seq), None) for seq in ended_lifts(record)]
        if record.event == Event.LIFT_STARTED:
            self._lifts[str(record.seq)] = {
                "operator": record.operator,
                "authorizer": record.authorizer,
                "reason": record.reason,
            }
        elif record.event == Event.LOGIN_OK:
            self._state["user"] = record.operator
        elif record.event == Event.LOGOUT:
            self._state["user"] = ""
        elif not any(ended):  # an end (expiry, apply, a remote end) changes the file too
            return
        self._save()

    def _save(self) -> None:
        """Rewrite the file in place: a new file (rename) would not carry the lock.

        A failed write is not fatal: the audit still shows the lift as open, only the
        next start cannot then add its "ended uncleanly" record.
        """
        if self._descriptor is None:
            return
        data = json.dumps({**self._state, "lifts": self._lifts}).encode("utf-8")
        with suppress(OSError):
            writer = os.open(self.folder / f"{self.run}.run", os.O_WRONLY | os.O_TRUNC)
            try:
                os.write(writer, data)
            finally:
                os.close(writer)

    def _sweep(self, path: Path) -> None:
        try:
            descriptor = os.open(path, os.O_RDONLY)
        except OSError:
            return
        try:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return  # its console is alive
            if os.fstat(descriptor).st_nlink == 0:
                return  # another console swept it first
            self._record_unclean(os.pread(descriptor, 1 << 20, 0))
            path.unlink()
        finally:
            os.close(descriptor)

    def _record_unclean(self, content: bytes) -> None:
        try:
            state = json.loads(content)
        except ValueError:
            state = None
        if not isinstance(state, dict):
            # Torn by the power cut: who was logged in is lost, but not that it ended.
            self.audit.append(
                Event.SESSION_ENDED_UNCLEANLY,
                outcome="unclean",
                details={"cause": f"{UNCLEAN}; its run file was unreadable"},
            )
            return
        about = {"run": str(state.get("run", "?")), "pid": state.get("pid"), "cause": UNCLEAN}
        lifts = state.get("lifts")
        lifts = lifts if isinstance(lifts, dict) else {}
        for seq, lift in sorted(lifts.items()):
            if not (seq.isdigit() and isinstance(lift, dict)):
                continue
            self.audit.append(
                Event.SESSION_ENDED_UNCLEANLY,
                operator=str(lift.get("operator", "")),
                authorizer=str(lift.get("authorizer", "")),
                reason=str(lift.get("reason", "")),
                outcome="unclean",
                details={**about, "lift": int(seq)},
            )
        user = state.get("user")
        if isinstance(user, str) and user and not lifts:
            self.audit.append(
                Event.SESSION_ENDED_UNCLEANLY, operator=user, outcome="unclean", details=about
            )

"""The database goes down under a running console and comes back (issue 14, section 4).

While it is down, a lift is refused (no record, no lift: fail closed) with a message
naming the server, password checks say the users database is unreachable rather than
"wrong password", and a camera's mask history fails closed. Records of acts that put
masks back (a logout) are queued, and the same objects use the server again once it is
back, without a restart: the queued record lands and the chain verifies.
"""

from __future__ import annotations

import time

import pytest

from console.core.access.lift import LiftController
from console.core.access.lockout import Limits
from console.core.access.users import UserStore, UsersUnavailable
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.site.model import Role
from console.core.storage.mask_history import MaskHistory
from console.core.storage.postgres import PostgresDatabase
from console.core.timebase.clock import FakeClock
from tests.lift.conftest import FAST, PASSWORD
from tests.support.postgres_server import PostgresServer


def test_a_stopped_server_refuses_lifts_and_the_console_reconnects(
    postgres: PostgresServer, pg_url: str
) -> None:
    database = PostgresDatabase(pg_url, connect_timeout=2)
    audit = AuditLog(database)
    roles = {"supervisor": Role("supervisor", frozenset({"lift_privacy_masks"}))}
    users = UserStore(database, roles, audit, params=FAST, limits=Limits())
    users.add("admin", "sam", "supervisor", PASSWORD)
    history = MaskHistory(database)
    history.record_masks("cam", (), "site file x", 1.0)
    gate = LiftController(audit, FakeClock())
    postgres.stop()
    try:
        with pytest.raises(AuditUnavailable, match="PostgreSQL database .* is unreachable"):
            gate.lift("olga", "sam", "case 1", 600, gate.epoch)
        assert not gate.lifted(), "no lift the audit could not record"
        with pytest.raises(UsersUnavailable, match="unreachable"):
            users.authenticate("sam", PASSWORD)
        assert history.timeline("cam").failure, "unreadable history fails closed"
        audit.post(Event.LOGOUT, operator="olga")
        assert audit.backlog().count == 1
    finally:
        postgres.start()
    deadline = time.monotonic() + 10
    while audit.backlog().count and time.monotonic() < deadline:
        time.sleep(0.1)
    assert audit.backlog().count == 0, "the queued logout landed once the server was back"
    gate.lift("olga", "sam", "case 1", 600, gate.epoch)
    assert gate.lifted()
    assert users.authenticate("sam", PASSWORD) is not None
    events = [record.event for record in audit.records()]
    assert events[-2:] == [Event.LOGOUT, Event.LIFT_STARTED]
    assert audit.verify().ok

"""The database goes down under a running console and comes back (issue 14, section 4).

Twice: with the core objects a console is made of, and with the console itself (the app
built by the composition root on a site whose ``[database] url`` is the test's server,
under the Textual pilot). While it is down, a lift is refused (no record, no lift: fail
closed) with a message naming the server, password checks say the users database is
unreachable rather than "wrong password", and a camera's mask history fails closed.
Records of acts that put masks back (a logout) are queued, and the same objects use the
server again once it is back, without a restart: the queued record lands and the chain
verifies. The console
meanwhile keeps its wall: every frame its tiles are given is checked to be masked.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from pathlib import Path

import pytest
from textual.pilot import Pilot

from console.core.access.lift import LiftController
from console.core.access.lockout import Limits
from console.core.access.users import UserStore, UsersUnavailable
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.services import Services, build_services
from console.core.site.model import Camera, Role
from console.core.site.paths import Paths
from console.core.storage.mask_history import MaskHistory
from console.core.storage.postgres import PostgresDatabase
from console.core.timebase.clock import FakeClock
from console.core.video.feed import SourceFactory
from console.ui.app import VeilApp
from console.ui.screens.export import ExportScreen
from console.ui.widgets.camera_tile import CameraTile
from tests.faults.privacy_watch import PrivacyWatch
from tests.lift.conftest import FAST, PASSWORD
from tests.support.frames import SendingSource, gradient
from tests.support.postgres_server import PostgresServer
from tests.ui.conftest import SUPERVISOR, demo_site
from tests.ui.test_export_screen import field, message
from tests.ui.test_lift import notifications
from tests.ui.tiles.conftest import wait_until
from tests.ui.views_pilot import SIZE, open_wall, press


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


def console_on(url: str, tmp_path: Path) -> Services:
    """The demo site with its stores on `url`, built as `veil` builds a console (cameras
    that keep sending one picture, cheap scrypt)."""
    site = dataclasses.replace(demo_site(), database_url=url)
    paths = Paths(site.path, tmp_path / "config", tmp_path / "data")

    def sources_for(camera: Camera) -> SourceFactory:
        return lambda spec: SendingSource(gradient(320, 180))

    return build_services(site, paths, demo=True, params=FAST, sources_for=sources_for)


def lobby_frames(app: VeilApp) -> int:
    return app.screen.query_one("#tile-lobby", CameraTile).frames


async def lobby_keeps_painting(pilot: Pilot[None], app: VeilApp) -> None:
    before = lobby_frames(app)
    await wait_until(pilot, lambda: lobby_frames(app) > before + 2, "new frames on the lobby")


async def test_a_running_console_keeps_its_masked_wall_refuses_and_reconnects(
    postgres: PostgresServer, pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = console_on(pg_url, tmp_path)
    assert "PostgreSQL" in services.audit.where
    lobby = services.feeds["lobby"]
    solid = [mask for mask in lobby.camera.masks if mask.style == "solid"]
    watch = PrivacyWatch(lobby, solid, secret=None)
    monkeypatch.setattr(lobby, "preview", watch.tap())
    app = VeilApp(services)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await open_wall(pilot, SUPERVISOR)
            await lobby_keeps_painting(pilot, app)

            await asyncio.to_thread(postgres.stop)
            try:
                await press(pilot, "ctrl+l")
                assert not services.gate.lifted()
                (refused,) = notifications(app)
                assert refused.startswith("Cannot check users: PostgreSQL database"), refused
                assert "PostgreSQL database" in refused and "is unreachable" in refused
                await lobby_keeps_painting(pilot, app)

                await press(pilot, "e")
                screen = app.screen
                assert isinstance(screen, ExportScreen)
                field(screen, "reason").value = "case 12"
                await press(pilot, "ctrl+s")
                await wait_until(pilot, lambda: not screen.running, "the export's answer")
                said = message(screen)
                assert "Export failed: nothing was exported" in said, said
                assert "is unreachable" in said
                assert not services.paths.exports_dir.exists() or not any(
                    services.paths.exports_dir.iterdir()
                )
                await press(pilot, "escape")
                await lobby_keeps_painting(pilot, app)
                masked = watch.seen.frames
                assert masked > 0 and watch.seen.violations == []
            finally:
                await asyncio.to_thread(postgres.start)

            app.clear_notifications()
            await press(pilot, "ctrl+l")
            assert services.gate.lifted(), notifications(app)
            assert app.is_running
    finally:
        services.stop()
    events = [record.event for record in services.audit.records()]
    assert Event.LIFT_STARTED in events and Event.EXPORT not in events
    assert services.audit.verify().ok

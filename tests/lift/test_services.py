"""The console's wiring: one audit log and one lift controller, asked by every camera."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from console.core.access.demo import DEMO_USERS
from console.core.audit.trail import AuditUnavailable
from console.core.services import Services, build_services
from console.core.site.config import load_site
from console.core.site.paths import Paths
from console.core.timebase.clock import FakeClock
from tests.conftest import DEMO_SITE, REPO
from tests.lift.conftest import FAST
from tests.support.frames import FixedSource, gradient


def build(tmp_path: Path, demo: bool, clock: FakeClock | None = None) -> Services:
    site = load_site(DEMO_SITE)
    return build_services(
        site,
        Paths(site.path, tmp_path / "config", tmp_path / "data"),
        demo=demo,
        clock=clock or FakeClock(),
        params=FAST,
        sources_for=lambda camera: lambda spec: FixedSource(gradient(64, 36)),
    )


def test_every_feed_asks_the_one_lift_controller(tmp_path: Path) -> None:
    clock = FakeClock()
    services = build(tmp_path, demo=False, clock=clock)
    assert services.feeds and all(f.masker.gate is services.gate for f in services.feeds.values())
    assert services.users.audit is services.audit
    assert services.gate.audit is services.audit
    assert services.sessions.controller is services.gate
    assert services.lifts.controller is services.gate

    def lifted() -> set[bool]:
        frames = [feed.preview(32, 18) for feed in services.feeds.values()]
        return {frame.lifted for frame in frames if frame is not None}

    assert lifted() == {False}
    services.gate.lift("sam", "sam", "", 60, services.gate.epoch)
    assert lifted() == {True}
    clock.advance(60)
    assert lifted() == {False}
    services.stop()


def test_the_site_file_in_force_is_recorded_at_start(tmp_path: Path) -> None:
    services = build(tmp_path, demo=False)
    first = services.audit.records()[0]
    assert first.event == "site_loaded"
    assert json.loads(first.details) == {
        "path": str(DEMO_SITE),
        "sha256": load_site(DEMO_SITE).sha256,
    }
    services.stop()


def test_demo_users_are_the_readme_ones_and_only_in_demo_mode(tmp_path: Path) -> None:
    plain = build(tmp_path / "plain", demo=False)
    assert plain.users.list() == []
    plain.stop()
    demo = build(tmp_path / "demo", demo=True)
    readme = (REPO / "README.md").read_text()
    for user in DEMO_USERS:
        found = demo.users.authenticate(user.name, user.password)
        assert found is not None and found.role == user.role
        assert f"| `{user.name}` | `{user.password}` | {user.role} |" in readme
    operator = demo.users.authenticate("operator", "operator-demo")
    supervisor = demo.users.authenticate("supervisor", "supervisor-demo")
    assert operator is not None and supervisor is not None
    assert not demo.lifts.may_lift(operator) and demo.lifts.may_lift(supervisor)
    demo.stop()


def test_a_console_whose_audit_cannot_be_written_does_not_start(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a directory")
    with pytest.raises(AuditUnavailable):
        build(tmp_path, demo=False)

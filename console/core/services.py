"""The console's composition root: everything one run needs, built once and passed in.

The Textual app receives a `Services` instead of building its own dependencies, the way
Harlequin receives an adapter, so tests hand it fake clocks, cheap password hashing and
fixed frames, and the CLI hands it the real ones.

There is exactly one `AuditLog` and one `LiftController` per run: the users store, the
sessions, the lift service and every camera's masker share them, so the lift the
operator sees in the header is the very object each masker asks on every frame.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from console.core.access.authorization import LiftService
from console.core.access.demo import add_demo_users
from console.core.access.lift import LiftController
from console.core.access.passwords import DEFAULT_PARAMS, ScryptParams
from console.core.access.session import Sessions
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog
from console.core.evidence.keys import create_export_key
from console.core.render.terminal import TerminalCaps
from console.core.site.model import Camera, Site
from console.core.site.paths import Paths
from console.core.timebase.clock import Clock, monotonic
from console.core.video import credentials
from console.core.video.feed import CameraFeed, SourceFactory

SourcesFor = Callable[[Camera], SourceFactory | None]
"""Camera -> how to open its sources; None means the real `FrameSource`."""


@dataclass
class Services:
    """Shared, long-lived parts of a console run."""

    site: Site
    paths: Paths
    audit: AuditLog
    """The one audit trail of this run (``paths.audit_db``)."""
    users: UserStore
    gate: LiftController
    """The lift state: asked by every camera's masker on every frame."""
    sessions: Sessions
    lifts: LiftService
    clock: Clock = monotonic
    demo: bool = False
    """True for `veil --demo`: the login screen may then show the demo users."""
    feeds: dict[str, CameraFeed] = field(default_factory=dict)
    caps: TerminalCaps = field(default_factory=TerminalCaps.plain)
    """How tiles are drawn: detected from the terminal before the app starts."""

    def start(self) -> None:
        for feed in self.feeds.values():
            feed.start()

    def stop(self) -> None:
        for feed in self.feeds.values():
            feed.stop()


def build_services(
    site: Site,
    paths: Paths,
    *,
    demo: bool = False,
    clock: Clock = monotonic,
    params: ScryptParams = DEFAULT_PARAMS,
    sources_for: SourcesFor | None = None,
    origin: Mapping[str, str] | None = None,
) -> Services:
    """Wire the parts together, record the site file in the audit, add demo users and a
    demo export key.

    `origin` says where the person at the console connected from (their SSH key), for
    the site, login and logout records. Raises `AuditUnavailable` when the site load
    cannot be recorded (a console whose audit cannot be written could not log anyone
    in), `UsersUnavailable` or `UserError` when the demo users cannot be created, and
    `KeyProblem` when the demo key cannot.
    """
    audit = AuditLog(paths.audit_db)
    users = UserStore(paths.users_db, site.roles, audit, params=params)
    gate = LiftController(audit, clock)
    services = Services(
        site=site,
        paths=paths,
        audit=audit,
        users=users,
        gate=gate,
        sessions=Sessions(site, users, gate, origin),
        lifts=LiftService(site, users, gate),
        clock=clock,
        demo=demo,
    )
    services.feeds = {
        camera.id: CameraFeed(
            camera,
            gate,
            credentials=credentials.resolve,
            clock=clock,
            source_factory=sources_for(camera) if sources_for else None,
        )
        for camera in site.cameras
    }
    services.sessions.record_site()
    if demo:
        add_demo_users(users)
        if not paths.export_key.exists():
            create_export_key(paths.export_key)  # the demo's throw-away data dir: its own key
    return services

"""The console's composition root: everything one run needs, built once and passed in.

The Textual app receives a `Services` instead of building its own dependencies, the way
Harlequin receives an adapter, so tests hand it fake clocks, cheap password hashing and
fixed frames, and the CLI hands it the real ones.

There is exactly one `AuditLog` and one `LiftController` per run: the users store, the
sessions, the lift service and every camera's masker share them, so the lift the
operator sees in the header is the very object each masker asks on every frame.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from time import time as wall_now

from console.core.access.authorization import LiftService
from console.core.access.demo import add_demo_users
from console.core.access.lift import LiftController
from console.core.access.passwords import DEFAULT_PARAMS, ScryptParams
from console.core.access.session import Sessions
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog
from console.core.evidence.keys import create_export_key
from console.core.privacy.timeline import MaskTimeline
from console.core.render.terminal import TerminalCaps
from console.core.site.model import Camera, Site
from console.core.site.paths import Paths
from console.core.storage.mask_history import MaskHistory, MaskHistoryError, site_file_author
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
    history: MaskHistory | None = None
    """Every mask set each camera has had; None only for services built by hand in tests."""

    def timeline(self, camera_id: str) -> MaskTimeline | None:
        """The camera's mask history for masking its recorded video (fails closed)."""
        return None if self.history is None else self.history.timeline(camera_id)

    def start(self) -> None:
        for feed in self.feeds.values():
            feed.start()

    def stop(self) -> None:
        for feed in self.feeds.values():
            feed.stop()


def record_site_masks(history: MaskHistory, site: Site, effective_at: float) -> None:
    """Record each camera's masks from the site file when they differ from its latest set.

    A history that cannot be written does not stop the console: each camera's recorded
    video then fails closed when its history cannot be read either.
    """
    for camera in site.cameras:
        try:
            history.record_masks(
                camera.id, camera.masks, site_file_author(site.sha256), effective_at
            )
        except MaskHistoryError:
            continue


def site_timeline(paths: Paths, site: Site, camera_id: str) -> MaskTimeline:
    """For one-shot commands (export, still, report): record the site's masks, read one
    camera's history."""
    history = MaskHistory(paths.mask_history_db)
    record_site_masks(history, site, wall_now())
    return history.timeline(camera_id)


def build_services(
    site: Site,
    paths: Paths,
    *,
    demo: bool = False,
    clock: Clock = monotonic,
    params: ScryptParams = DEFAULT_PARAMS,
    sources_for: SourcesFor | None = None,
) -> Services:
    """Wire the parts together, record the site file in the audit, add demo users and a
    demo export key.

    Raises `AuditUnavailable` when the site load cannot be recorded (a console whose
    audit cannot be written could not log anyone in), and `UsersUnavailable` or
    `UserError` when the demo users cannot be created, `KeyProblem` when the demo key
    cannot.
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
        sessions=Sessions(site, users, gate),
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
    services.history = MaskHistory(paths.mask_history_db)
    record_site_masks(services.history, site, wall_now())
    if demo:
        add_demo_users(users)
        if not paths.export_key.exists():
            create_export_key(paths.export_key)  # the demo's throw-away data dir: its own key
    return services

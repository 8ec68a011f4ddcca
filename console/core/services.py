"""The console's composition root: everything one run needs, built once and passed in.

The Textual app receives a `Services` instead of building its own dependencies, the way
Harlequin receives an adapter, so tests hand it fake clocks, cheap password hashing and
fixed frames, and the CLI hands it the real ones.

There is exactly one `AuditLog` and one `LiftController` per run: the users store, the
sessions, the lift service and every camera's masker share them, so the lift the
operator sees in the header is the very object each masker asks on every frame.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from time import time as wall_now

from console.core.access.authorization import LiftService
from console.core.access.demo import add_demo_users
from console.core.access.lift import LiftController
from console.core.access.lift_watch import LiftWatch
from console.core.access.lockout import Limits
from console.core.access.passwords import DEFAULT_PARAMS, ScryptParams
from console.core.access.runs import RunRegistry
from console.core.access.session import Sessions
from console.core.access.site_audit import site_audit
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, AuditUnavailable, Event
from console.core.evidence.keys import create_export_key
from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import Mask
from console.core.privacy.timeline import MaskTimeline
from console.core.render.terminal import TerminalCaps
from console.core.site.model import Camera, Site
from console.core.site.paths import Paths
from console.core.site.problems import SiteError
from console.core.site.watch import SiteWatcher
from console.core.storage.mask_history import MaskHistory, MaskHistoryError, site_file_author
from console.core.storage.site_storage import site_storage
from console.core.timebase.clock import Clock, monotonic
from console.core.video import credentials
from console.core.video.feed import CameraFeed, SourceFactory


@dataclass(frozen=True, slots=True)
class SiteApplied:
    """What a site-file change did to this running console."""

    masks_changed: tuple[str, ...]
    """Cameras whose new masks are in force."""
    restart_needed: bool
    """Cameras, roles, carousels or settings changed: they apply after a restart."""


def _only(site: Site, camera_id: str) -> Site:
    return replace(site, cameras=(site.camera(camera_id),))


def _without_masks(site: Site) -> Site:
    """The parts of a site a live change does not apply, for comparison."""
    cameras = tuple(replace(camera, masks=()) for camera in site.cameras)
    return replace(site, cameras=cameras, sha256="")


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
    watcher: SiteWatcher | None = None
    tracked: weakref.WeakKeyDictionary[CameraMasker, tuple[Mask, ...]] = field(
        default_factory=weakref.WeakKeyDictionary
    )
    """Maskers of open playback and export screens, with their extra masks: a site
    change reaches them too. Weak, so a closed screen's masker is simply forgotten."""

    def track(self, masker: CameraMasker, extra: tuple[Mask, ...] = ()) -> CameraMasker:
        """Let site changes reach `masker` (built from the camera's masks plus `extra`)."""
        self.tracked[masker] = extra
        return masker

    def timeline(self, camera_id: str) -> MaskTimeline | None:
        """The camera's mask history for masking its recorded video (fails closed)."""
        return None if self.history is None else self.history.timeline(camera_id)

    def apply_site(self, new: Site) -> SiteApplied:
        """Put a changed, valid site file's masks in force now; say what needs a restart.

        Masks are applied live (each camera's masker swaps them at once), recorded in the
        mask history and the change is audited with the file's hash. Cameras, roles,
        carousels and settings are not: sessions, feeds and lifts were built from them,
        and swapping them under a logged-in operator could widen what he may see, so a
        change there is reported as needing a restart. A camera that is new or gone is
        such a change; the masks of the cameras in both files still apply live.
        """
        now = wall_now()
        old_masks = {camera.id: camera.masks for camera in self.site.cameras}
        changed: list[str] = []
        cameras = []
        for camera in self.site.cameras:
            try:
                fresh = new.camera(camera.id)
            except KeyError:
                cameras.append(camera)
                continue
            if fresh.masks != old_masks[camera.id]:
                changed.append(camera.id)
            cameras.append(replace(camera, masks=fresh.masks))
        restart = _without_masks(self.site) != _without_masks(new)
        self.site = replace(self.site, cameras=tuple(cameras), sha256=new.sha256)
        for camera_id in changed:
            if self.history is not None:
                record_site_masks(self.history, _only(new, camera_id), now)
            feed = self.feeds.get(camera_id)
            if feed is not None:
                feed.masker.use_masks(new.camera(camera_id).masks)
            for masker, extra in list(self.tracked.items()):
                if masker.camera_id == camera_id:
                    masker.use_masks(new.camera(camera_id).masks + extra, self.timeline(camera_id))
        with suppress(AuditUnavailable):  # the masks are in force; the log says why not
            self.audit.append(
                Event.SITE_CHANGED,
                details={
                    "path": str(new.path),
                    "sha256": new.sha256,
                    "masks_changed": ",".join(changed),
                    "restart_needed": "yes" if restart else "no",
                },
            )
        return SiteApplied(tuple(changed), restart)

    def watch_site(self, report: Callable[[SiteApplied | SiteError], None]) -> None:
        """Follow the site file: apply each valid change in the watcher's thread (so masks
        change within the poll interval however busy the UI is), then `report` it.

        A change that cannot be read or validated changes nothing: the last valid masks
        stay in force and `report` gets the problems.
        """
        path = self.site.path
        if self.watcher is not None or not path.is_file():
            return

        def changed(result: Site | SiteError) -> None:
            report(self.apply_site(result) if isinstance(result, Site) else result)

        self.watcher = SiteWatcher(path, self.site.sha256, changed)
        self.watcher.start()

    runs: RunRegistry | None = None
    """This console's run file, which lets the next start find it if it is killed."""
    lift_watch: LiftWatch | None = None
    """Follows the audit while lifted, so a lift ended elsewhere ends here."""

    def start(self) -> None:
        for feed in self.feeds.values():
            feed.start()
        if self.lift_watch is not None:
            self.lift_watch.start()

    def stop(self) -> None:
        if self.lift_watch is not None:
            self.lift_watch.stop()
        if self.watcher is not None:
            self.watcher.stop()
        for feed in self.feeds.values():
            feed.stop()
        if self.runs is not None:
            self.runs.stop()


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
    history = MaskHistory(site_storage(paths, site, credentials.database_password).masks)
    record_site_masks(history, site, wall_now())
    return history.timeline(camera_id)


def build_services(
    site: Site,
    paths: Paths,
    *,
    demo: bool = False,
    clock: Clock = monotonic,
    wall: Clock = time.time,
    params: ScryptParams = DEFAULT_PARAMS,
    sources_for: SourcesFor | None = None,
    origin: Mapping[str, str] | None = None,
) -> Services:
    """Wire the parts together, record the site file in the audit, record how consoles
    that were killed ended (`RunRegistry`), add demo users and a demo export key.

    `origin` says where the person at the console connected from (their SSH key), for
    the site, login and logout records. Raises `AuditUnavailable` when the site load
    cannot be recorded (a console whose audit cannot be written could not log anyone
    in), `UsersUnavailable` or `UserError` when the demo users cannot be created, and
    `KeyProblem` when the demo key cannot. `wall` (seconds since the epoch) times the
    failure records that throttle password guessing, which outlive the run.
    """
    storage = site_storage(paths, site, credentials.database_password)
    audit = site_audit(paths, site, storage)
    users = UserStore(
        storage.users, site.roles, audit, params=params, limits=Limits.of(site), wall=wall
    )
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
    services.history = MaskHistory(storage.masks)
    record_site_masks(services.history, site, wall_now())
    services.runs = RunRegistry(paths.data_dir / "runs", audit)
    services.runs.start()
    services.lift_watch = LiftWatch(gate)
    if demo:
        add_demo_users(users)
        if not paths.export_key.exists():
            create_export_key(paths.export_key)  # the demo's throw-away data dir: its own key
    return services

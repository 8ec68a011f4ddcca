"""A validated site: what the rest of Veil reads instead of the file.

Built only by `console.core.site.config.load_site` from a file (or directly by tests and
benchmarks), so everything here already holds: ids are unique, masks have a geometry,
carousels name cameras that exist, relative paths are resolved. The defaults are the
schema's, so a Site built in code behaves like a file that leaves the keys out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from console.core.privacy.masks import Mask
from console.core.site.schema import AuthTable, CameraTable, MarkerTable, SiteTable

StreamTransport = Literal["auto", "tcp", "udp"]
"""RTSP's lower transport; "auto" lets FFmpeg try UDP, then TCP."""
RecordingsLayout = Literal["veil", "frigate"]


@dataclass(frozen=True, slots=True)
class Role:
    """What a group of users may do."""

    name: str
    permissions: frozenset[str]
    lift_timeout: float | None = None
    """Overrides the site's lift duration for operators of this role."""


@dataclass(frozen=True, slots=True)
class Camera:
    """One camera and the masks that cover its view."""

    id: str
    name: str
    source: str
    masks: tuple[Mask, ...] = ()
    tile_source: str | None = None
    credential: str | None = None
    fps: float | None = None
    recordings: Path | None = None
    transport: StreamTransport = cast(StreamTransport, CameraTable.transport.preset)
    timeout: float = CameraTable.timeout.preset
    recordings_layout: RecordingsLayout = cast(
        RecordingsLayout, CameraTable.recordings_layout.preset
    )
    frigate_camera: str | None = None
    """Set only when Frigate names the camera otherwise; `recordings_name` is what to use."""

    @property
    def recordings_name(self) -> str:
        """The camera's folder in a Frigate recordings tree."""
        return self.frigate_camera or self.id


@dataclass(frozen=True, slots=True)
class Carousel:
    """A wall slot that cycles through cameras."""

    id: str
    name: str
    cameras: tuple[str, ...]
    interval: float


@dataclass(frozen=True, slots=True)
class MapMarker:
    """A camera on a map: normalised position over the plan, view direction and field."""

    camera: str
    x: float
    y: float
    direction: float = MarkerTable.direction.preset
    """Degrees clockwise from the plan's up."""
    fov: float = MarkerTable.fov.preset


@dataclass(frozen=True, slots=True)
class MapLink:
    """A marker on a map that opens another map."""

    target: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class SiteMap:
    """A plan of the site with its cameras; exactly one of `image` and `text` is set."""

    id: str
    name: str
    image: Path | None = None
    """The plan's picture, resolved; checked readable when the site was loaded."""
    text: str | None = None
    """The plan in characters, one per cell, lines joined by newlines."""
    cameras: tuple[MapMarker, ...] = ()
    links: tuple[MapLink, ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    """A validated site. Relative paths in it are already resolved against `directory`."""

    path: Path
    name: str
    cameras: tuple[Camera, ...]
    roles: Mapping[str, Role]
    carousels: tuple[Carousel, ...] = ()
    maps: tuple[SiteMap, ...] = ()
    lift_timeout: float = SiteTable.lift_timeout.preset
    require_lift_reason: bool = SiteTable.require_lift_reason.preset
    auth_max_failures: int = AuthTable.max_failures.preset
    auth_failure_window: float = AuthTable.failure_window.preset
    auth_lockout: float = AuthTable.lockout.preset
    auth_idle_logout: float = AuthTable.idle_logout.preset
    """Seconds without input after which a console logs out; 0.0: never."""
    audit_anchor: Path | None = None
    """The anchor signer's Unix socket (``[audit] anchor``); None: the audit is not anchored."""
    audit_anchor_key: bytes = b""
    """The signer's raw Ed25519 public key (``[audit] anchor_key``)."""
    database_url: str | None = None
    """The shared PostgreSQL database (``[database] url``); None: SQLite in the data dir."""
    sha256: str = ""
    """Of the file as read, so the audit can prove which configuration was in force."""
    directory: Path = field(default=Path("."))

    def camera(self, camera_id: str) -> Camera:
        """The camera with that id; KeyError names the ids that exist."""
        for camera in self.cameras:
            if camera.id == camera_id:
                return camera
        known = ", ".join(camera.id for camera in self.cameras)
        raise KeyError(f"no camera {camera_id!r} in {self.path} (cameras: {known})")

    def lift_timeout_for(self, role: str) -> float:
        """The lift duration for an operator of `role`: the role's override or the site's."""
        override = self.roles[role].lift_timeout if role in self.roles else None
        return override if override is not None else self.lift_timeout

"""A parsed site document turned into a Site, with the rules that join several keys.

The schema checks each key on its own. The rules here span keys and tables: ids unique
in their list, a mask's style deciding whether `color` or `level` applies, exactly one
geometry per mask with a grid's size bounding its cells, carousels naming cameras that
exist, maps naming cameras and maps that exist with a plan that can be read, and
relative paths resolved against the site file's folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import cv2
import numpy as np

from console.core.privacy.masks import Geometry, GridGeometry, Mask, MaskKind, MaskStyle
from console.core.site.kinds import NETWORK_SCHEMES, Cells
from console.core.site.model import (
    Camera,
    Carousel,
    MapLink,
    MapMarker,
    RecordingsLayout,
    Role,
    Site,
    SiteMap,
    StreamTransport,
)
from console.core.site.reader import Fields, Reader
from console.core.site.schema import (
    AuditTable,
    AuthTable,
    CameraTable,
    CarouselTable,
    DatabaseTable,
    LinkTable,
    MapTable,
    MarkerTable,
    MaskTable,
    RoleTable,
    SiteFile,
    SiteTable,
)


def validate(reader: Reader, document: dict[str, Any], sha256: str) -> Site | None:
    """The Site, or None when `reader.problems` says why not."""
    return _Validator(reader).site(document, sha256)


class _Validator:
    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.directory = reader.file.parent

    def site(self, document: dict[str, Any], sha256: str) -> Site | None:
        top = self.reader.fields(SiteFile, document, "")
        if top is None:
            return None
        head = top.section(SiteFile.site)
        name = head.get(SiteTable.name)
        lift = head.get(SiteTable.lift_timeout)
        reason = head.get(SiteTable.require_lift_reason)
        auth = top.section(SiteFile.auth)
        failures = auth.get(AuthTable.max_failures)
        window = auth.get(AuthTable.failure_window)
        lockout = auth.get(AuthTable.lockout)
        idle = auth.get(AuthTable.idle_logout)
        anchor, anchor_key = self.anchor(top.section(SiteFile.audit))
        database = top.section(SiteFile.database).get(DatabaseTable.url)
        roles = self.roles(top)
        cameras = self.cameras(top)
        carousels = self.carousels(top, {camera.id for camera in cameras})
        maps = self.maps(top, {camera.id for camera in cameras})
        if (
            name is None
            or lift is None
            or reason is None
            or failures is None
            or window is None
            or lockout is None
            or idle is None
        ):
            return None
        return Site(
            path=self.reader.file,
            name=name,
            cameras=tuple(cameras),
            roles=roles,
            carousels=tuple(carousels),
            maps=tuple(maps),
            lift_timeout=lift,
            require_lift_reason=reason,
            auth_max_failures=failures,
            auth_failure_window=window,
            auth_lockout=lockout,
            auth_idle_logout=idle,
            audit_anchor=anchor,
            audit_anchor_key=anchor_key,
            database_url=database,
            sha256=sha256,
            directory=self.directory,
        )

    def anchor(self, audit: Fields) -> tuple[Path | None, bytes]:
        """The signer's socket and key: the two go together, one is no use alone."""
        socket = audit.get(AuditTable.anchor)
        key = audit.get(AuditTable.anchor_key)
        for present, missing in ((AuditTable.anchor, AuditTable.anchor_key),
                                 (AuditTable.anchor_key, AuditTable.anchor)):  # fmt: skip
            if present in audit and missing not in audit:
                self.reader.report(
                    audit.at(present),
                    f"needs audit.{missing.name} too: the signer's socket and its key go together",
                )
        if socket is None or key is None:
            return None, b""
        return (self.directory / socket).resolve(), key

    def roles(self, top: Fields) -> dict[str, Role]:
        roles: dict[str, Role] = {}
        for name, role in top.named(SiteFile.roles):
            permissions = role.get(RoleTable.permissions)
            timeout = role.get(RoleTable.lift_timeout)
            roles[name] = Role(name, frozenset(permissions or ()), timeout)
        return roles

    def cameras(self, top: Fields) -> list[Camera]:
        cameras: list[Camera] = []
        seen: set[str] = set()
        for fields in top.entries(SiteFile.cameras):
            camera = self.camera(fields)
            if camera is None:
                continue
            if camera.id in seen:
                self.reader.report(fields.at(CameraTable.id), f"duplicate camera id {camera.id!r}")
            seen.add(camera.id)
            cameras.append(camera)
        return cameras

    def camera(self, fields: Fields) -> Camera | None:
        camera_id = fields.get(CameraTable.id)
        name = fields.get(CameraTable.name)
        source = fields.get(CameraTable.source)
        tile_source = fields.get(CameraTable.tile_source)
        credential = fields.get(CameraTable.credential)
        fps = fields.get(CameraTable.fps)
        transport = fields.get(CameraTable.transport)
        timeout = fields.get(CameraTable.timeout)
        recordings = fields.get(CameraTable.recordings)
        layout = fields.get(CameraTable.recordings_layout)
        frigate_camera = fields.get(CameraTable.frigate_camera)
        if CameraTable.frigate_camera in fields and layout != "frigate":
            self.reader.report(
                fields.at(CameraTable.frigate_camera),
                'applies to recordings_layout = "frigate" only',
            )
        masks = self.masks(fields)
        if camera_id is None or name is None or source is None:
            return None
        return Camera(
            id=camera_id,
            name=name,
            source=self.resolve(source),
            masks=tuple(masks),
            tile_source=self.resolve(tile_source) if tile_source else None,
            credential=credential,
            fps=fps,
            recordings=self.directory / recordings if recordings else None,
            transport=cast(StreamTransport, transport or CameraTable.transport.preset),
            timeout=timeout or CameraTable.timeout.preset,
            recordings_layout=cast(
                RecordingsLayout, layout or CameraTable.recordings_layout.preset
            ),
            frigate_camera=frigate_camera,
        )

    def resolve(self, source: str) -> str:
        """File sources become absolute, relative to the site file's folder."""
        if source.lower().startswith(NETWORK_SCHEMES + ("device:", "pattern:")):
            return source
        return str((self.directory / source).resolve())

    def masks(self, camera: Fields) -> list[Mask]:
        masks: list[Mask] = []
        seen: set[str] = set()
        for fields in camera.entries(CameraTable.masks):
            mask = self.mask(fields)
            if mask is None:
                continue
            if mask.id in seen:
                self.reader.report(
                    fields.at(MaskTable.id), f"duplicate mask id {mask.id!r} on this camera"
                )
            seen.add(mask.id)
            masks.append(mask)
        return masks

    def mask(self, fields: Fields) -> Mask | None:
        mask_id = fields.get(MaskTable.id)
        kind = fields.get(MaskTable.kind)
        style = fields.get(MaskTable.style) or ("solid" if kind == "permanent" else "blur")
        if MaskTable.color in fields and style != "solid":
            self.reader.report(
                fields.at(MaskTable.color),
                f"color applies to solid masks only; this one is {style}",
            )
        if MaskTable.level in fields and style == "solid":
            self.reader.report(
                fields.at(MaskTable.level), "level applies to blur and pixelate masks only"
            )
        color = fields.get(MaskTable.color)
        level = fields.get(MaskTable.level)
        geometry = self.geometry(fields)
        if mask_id is None or kind is None or geometry is None or color is None or level is None:
            return None
        return Mask(
            id=mask_id,
            kind=cast(MaskKind, kind),
            style=cast(MaskStyle, style),
            geometry=geometry,
            color=color,
            level=level,
        )

    def geometry(self, fields: Fields) -> Geometry | None:
        given = [
            key.name for key in (MaskTable.grid, MaskTable.rect, MaskTable.polygon) if key in fields
        ]
        if MaskTable.cells in fields and MaskTable.grid not in fields:
            self.reader.report(
                fields.at(MaskTable.cells), 'cells need a grid = "16x16" beside them'
            )
            return None
        if len(given) != 1:
            self.reader.report(
                fields.path,
                "expected exactly one geometry: grid + cells, rect, or polygon"
                + (f" (found {', '.join(given)})" if given else ""),
            )
            return None
        if MaskTable.rect in fields:
            return fields.get(MaskTable.rect)
        if MaskTable.polygon in fields:
            return fields.get(MaskTable.polygon)
        size = fields.get(MaskTable.grid)
        if size is None:
            return None
        cells = fields.get(MaskTable.cells, Cells(size), required=True)
        return GridGeometry(size, cells) if cells else None

    def carousels(self, top: Fields, cameras: set[str]) -> list[Carousel]:
        carousels: list[Carousel] = []
        for fields in top.entries(SiteFile.carousels):
            carousel_id = fields.get(CarouselTable.id)
            name = fields.get(CarouselTable.name)
            members = fields.get(CarouselTable.cameras)
            interval = fields.get(CarouselTable.interval)
            if members is not None and not members:
                self.reader.report(
                    fields.at(CarouselTable.cameras), "expected at least one camera id"
                )
            for position, member in enumerate(members or []):
                if member not in cameras:
                    self.reader.report(
                        f"{fields.at(CarouselTable.cameras)}[{position}]",
                        f"unknown camera id {member!r}",
                    )
            if carousel_id and name and members and interval:
                carousels.append(Carousel(carousel_id, name, tuple(members), interval))
        return carousels

    def maps(self, top: Fields, cameras: set[str]) -> list[SiteMap]:
        """Links are checked once every map is read: a link may name a map further down."""
        maps: list[SiteMap] = []
        links: list[tuple[str, Fields, str]] = []
        seen: set[str] = set()
        for fields in top.entries(SiteFile.maps):
            map_id = fields.get(MapTable.id)
            name = fields.get(MapTable.name)
            if map_id is not None and map_id in seen:
                self.reader.report(fields.at(MapTable.id), f"duplicate map id {map_id!r}")
            image, text = self.plan(fields)
            markers = self.markers(fields, cameras)
            found = []
            for link in fields.entries(MapTable.links):
                target = link.get(LinkTable.target)
                x, y = link.get(LinkTable.x), link.get(LinkTable.y)
                if target is not None:
                    links.append((target, link, map_id or ""))
                if target is not None and x is not None and y is not None:
                    found.append(MapLink(target, x, y))
            if map_id is None or name is None or (image is None and text is None):
                continue
            seen.add(map_id)
            maps.append(SiteMap(map_id, name, image, text, tuple(markers), tuple(found)))
        known = {site_map.id for site_map in maps}
        for target, link, source in links:
            if target == source:
                self.reader.report(link.at(LinkTable.target), "a map cannot link to itself")
            elif target not in known:
                listed = ", ".join(sorted(known)) or "none"
                self.reader.report(
                    link.at(LinkTable.target), f"unknown map id {target!r} (maps: {listed})"
                )
        return maps

    def plan(self, fields: Fields) -> tuple[Path | None, str | None]:
        """The map's one plan: a readable picture, or text."""
        image, text = fields.get(MapTable.image), fields.get(MapTable.text)
        if (MapTable.image in fields) == (MapTable.text in fields):
            self.reader.report(
                fields.path, "expected exactly one plan: image (a picture file) or text"
            )
            return None, None
        if image is None:
            return None, text
        path = (self.directory / image).resolve()
        problem = unreadable_picture(path)
        if problem is not None:
            self.reader.report(fields.at(MapTable.image), problem)
            return None, None
        return path, None

    def markers(self, fields: Fields, cameras: set[str]) -> list[MapMarker]:
        markers: list[MapMarker] = []
        placed: set[str] = set()
        for marker in fields.entries(MapTable.cameras):
            camera = marker.get(MarkerTable.camera)
            x, y = marker.get(MarkerTable.x), marker.get(MarkerTable.y)
            direction, fov = marker.get(MarkerTable.direction), marker.get(MarkerTable.fov)
            if camera is not None and camera not in cameras:
                listed = ", ".join(sorted(cameras))
                self.reader.report(
                    marker.at(MarkerTable.camera),
                    f"unknown camera id {camera!r} (cameras: {listed})",
                )
                continue
            if camera is not None and camera in placed:
                self.reader.report(
                    marker.at(MarkerTable.camera), f"camera {camera!r} is on this map already"
                )
                continue
            if camera is None or x is None or y is None or direction is None or fov is None:
                continue
            placed.add(camera)
            markers.append(MapMarker(camera, x, y, direction, fov))
        return markers


PLAN_MAX_BYTES = 32 * 1024 * 1024
"""A plan's picture larger than this is refused before it is decoded: a floor plan needs
far less, and the site file is not trusted to name a sensible file."""


def unreadable_picture(path: Path) -> str | None:
    """Why `path` is not a picture the console can draw, or None when it is one."""
    try:
        size = path.stat().st_size
        if size > PLAN_MAX_BYTES:
            return f"expected a picture of at most {PLAN_MAX_BYTES // 2**20} MB, {path} is larger"
        data = path.read_bytes()
    except OSError as error:
        return f"expected a readable picture file, cannot read {path}: {error.strerror or error}"
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if picture is None or picture.size == 0:
        return f"expected a PNG or JPEG picture, {path} is not one"
    return None

"""Site configuration: one `site.toml` describes cameras, masks, roles and lift policy.

Validation collects every problem instead of stopping at the first, because an
administrator fixing a site file wants the whole list in one go. Each problem names the
file, the key path (`cameras[2].masks[0].cells[1]`), the line and what was expected.
Unknown keys are errors: a misspelt `kind = "permanant"` or `lift_timout` must never be
silently ignored, since either could leave video less masked than intended.
"""

from __future__ import annotations

import hashlib
import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast

from console.core.privacy.masks import (
    GRID_SIZES,
    Geometry,
    GridGeometry,
    Mask,
    MaskKind,
    MaskStyle,
    PolygonGeometry,
    RectGeometry,
    crossing_edges,
)
from console.core.site.durations import parse_duration

PERMISSIONS = frozenset(
    {"live", "playback", "export", "lift_privacy_masks", "audit", "export_unmasked", "admin"}
)
"""Everything a role can be granted. No role holds `lift_privacy_masks` unless a site says so."""

MIN_LIFT = 60.0
MAX_LIFT = 24 * 3600.0
DEFAULT_LIFT = 30 * 60.0

_ID = re.compile(r"[a-z0-9-]+")
_CELL = re.compile(r"(\d+)(?:-(\d+))?,(\d+)(?:-(\d+))?")
_COLOR = re.compile(r"#([0-9a-fA-F]{6})")
_NETWORK_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")

PATTERN_NAMES = ("bars", "gradient", "checker")
"""Synthetic pictures a camera may show as `pattern:NAME`; `console.core.video.patterns`
draws them."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a site file."""

    file: Path
    path: str
    line: int | None
    expected: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else str(self.file)
        return f"{where}: {self.path or '(top level)'}: {self.expected}"


class SiteError(Exception):
    """A site file that cannot be used; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


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


@dataclass(frozen=True, slots=True)
class Carousel:
    """A wall slot that cycles through cameras."""

    id: str
    name: str
    cameras: tuple[str, ...]
    interval: float


@dataclass(frozen=True, slots=True)
class Site:
    """A validated site. Relative paths in it are already resolved against `directory`."""

    path: Path
    name: str
    cameras: tuple[Camera, ...]
    roles: Mapping[str, Role]
    carousels: tuple[Carousel, ...] = ()
    lift_timeout: float = DEFAULT_LIFT
    require_lift_reason: bool = False
    auth_max_failures: int = 5
    auth_failure_window: float = 300.0
    auth_lockout: float = 300.0
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


def load_site(path: Path) -> Site:
    """Read and validate a site file; raises SiteError with every problem found."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror or str(error)
        raise SiteError([Problem(path, "", None, f"cannot read the site file: {reason}")]) from None
    try:
        text = raw.decode("utf-8")
        document = tomllib.loads(text)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise SiteError([Problem(path, "", line, "expected UTF-8 text")]) from None
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"at line (\d+)", str(error))
        message = str(error).split(" (at line")[0]
        problem = Problem(
            path, "", int(found.group(1)) if found else None, f"expected valid TOML: {message}"
        )
        raise SiteError([problem]) from None
    except RecursionError:
        raise SiteError(
            [Problem(path, "", None, "expected valid TOML nested less deeply")]
        ) from None
    except ValueError:  # tomllib lets int() refuse numbers past Python's 4300-digit limit
        raise SiteError(
            [Problem(path, "", None, "expected valid TOML with numbers of at most 4300 digits")]
        ) from None
    reader = _Reader(path, _key_lines(text))
    site = reader.site(document, hashlib.sha256(raw).hexdigest())
    if reader.problems:
        raise SiteError(reader.problems)
    assert site is not None
    return site


T = TypeVar("T")


class _Reader:
    """Walks a parsed TOML document, building the Site and collecting problems."""

    def __init__(self, file: Path, lines: dict[str, int]) -> None:
        self.file = file
        self.lines = lines
        self.problems: list[Problem] = []

    # -- reporting -------------------------------------------------------------------------

    def problem(self, path: str, expected: str) -> None:
        self.problems.append(Problem(self.file, path, _line_of(self.lines, path), expected))

    def table(self, value: object, path: str, allowed: Iterable[str]) -> dict[str, Any] | None:
        """A TOML table with only `allowed` keys; unknown keys are reported one by one."""
        if not isinstance(value, dict):
            self.problem(path, f"expected a table, got {_kind(value)}")
            return None
        names = tuple(allowed)
        for key in value:
            if key not in names:
                here = f"{path}.{key}" if path else key
                self.problem(here, f"unknown key {key!r}; expected one of: {', '.join(names)}")
        return cast(dict[str, Any], value)

    def field(
        self,
        table: Mapping[str, Any],
        key: str,
        path: str,
        convert: Callable[[object, str], T | None],
        default: T | None = None,
        required: bool = False,
    ) -> T | None:
        here = f"{path}.{key}" if path else key
        if key not in table:
            if required:
                self.problem(here, "is required")
            return default
        return convert(table[key], here)

    # -- scalar converters: each reports and returns None on a bad value --------------------

    def string(self, value: object, path: str) -> str | None:
        if isinstance(value, str) and value.strip() and value.isprintable():
            return value
        self.problem(path, f"expected a non-empty string of printable text, got {_kind(value)}")
        return None

    def identifier(self, value: object, path: str) -> str | None:
        if isinstance(value, str) and _ID.fullmatch(value) and len(value) <= 64:
            return value
        self.problem(path, f"expected an id of a-z, 0-9 and '-' (at most 64), got {_kind(value)}")
        return None

    def boolean(self, value: object, path: str) -> bool | None:
        if isinstance(value, bool):
            return value
        self.problem(path, f"expected true or false, got {_kind(value)}")
        return None

    def number(self, value: object, path: str, low: float, high: float) -> float | None:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value) if isinstance(value, float) or abs(value) < 2**1000 else math.inf
            if math.isfinite(number) and low <= number <= high:
                return number
        self.problem(path, f"expected a number from {low:g} to {high:g}, got {_kind(value)}")
        return None

    def integer(self, value: object, path: str, low: int, high: int) -> int | None:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        self.problem(path, f"expected a whole number from {low} to {high}, got {_kind(value)}")
        return None

    def duration(self, value: object, path: str, low: float, high: float) -> float | None:
        if isinstance(value, str):
            try:
                seconds = parse_duration(value)
            except ValueError as error:
                self.problem(path, str(error))
                return None
            if low <= seconds <= high:
                return seconds
        self.problem(
            path, f"expected a duration from {_spell(low)} to {_spell(high)}, got {_kind(value)}"
        )
        return None

    def string_list(self, value: object, path: str) -> list[str] | None:
        if not isinstance(value, list):
            self.problem(path, f"expected a list of strings, got {_kind(value)}")
            return None
        items = [self.string(item, f"{path}[{index}]") for index, item in enumerate(value)]
        return None if any(item is None for item in items) else cast(list[str], items)

    # -- tables ----------------------------------------------------------------------------

    def site(self, document: dict[str, Any], sha256: str) -> Site | None:
        top = self.table(document, "", ("site", "auth", "roles", "cameras", "carousels"))
        if top is None:
            return None
        head = self.table(
            top.get("site", {}), "site", ("name", "lift_timeout", "require_lift_reason")
        )
        if "site" not in top:
            self.problem("site", 'is required: a [site] table with at least name = "..."')
        head = head or {}
        name = self.field(head, "name", "site", self.string, required="site" in top)
        lift = self.field(
            head,
            "lift_timeout",
            "site",
            lambda v, p: self.duration(v, p, MIN_LIFT, MAX_LIFT),
            DEFAULT_LIFT,
        )
        reason = self.field(head, "require_lift_reason", "site", self.boolean, False)
        auth = self.table(
            top.get("auth", {}), "auth", ("max_failures", "failure_window", "lockout")
        )
        auth = auth or {}
        failures = self.field(
            auth, "max_failures", "auth", lambda v, p: self.integer(v, p, 1, 100), 5
        )
        window = self.field(
            auth, "failure_window", "auth", lambda v, p: self.duration(v, p, 10, 86_400), 300.0
        )
        lockout = self.field(
            auth, "lockout", "auth", lambda v, p: self.duration(v, p, 10, 86_400), 300.0
        )
        roles = self.roles(top.get("roles", {}))
        cameras = self.cameras(top.get("cameras"))
        carousels = self.carousels(top.get("carousels", []), {camera.id for camera in cameras})
        if name is None or lift is None or reason is None:
            return None
        return Site(
            path=self.file,
            name=name,
            cameras=tuple(cameras),
            roles=roles,
            carousels=tuple(carousels),
            lift_timeout=lift,
            require_lift_reason=reason,
            auth_max_failures=failures or 5,
            auth_failure_window=window or 300.0,
            auth_lockout=lockout or 300.0,
            sha256=sha256,
            directory=self.file.parent,
        )

    def roles(self, value: object) -> dict[str, Role]:
        if not isinstance(value, dict):
            self.problem("roles", f"expected a table of roles, got {_kind(value)}")
            return {}
        roles: dict[str, Role] = {}
        for role_name, body in value.items():
            path = f"roles.{role_name}"
            if not _ID.fullmatch(role_name):
                self.problem(path, "expected a role name of a-z, 0-9 and '-'")
            table = self.table(body, path, ("permissions", "lift_timeout"))
            if table is None:
                continue
            permissions = self.field(table, "permissions", path, self.string_list, required=True)
            for index, permission in enumerate(permissions or []):
                if permission not in PERMISSIONS:
                    self.problem(
                        f"{path}.permissions[{index}]",
                        f"unknown permission {permission!r}; "
                        f"expected one of: {', '.join(sorted(PERMISSIONS))}",
                    )
            timeout = self.field(
                table, "lift_timeout", path, lambda v, p: self.duration(v, p, MIN_LIFT, MAX_LIFT)
            )
            roles[role_name] = Role(role_name, frozenset(permissions or ()), timeout)
        return roles

    def cameras(self, value: object) -> list[Camera]:
        if not isinstance(value, list) or not value:
            self.problem("cameras", f"expected at least one [[cameras]] entry, got {_kind(value)}")
            return []
        cameras: list[Camera] = []
        seen: set[str] = set()
        for index, body in enumerate(value):
            path = f"cameras[{index}]"
            camera = self.camera(body, path)
            if camera is None:
                continue
            if camera.id in seen:
                self.problem(f"{path}.id", f"duplicate camera id {camera.id!r}")
            seen.add(camera.id)
            cameras.append(camera)
        return cameras

    def camera(self, body: object, path: str) -> Camera | None:
        keys = ("id", "name", "source", "tile_source", "credential", "fps", "recordings", "masks")
        table = self.table(body, path, keys)
        if table is None:
            return None
        camera_id = self.field(table, "id", path, self.identifier, required=True)
        name = self.field(table, "name", path, self.string, required=True)
        source = self.field(table, "source", path, self.source, required=True)
        tile_source = self.field(table, "tile_source", path, self.source)
        credential = self.field(table, "credential", path, self.string)
        fps = self.field(table, "fps", path, lambda v, p: self.number(v, p, 0.1, 60))
        recordings = self.field(table, "recordings", path, self.string)
        masks = self.masks(table.get("masks", []), f"{path}.masks")
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
            recordings=self.file.parent / recordings if recordings else None,
        )

    def source(self, value: object, path: str) -> str | None:
        text = self.string(value, path)
        if text is None:
            return None
        lowered = text.lower()
        if lowered.startswith(_NETWORK_SCHEMES):
            authority = text.split("://", 1)[1].split("/", 1)[0]
            if "@" in authority:
                self.problem(
                    path,
                    "expected a URL without user:password (keep credentials in the OS keyring "
                    'and name the entry with credential = "...")',
                )
                return None
            return text
        if lowered.startswith("device:"):
            if text[7:].isdigit():
                return text
            self.problem(path, f'expected "device:N" with a device number, got {text!r}')
            return None
        if lowered.startswith("pattern:"):
            if text[8:] in PATTERN_NAMES:
                return text
            self.problem(path, f"expected one of pattern:{', pattern:'.join(PATTERN_NAMES)}")
            return None
        if "://" in text:
            self.problem(
                path, "expected rtsp://, http(s)://, device:N, pattern:NAME or a file path"
            )
            return None
        return text

    def resolve(self, source: str) -> str:
        """File sources become absolute, relative to the site file's folder."""
        if source.lower().startswith(_NETWORK_SCHEMES + ("device:", "pattern:")):
            return source
        return str((self.file.parent / source).resolve())

    def masks(self, value: object, path: str) -> list[Mask]:
        if not isinstance(value, list):
            self.problem(path, f"expected a list of [[cameras.masks]] tables, got {_kind(value)}")
            return []
        masks: list[Mask] = []
        seen: set[str] = set()
        for index, body in enumerate(value):
            mask = self.mask(body, f"{path}[{index}]")
            if mask is None:
                continue
            if mask.id in seen:
                self.problem(f"{path}[{index}].id", f"duplicate mask id {mask.id!r} on this camera")
            seen.add(mask.id)
            masks.append(mask)
        return masks

    def mask(self, body: object, path: str) -> Mask | None:
        keys = ("id", "kind", "style", "color", "level", "grid", "cells", "rect", "polygon")
        table = self.table(body, path, keys)
        if table is None:
            return None
        mask_id = self.field(table, "id", path, self.identifier, required=True)
        kind = self.field(
            table, "kind", path, self.choice(("permanent", "liftable")), required=True
        )
        default_style = "solid" if kind == "permanent" else "blur"
        style = self.field(table, "style", path, self.choice(("solid", "blur", "pixelate")))
        style = style or default_style
        if "color" in table and style != "solid":
            self.problem(f"{path}.color", f"color applies to solid masks only; this one is {style}")
        if "level" in table and style == "solid":
            self.problem(f"{path}.level", "level applies to blur and pixelate masks only")
        color = self.field(table, "color", path, self.color, (0, 0, 0))
        level = self.field(table, "level", path, lambda v, p: self.integer(v, p, 1, 10), 5)
        geometry = self.geometry(table, path)
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

    def choice(self, options: tuple[str, ...]) -> Callable[[object, str], str | None]:
        def convert(value: object, path: str) -> str | None:
            if isinstance(value, str) and value in options:
                return value
            self.problem(path, f"expected one of {', '.join(options)}, got {_kind(value)}")
            return None

        return convert

    def color(self, value: object, path: str) -> tuple[int, int, int] | None:
        if isinstance(value, str) and (match := _COLOR.fullmatch(value)):
            rgb = int(match.group(1), 16)
            return (rgb & 0xFF, (rgb >> 8) & 0xFF, rgb >> 16)
        self.problem(path, f'expected a colour "#RRGGBB", got {_kind(value)}')
        return None

    def geometry(self, table: Mapping[str, Any], path: str) -> Geometry | None:
        given = [key for key in ("grid", "rect", "polygon") if key in table]
        if "cells" in table and "grid" not in table:
            self.problem(f"{path}.cells", 'cells need a grid = "16x16" beside them')
            return None
        if len(given) != 1:
            self.problem(
                path,
                "expected exactly one geometry: grid + cells, rect, or polygon"
                + (f" (found {', '.join(given)})" if given else ""),
            )
            return None
        if given == ["grid"]:
            return self.grid(table, path)
        if given == ["rect"]:
            return self.rect(table["rect"], f"{path}.rect")
        return self.polygon(table["polygon"], f"{path}.polygon")

    def grid(self, table: Mapping[str, Any], path: str) -> GridGeometry | None:
        spec = table["grid"]
        sizes = ", ".join(f"{n}x{n}" for n in GRID_SIZES)
        size = None
        if isinstance(spec, str) and (match := re.fullmatch(r"(\d+)x(\d+)", spec)):
            cols, rows = int(match.group(1)), int(match.group(2))
            if cols == rows and cols in GRID_SIZES:
                size = cols
        if size is None:
            self.problem(f"{path}.grid", f"expected one of {sizes}, got {_kind(spec)}")
            return None
        cells_value = table.get("cells")
        if not isinstance(cells_value, list) or not cells_value:
            self.problem(
                f"{path}.cells", f"expected a non-empty list of cells, got {_kind(cells_value)}"
            )
            return None
        cells: set[tuple[int, int]] = set()
        for index, item in enumerate(cells_value):
            parsed = self.cell_range(item, f"{path}.cells[{index}]", size)
            if parsed is not None:
                cells.update(parsed)
        return GridGeometry(size, frozenset(cells)) if cells else None

    def cell_range(self, item: object, path: str, size: int) -> set[tuple[int, int]] | None:
        match = _CELL.fullmatch(item.replace(" ", "")) if isinstance(item, str) else None
        if match is not None:
            first_col, last_col, first_row, last_row = match.groups()
            c0, r0 = int(first_col), int(first_row)
            c1 = int(last_col) if last_col is not None else c0
            r1 = int(last_row) if last_row is not None else r0
            if c0 <= c1 < size and r0 <= r1 < size:
                return {(c, r) for c in range(c0, c1 + 1) for r in range(r0, r1 + 1)}
        self.problem(
            path,
            f'expected "col,row" or "c0-c1,r0-r1" with ascending values from 0 to {size - 1}, '
            f"got {_kind(item)}",
        )
        return None

    def coordinates(self, value: object, path: str, count: int) -> list[float] | None:
        if not isinstance(value, list) or len(value) != count:
            self.problem(path, f"expected {count} numbers from 0 to 1, got {_kind(value)}")
            return None
        numbers = [self.number(item, f"{path}[{i}]", 0.0, 1.0) for i, item in enumerate(value)]
        return None if any(n is None for n in numbers) else cast(list[float], numbers)

    def rect(self, value: object, path: str) -> RectGeometry | None:
        numbers = self.coordinates(value, path, 4)
        if numbers is None:
            return None
        x0, y0, x1, y1 = numbers
        if not (x0 < x1 and y0 < y1):
            self.problem(
                path, f"expected x0 < x1 and y0 < y1 (a rectangle with area), got {numbers}"
            )
            return None
        return RectGeometry(x0, y0, x1, y1)

    def polygon(self, value: object, path: str) -> PolygonGeometry | None:
        if not isinstance(value, list) or len(value) < 3:
            self.problem(path, f"expected at least 3 [x, y] points, got {_kind(value)}")
            return None
        points = [self.coordinates(item, f"{path}[{i}]", 2) for i, item in enumerate(value)]
        if any(point is None for point in points):
            return None
        pairs = tuple((p[0], p[1]) for p in cast(list[list[float]], points))
        doubled_area = sum(
            x0 * y1 - x1 * y0
            for (x0, y0), (x1, y1) in zip(pairs, pairs[1:] + pairs[:1], strict=True)
        )
        if abs(doubled_area) < 1e-9:
            self.problem(
                path, "expected a polygon that encloses an area; these points enclose none"
            )
            return None
        if crossed := crossing_edges(pairs):
            (a, b), (c, d) = crossed
            self.problem(
                path,
                f"expected edges that neither cross nor touch, but edge {a}-{b} meets edge "
                f"{c}-{d} (points counted from 0); where they overlap the fill would leave a "
                "hole: draw one polygon per area",
            )
            return None
        return PolygonGeometry(pairs)

    def carousels(self, value: object, cameras: set[str]) -> list[Carousel]:
        if not isinstance(value, list):
            self.problem(
                "carousels", f"expected a list of [[carousels]] tables, got {_kind(value)}"
            )
            return []
        carousels: list[Carousel] = []
        for index, body in enumerate(value):
            path = f"carousels[{index}]"
            table = self.table(body, path, ("id", "name", "cameras", "interval"))
            if table is None:
                continue
            carousel_id = self.field(table, "id", path, self.identifier, required=True)
            name = self.field(table, "name", path, self.string, required=True)
            members = self.field(table, "cameras", path, self.string_list, required=True)
            interval = self.field(
                table, "interval", path, lambda v, p: self.duration(v, p, 1, 3600), 10.0
            )
            if members is not None and not members:
                self.problem(f"{path}.cameras", "expected at least one camera id")
            for position, member in enumerate(members or []):
                if member not in cameras:
                    self.problem(f"{path}.cameras[{position}]", f"unknown camera id {member!r}")
            if carousel_id and name and members and interval:
                carousels.append(Carousel(carousel_id, name, tuple(members), interval))
        return carousels


def _kind(value: object) -> str:
    """A short, safe description of a bad value for an error message."""
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return repr(shown)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if len(repr(value)) <= 24 else "a huge number"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return "a table"
    if value is None:
        return "nothing"
    return type(value).__name__


def _spell(seconds: float) -> str:
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g}h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g}m"
    return f"{seconds:g}s"


# -- line numbers ----------------------------------------------------------------------------

_ARRAY_HEADER = re.compile(r"\[\[\s*([^\]]+?)\s*\]\]")
_TABLE_HEADER = re.compile(r"\[\s*([^\]]+?)\s*\]")
_KEY = re.compile(r"""([A-Za-z0-9_-]+|"[^"]*"|'[^']*')\s*=""")


def _key_lines(text: str) -> dict[str, int]:
    """Map key paths such as `cameras[1].masks[0].cells` to the line that sets them.

    tomllib does not report positions, so the table headers and key lines are scanned
    here. It is only used to point at a line; parsing proper is tomllib's.
    """
    lines: dict[str, int] = {}
    counts: dict[str, int] = {}
    prefix = ""

    def indexed(dotted: str) -> str:
        path = ""
        for part in (p.strip().strip("\"'") for p in dotted.split(".")):
            path = f"{path}.{part}" if path else part
            if path in counts:
                path = f"{path}[{counts[path] - 1}]"
        return path

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if match := _ARRAY_HEADER.match(line):
            path = indexed(match.group(1))
            base = re.sub(r"\[\d+\]$", "", path)
            counts[base] = counts.get(base, 0) + 1
            prefix = f"{base}[{counts[base] - 1}]"
            lines.setdefault(prefix, number)
            lines.setdefault(base, number)
        elif match := _TABLE_HEADER.match(line):
            prefix = indexed(match.group(1))
            lines.setdefault(prefix, number)
        elif match := _KEY.match(line):
            key = match.group(1).strip("\"'")
            lines.setdefault(f"{prefix}.{key}" if prefix else key, number)
    return lines


def _line_of(lines: dict[str, int], path: str) -> int | None:
    """The line of `path`, or of its nearest ancestor that has one."""
    while path:
        if path in lines:
            return lines[path]
        trimmed = re.sub(r"(\[\d+\]|\.[^.\[\]]+)$", "", path)
        if trimmed == path:
            break
        path = trimmed
    return None

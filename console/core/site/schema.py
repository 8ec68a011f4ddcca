"""The site file's format, declared once.

Every key a site file may hold is declared here: its kind (type and range), its default
and a one-line doc. From these declarations come the keys a table allows (any other key
is an error: a misspelt `lift_timout` must never be silently ignored), the validator's
type and range checks, the model's defaults and the configuration reference in README.md
(`make site-reference` writes it; a test fails when it is stale). Rules that join several
keys, such as one geometry per mask or carousels naming cameras that exist, are the
validator's (`console.core.site.validate`).

Adding a key: one `Key(...)` line in its table below, a field on the model class
(`console.core.site.model`) and the line in the validator that passes it on. Adding a
table: a `Table` subclass, and a key holding it (`Section` for `[name]`, `Entries` for
`[[name]]`, `Named` for `[name.ID]`) in the table it sits in.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

from console.core.privacy.masks import GRID_SIZES
from console.core.site.kinds import (
    AnchorKey,
    Boolean,
    Cells,
    Choice,
    ChoiceList,
    Colour,
    DatabaseUrl,
    Duration,
    DurationOrOff,
    FrigateName,
    GridSize,
    Identifier,
    Integer,
    Kind,
    Number,
    PlanText,
    Polygon,
    Rect,
    Report,
    Source,
    Text,
    TextList,
    describe,
)

T = TypeVar("T")


class Key(Generic[T]):
    """One key of a table; its name is the attribute it is declared as (site keys are
    snake_case, so every one is a Python name)."""

    name: str

    def __init__(
        self,
        kind: Kind[T],
        doc: str,
        *,
        default: T | None = None,
        required: bool = False,
        default_doc: str | None = None,
    ) -> None:
        self.kind, self.doc, self.default, self.required = kind, doc, default, required
        self.default_doc = default_doc
        """For a default that depends on other keys, how the reference states it."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @property
    def preset(self) -> T:
        """The default, for the model field that takes it when a Site is built in code."""
        if self.default is None:
            raise LookupError(f"{self.name} has no default")
        return self.default

    @property
    def default_text(self) -> str:
        """The default as the reference states it."""
        if self.required:
            return "required"
        if self.default_doc is not None:
            return self.default_doc
        if self.default is None:
            return "optional" if isinstance(self.kind, Nested) else "not set"
        return f"`{self.kind.show(self.default)}`"


class Table:
    """A TOML table: its `Key` attributes, in the order the file and the reference list them.

    Never instantiated; a subclass is the declaration. Its docstring is the reference's
    description of the table.
    """

    heading: ClassVar[str]
    keys: ClassVar[tuple[Key[Any], ...]]

    def __init_subclass__(cls, *, heading: str) -> None:
        super().__init_subclass__()
        keys = tuple(value for value in vars(cls).values() if isinstance(value, Key))
        clashes = {key.name for key in keys} & {"heading", "keys", "names"}
        if clashes:
            raise TypeError(f"{cls.__name__}: a key may not be called {', '.join(clashes)}")
        cls.heading = heading
        cls.keys = keys

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(key.name for key in cls.keys)


class Nested(Kind[T]):
    """A key that holds tables of `table`'s shape."""

    def __init__(self, table: type[Table]) -> None:
        self.table = table


class Section(Nested[dict[str, Any]]):
    """`[name]`: one table."""

    expected = "a table"

    def convert(self, value: object, path: str, report: Report) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        report(path, f"expected {self.expected}, got {describe(value)}")
        return None


class Entries(Nested[list[Any]]):
    """`[[name]]`: a list of tables."""

    def __init__(self, table: type[Table], *, at_least: int = 0) -> None:
        super().__init__(table)
        self.at_least = at_least

    @property
    def expected(self) -> str:
        if self.at_least == 1:
            return f"at least one {self.table.heading} entry"
        return f"a list of {self.table.heading} tables"

    def convert(self, value: object, path: str, report: Report) -> list[Any] | None:
        if isinstance(value, list) and len(value) >= self.at_least:
            return value
        report(path, f"expected {self.expected}, got {describe(value)}")
        return None


class Named(Nested[dict[str, Any]]):
    """`[name.ID]`: tables under names the administrator chooses."""

    def __init__(self, table: type[Table], noun: str) -> None:
        super().__init__(table)
        self.noun = noun

    @property
    def expected(self) -> str:
        return f"a table of {self.noun}s"

    def convert(self, value: object, path: str, report: Report) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        report(path, f"expected {self.expected}, got {describe(value)}")
        return None


# -- the site file -----------------------------------------------------------------------

PERMISSIONS = frozenset(
    {"live", "playback", "export", "lift_privacy_masks", "audit", "export_unmasked", "admin"}
)
"""Everything a role can be granted. No role holds `lift_privacy_masks` unless a site says so."""

LIFT = Duration(60, 24 * 3600)
"""A lift shorter than a minute cannot be used; one past a day outlives any shift."""


class SiteTable(Table, heading="[site]"):
    """The site as a whole, and how lifts of liftable masks behave."""

    name = Key(Text(), "Shown in the console's title bar.", required=True)
    lift_timeout = Key(
        LIFT, "How long a lift lasts unless the operator's role sets its own.", default=30 * 60.0
    )
    require_lift_reason = Key(
        Boolean(), "Ask for a reason or case id before masks are lifted.", default=False
    )


class AuthTable(Table, heading="[auth]"):
    """Password guessing is throttled at every entry point (console login, supervisor
    authorization, `veil export`): after the second failure for an account the next try
    waits 1, 2, 4 ... s, and `max_failures` failures within `failure_window` lock the
    account for `lockout` (`veil user unlock NAME` ends it early). An idle console can be
    logged out after `idle_logout`."""

    max_failures = Key(Integer(1, 100), "Failed passwords that lock an account.", default=5)
    failure_window = Key(
        Duration(10, 86_400), "The window the failures are counted in.", default=300.0
    )
    lockout = Key(Duration(10, 86_400), "How long the account then stays locked.", default=300.0)
    idle_logout = Key(
        DurationOrOff(60, 86_400),
        "Log a console out after this long without a key or mouse event (masks back, "
        "audited). Off by default: a wall is watched, not typed at, and a lift ends on its "
        "own.",
        default=0.0,
    )


class AuditTable(Table, heading="[audit]"):
    """The audit's anchor: a signer under its own account that signs every record's
    head (`veil anchor serve`), so `veil audit verify` catches cut-off records, a
    rewritten chain and a deleted database. Both keys or neither; without them the audit
    is a bare hash chain."""

    anchor = Key(Text(), "The signer's Unix socket, relative to the site file or absolute.")
    anchor_key = Key(AnchorKey(), "The signer's public key (`veil anchor init` prints it).")


class DatabaseTable(Table, heading="[database]"):
    """Where users, lockouts, the audit and mask history live when several consoles
    share them: one PostgreSQL database (`veil db init` makes its schema and roles; see
    "Deployment: PostgreSQL"). Without this table they are SQLite files in each
    console's data dir. The URL's user is the console role; the password comes from the
    keyring (service `veil`, account `database:ROLE`, set with `python3 -m keyring set
    veil database:ROLE`) or else from libpq's PGPASSFILE (or ~/.pgpass) of the console's
    account, never from this file: a URL holding one is an error. A console refuses a
    database whose schema version it does not know, naming the command that fixes it."""

    url = Key(DatabaseUrl(), "The database, as the console role connects to it.", required=True)


class RoleTable(Table, heading="[roles.NAME]"):
    """What the users of one role may do. NAME is of a-z, 0-9 and '-'. No role may lift
    unless granted `lift_privacy_masks`, nor export without liftable masks unless granted
    `export_unmasked`."""

    permissions = Key(ChoiceList("permission", PERMISSIONS), "What the role may do.", required=True)
    lift_timeout = Key(
        LIFT,
        "This role's lift duration instead of the site's.",
        default_doc="`[site]` `lift_timeout`",
    )


class MaskTable(Table, heading="[[cameras.masks]]"):
    """One privacy mask of the camera above it. Exactly one geometry: `grid` with `cells`,
    `rect` or `polygon`, all resolution-free and rasterised outward."""

    id = Key(Identifier(), "Unique on its camera.", required=True)
    kind = Key(
        Choice("permanent", "liftable"),
        "Permanent masks are never lifted; liftable ones only by a lift.",
        required=True,
    )
    style = Key(
        Choice("solid", "blur", "pixelate"),
        "How the area is hidden.",
        default_doc='`"solid"` if permanent, else `"blur"`',
    )
    color = Key(Colour(), "Fill of a solid mask (solid masks only).", default=(0, 0, 0))
    level = Key(Integer(1, 10), "Strength of blur or pixelate (not solid masks).", default=5)
    grid = Key(GridSize(), "A grid over the picture, as the commercial client stores masks.")
    cells = Key(Cells(max(GRID_SIZES)), "The cells of `grid` that are masked; needs `grid`.")
    rect = Key(Rect(), "A rectangle, instead of grid + cells.")
    polygon = Key(Polygon(), "A polygon, instead of grid + cells.")


class CameraTable(Table, heading="[[cameras]]"):
    """One camera, in the order of the wall."""

    id = Key(Identifier(), "Unique; names the camera in views, audit and exports.", required=True)
    name = Key(Text(), "Shown on the camera's tile.", required=True)
    source = Key(Source(), "Where the video comes from.", required=True)
    tile_source = Key(Source(), "A lower-resolution stream for tiles.", default_doc="`source`")
    credential = Key(
        Text(), "OS keyring entry holding the URL's user:password (`veil credential set`)."
    )
    fps = Key(Number(0.1, 60), "A cap on the frames read from the source each second.")
    transport = Key(
        Choice("auto", "tcp", "udp"),
        "RTSP's lower transport; auto lets FFmpeg try UDP, then TCP.",
        default="auto",
    )
    timeout = Key(
        Duration(0.5, 60),
        "How long a network camera may take to connect, then to send each frame, "
        "before it counts as lost.",
        default=5.0,
    )
    recordings = Key(Text(), "Folder of recorded segments, relative to the site file.")
    recordings_layout = Key(
        Choice("veil", "frigate"),
        "veil: segments named by their UTC start in one folder; frigate: a Frigate NVR's "
        "recordings folder (YYYY-MM-DD/HH/CAMERA/MM.SS.mp4, UTC).",
        default="veil",
    )
    frigate_camera = Key(
        FrigateName(),
        "The camera's name in Frigate, when it is not the id (frigate layout only).",
        default_doc="`id`",
    )
    masks = Key(Entries(MaskTable), "The camera's privacy masks.")


class CarouselTable(Table, heading="[[carousels]]"):
    """A wall slot that cycles through cameras."""

    id = Key(Identifier(), "Unique among carousels.", required=True)
    name = Key(Text(), "Shown on the slot.", required=True)
    cameras = Key(TextList(), "Ids of the cameras shown, in order; at least one.", required=True)
    interval = Key(Duration(1, 3600), "How long each camera is shown.", default=10.0)


class MarkerTable(Table, heading="[[maps.cameras]]"):
    """One camera on the map above it: where it hangs and where it looks. Positions are
    normalised over the plan: 0,0 its top left corner, 1,1 its bottom right."""

    camera = Key(Identifier(), "The id of a camera of `[[cameras]]`.", required=True)
    x = Key(Number(0, 1), "Across the plan, from 0 (left) to 1 (right).", required=True)
    y = Key(Number(0, 1), "Down the plan, from 0 (top) to 1 (bottom).", required=True)
    direction = Key(
        Number(0, 360),
        "Where it looks, in degrees clockwise from the plan's up (90: right, 180: down).",
        default=0.0,
    )
    fov = Key(Number(1, 360), "Its field of view, in degrees.", default=60.0)


class LinkTable(Table, heading="[[maps.links]]"):
    """A marker on the map that opens another map: the floor above, the next building."""

    target = Key(Identifier(), "The id of the map it opens.", required=True)
    x = Key(Number(0, 1), "Across the plan, from 0 (left) to 1 (right).", required=True)
    y = Key(Number(0, 1), "Down the plan, from 0 (top) to 1 (bottom).", required=True)


class MapTable(Table, heading="[[maps]]"):
    """A plan of the site with its cameras, for the Smart map. Exactly one plan: `image`
    (drawn by the console's renderer) or `text` (drawn as the characters it is)."""

    id = Key(Identifier(), "Unique among maps.", required=True)
    name = Key(Text(), "Shown above the map.", required=True)
    image = Key(Text(), "A picture of the plan (PNG or JPEG), relative to the site file.")
    text = Key(PlanText(), "The plan drawn in characters, one per terminal cell.")
    cameras = Key(Entries(MarkerTable), "The cameras on this plan.")
    links = Key(Entries(LinkTable), "Markers that open other maps.")


class SiteFile(Table, heading="site.toml"):
    """The tables a site file holds."""

    site = Key(Section(SiteTable), "The site as a whole.", required=True)
    auth = Key(Section(AuthTable), "Throttling of password guessing, and idle logout.")
    audit = Key(Section(AuditTable), "The audit's anchor.")
    database = Key(Section(DatabaseTable), "The shared PostgreSQL database.")
    roles = Key(Named(RoleTable, "role"), "What each role may do.")
    cameras = Key(Entries(CameraTable, at_least=1), "The cameras.", required=True)
    carousels = Key(Entries(CarouselTable), "Wall slots that cycle through cameras.")
    maps = Key(Entries(MapTable), "Plans of the site with its cameras (the Smart map).")

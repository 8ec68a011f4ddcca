"""The live wall: the operator's view of cameras and carousels, in a 1x1 to 4x4 grid.

What each slot shows is the operator's own: assignments and layout changes are saved
at once to their views file and restored at their next login, and named views can be
saved and reopened from the palette. Every slot's tile draws a `TileSource` (a camera
feed or a carousel of feeds), each of which hands out only frames masked by the
camera's `CameraMasker` behind the shared lift gate, so the masks on the wall, in
the hotspot, in a carousel and in playback are the same masks.

Keys (in the footer): 1-4 layouts, arrows focus, Enter hotspot, a assign, s save view,
v open a view, p playback of the layout, e export; and m, the Smart map when the site has
maps, left out of the full footer and offered in the palette ("Smart map").

Live video needs the role's `live` permission, asked every time a slot is filled. A role
without it (an auditor who reviews recordings, say) still gets the wall's layout, views,
playback and export as its other permissions allow, but every slot stays empty and says
why: no live tile, no hotspot, no carousel.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from console.core.services import Services
from console.core.video.feed import TileSource
from console.core.wall.carousel import CarouselSource
from console.core.wall.views import (
    LAYOUTS,
    SlotRef,
    View,
    ViewBook,
    ViewsError,
    ViewStore,
    default_view,
)
from console.ui.operator import current_user, permitted
from console.ui.screens.dialogs import AskScreen, ChoiceScreen
from console.ui.screens.export import ExportScreen
from console.ui.screens.hotspot import HotspotScreen
from console.ui.screens.map import MapScreen
from console.ui.screens.playback import PlaybackScreen, play_at
from console.ui.screens.search import SearchScreen
from console.ui.view_commands import ViewCommand, ViewCommands
from console.ui.widgets.footer import VeilFooter
from console.ui.widgets.header import VeilHeader
from console.ui.widgets.tile_grid import TileGrid

VIEW_NAME_MAX = 40


@dataclass(frozen=True, slots=True)
class Assignment:
    """What to put in a slot: a camera, a carousel, or nothing (`ref` None)."""

    ref: SlotRef | None


def view_name(text: str) -> str:
    """A name for a saved view: any text, trimmed, 1 to VIEW_NAME_MAX characters."""
    name = " ".join(text.split())
    if not name:
        raise ValueError("give the view a name")
    if len(name) > VIEW_NAME_MAX:
        raise ValueError(f"at most {VIEW_NAME_MAX} characters, got {len(name)}")
    return name


class WallScreen(Screen[None]):
    """Live masked video in the operator's layout."""

    COMMANDS = {ViewCommands}
    LAYOUTS = Binding.Group("Layout", compact=True)
    """One footer entry for the four layout keys, leaving room for Lift, Apply and Log out."""
    BINDINGS = [
        Binding("1", "layout(1)", "1x1", group=LAYOUTS),
        Binding("2", "layout(2)", "2x2", group=LAYOUTS),
        Binding("3", "layout(3)", "3x3", group=LAYOUTS),
        Binding("4", "layout(4)", "4x4", group=LAYOUTS),
        Binding("a", "assign", "Assign"),
        Binding("s", "save_view", "Save"),
        Binding("v", "open_view", "Views"),
        Binding("p", "playback", "Playback"),
        Binding("e", "export", "Export"),
        Binding("m", "smart_map", "Map", show=False),
    ]
    """Layouts, slot contents and named views; arrows and Enter belong to the grid."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        self.store = ViewStore(services.paths.config_dir)
        """Where the operator's views are kept."""
        self.book = ViewBook(default_view(services.site))
        """The operator's views; the current one is on screen."""
        self.carousels = {
            carousel.id: CarouselSource(carousel, services.feeds, services.clock)
            for carousel in services.site.carousels
        }
        """One tour per site carousel, shared by every slot showing it."""
        self._problems: list[str] = []

    @property
    def view(self) -> View:
        return self.book.current

    @property
    def operator(self) -> str | None:
        user = current_user(self.app)
        return user.name if user else None

    def compose(self) -> ComposeResult:
        if self.operator is not None:
            loaded = self.store.load(self.operator, self.services.site)
            self.book, self._problems = loaded.book, loaded.problems
        yield VeilHeader()
        empty = "empty" if self.live else "no live video for your role"
        yield TileGrid(self.view.layout, self._sources(self.view), empty)
        yield VeilFooter()

    def on_mount(self) -> None:
        for problem in self._problems:
            self.notify(problem, title="Views file", severity="warning", timeout=10)
        if not self.live:
            self.notify(
                "Your role may not watch live video; the wall shows no cameras.",
                title="No live video",
                severity="warning",
            )

    @property
    def live(self) -> bool:
        """Whether the logged-in user's role may watch live video."""
        return permitted(self.app, "live")

    def source_for(self, ref: SlotRef | None) -> TileSource | None:
        if ref is None or not self.live:
            return None
        if ref.kind == "carousel":
            return self.carousels.get(ref.id)
        return self.services.feeds.get(ref.id)

    def _sources(self, view: View) -> list[TileSource | None]:
        return [self.source_for(ref) for ref in view.visible]

    @property
    def grid(self) -> TileGrid:
        return self.query_one(TileGrid)

    async def show_view(self, view: View, focus: int | None = None) -> None:
        """Put `view` on screen and make it the operator's current view (saved)."""
        focus = self.grid.focused_index if focus is None else focus
        self.book = self.book.with_current(view)
        self._save()
        await self.grid.show(view.layout, self._sources(view), min(focus, view.layout**2 - 1))

    def _save(self) -> None:
        if self.operator is None:
            return
        try:
            self.store.save(self.operator, self.book)
        except ViewsError as error:
            self.notify(str(error), title="View not saved", severity="error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("playback", "smart_search"):
            return permitted(self.app, "playback")
        if action == "export":
            return permitted(self.app, "export")
        if action == "smart_map":
            return bool(self.services.site.maps)
        if action == "layout":
            return None if parameters == (self.view.layout,) else True
        return True

    async def action_layout(self, side: int) -> None:
        if side in LAYOUTS:
            await self.show_view(self.view.with_layout(side))

    def action_assign(self) -> None:
        slot = self.grid.focused_index
        current = self.view.slots[slot]
        choices = self._assignments()
        highlight = next((n for n, (_, a) in enumerate(choices) if a.ref == current), 0)
        self.app.push_screen(
            ChoiceScreen(f"Show in slot {slot + 1}", choices, highlight),
            partial(self._assigned, slot),
        )

    def _assignments(self) -> list[tuple[str, Assignment]]:
        site = self.services.site
        choices = [
            (camera.name, Assignment(SlotRef("camera", camera.id))) for camera in site.cameras
        ]
        for carousel in site.carousels:
            label = f"{carousel.name} (carousel, every {carousel.interval:g}s)"
            choices.append((label, Assignment(SlotRef("carousel", carousel.id))))
        choices.append(("Empty slot", Assignment(None)))
        return choices

    async def _assigned(self, slot: int, assignment: Assignment | None) -> None:
        if assignment is not None:
            await self.show_view(self.view.assign(slot, assignment.ref), slot)

    def action_save_view(self) -> None:
        self.app.push_screen(
            AskScreen("Save this view as", view_name, placeholder="e.g. Night shift"),
            self._save_as,
        )

    def _save_as(self, name: str | None) -> None:
        if name is None:
            return
        self.book = self.book.with_named(name, self.view)
        self._save()
        self.notify(f"View {name!r} saved.", title="Views")

    def action_open_view(self) -> None:
        if not self.book.named:
            self.notify("No saved views yet: press s to save this one.", title="Views")
            return
        choices = [(name, name) for name in self.book.named]
        self.app.push_screen(ChoiceScreen("Open view", choices), self._open)

    async def _open(self, name: str | None) -> None:
        if name is not None and name in self.book.named:
            await self.show_view(self.book.named[name], 0)

    def _delete(self, name: str) -> None:
        self.book = self.book.without_named(name)
        self._save()
        self.notify(f"View {name!r} deleted.", title="Views")

    @on(TileGrid.Chosen)
    def _hotspot(self, event: TileGrid.Chosen) -> None:
        source = self.source_for(self.view.slots[event.index])
        if isinstance(source, CarouselSource):
            source = source.current  # the camera on now, held still while the operator looks
        if source is not None:
            self.app.push_screen(HotspotScreen(source))

    def camera_ids(self) -> list[str | None]:
        """The camera in each visible slot (a carousel's current one), for playback and export."""
        ids: list[str | None] = []
        for ref in self.view.visible:
            if ref is not None and ref.kind == "carousel" and ref.id in self.carousels:
                ids.append(self.carousels[ref.id].current_id)
            else:
                ids.append(ref.id if ref is not None else None)
        return ids

    def action_playback(self) -> None:
        self.app.push_screen(PlaybackScreen(self.services, self.view.layout, self.camera_ids()))

    def action_export(self) -> None:
        focused = self.camera_ids()[self.grid.focused_index]
        cameras = [focused] if focused else [c for c in self.camera_ids() if c][:1]
        self.app.push_screen(ExportScreen(self.services, cameras))

    def action_smart_search(self) -> None:
        focused = self.camera_ids()[self.grid.focused_index]
        cameras = [focused] if focused else [c for c in self.camera_ids() if c][:1]
        play = partial(play_at, self.app, self.services)
        self.app.push_screen(SearchScreen(self.services, cameras, play))

    def action_smart_map(self) -> None:
        self.app.push_screen(MapScreen(self.services))

    def view_commands(self) -> list[ViewCommand]:
        """What the palette offers on the wall (see `console.ui.view_commands`)."""
        commands = [
            ViewCommand(
                f"Layout {side}x{side}",
                f"Show {side * side} tiles",
                partial(self.run_action, f"layout({side})"),
            )
            for side in LAYOUTS
            if side != self.view.layout
        ]
        slot = self.grid.focused_index
        for label, assignment in self._assignments():
            commands.append(
                ViewCommand(
                    f"Slot {slot + 1}: {label}",
                    "Show this in the focused slot",
                    partial(self._assigned, slot, assignment),
                )
            )
        commands.append(
            ViewCommand("Save view as…", "Keep this layout under a name", self.action_save_view)
        )
        for name in self.book.named:
            commands.append(
                ViewCommand(f"Open view {name}", "Your saved view", partial(self._open, name))
            )
            commands.append(
                ViewCommand(
                    f"Delete view {name}", "Forget this saved view", partial(self._delete, name)
                )
            )
        if self.check_action("playback", ()):
            commands.append(
                ViewCommand(
                    "Playback",
                    "Recordings of the cameras in this layout, in sync",
                    self.action_playback,
                )
            )
        if self.check_action("export", ()):
            commands.append(
                ViewCommand(
                    "Export…", "Export recordings with every mask burned in", self.action_export
                )
            )
        if self.check_action("playback", ()):
            commands.append(
                ViewCommand(
                    "Smart search…",
                    "Motion in a region of the recordings, never under a mask",
                    self.action_smart_search,
                )
            )
        if self.check_action("smart_map", ()):
            commands.append(
                ViewCommand("Smart map", "The site's plan with its cameras", self.action_smart_map)
            )
        return commands

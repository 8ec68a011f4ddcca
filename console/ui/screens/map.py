"""The Smart map: the site's plan with its cameras, and the selected camera's live preview.

Each camera is a marker coloured (and shaped) by the same state its wall tile shows,
with its view cone; links open other maps (floors, buildings). Arrows or the mouse
select; the selected camera's preview beside the plan is an ordinary `CameraTile` over
the camera's live feed, so it is masked exactly as on the wall and wears the same
UNMASKED badge during a lift. Enter opens the hotspot (or follows a link), `p` the
camera's playback, `m` the next map.

A role without `live` sees the plan and the cameras' states, but no preview and no
hotspot: where a camera is and whether it works is not what the permission guards.
"""

from __future__ import annotations

from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from console.core.map.picture import STATE_LOOKS, Item
from console.core.services import Services
from console.core.site.model import SiteMap
from console.ui.operator import permitted
from console.ui.plain import plain
from console.ui.screens.hotspot import HotspotScreen
from console.ui.screens.playback import PlaybackScreen
from console.ui.view_commands import ViewCommand, ViewCommands
from console.ui.widgets.camera_tile import CameraTile, caps_of
from console.ui.widgets.footer import VeilFooter
from console.ui.widgets.header import VeilHeader
from console.ui.widgets.plan_view import PlanView

STATE_CHECK = 0.5
"""Seconds between looks at the cameras' states, which the markers follow."""


def legend(ascii_only: bool) -> str:
    """What the marker glyphs mean, in Veil's own words."""
    shown = [
        f"{ascii_ if ascii_only else glyph} {state}"
        for state, (glyph, ascii_, _) in STATE_LOOKS.items()
    ]
    other, link = ("? no video", "> other map") if ascii_only else ("○ no video", "▶ other map")
    return "  ".join([*shown, other, link])


class MapScreen(Screen[None]):
    """One map of the site at a time; links and `m` switch between them."""

    COMMANDS = {ViewCommands}
    DEFAULT_CSS = """
    MapScreen #map-body { height: 1fr; }
    MapScreen #map-side { width: 2fr; }
    MapScreen PlanView { width: 3fr; }
    MapScreen #map-preview { height: 1fr; }
    MapScreen #map-preview > Static { height: 1fr; content-align: center middle; }
    MapScreen #map-legend { height: auto; padding: 0 1; color: $text-muted; }
    MapScreen #map-selected { height: 1; padding: 0 1; }
    """
    BINDINGS = [
        Binding("p", "playback", "Playback"),
        Binding("m", "next_map", "Next map"),
        Binding("escape", "app.pop_screen", "Wall"),
    ]
    """Arrows and Enter belong to the plan."""

    def __init__(self, services: Services, map_id: str | None = None) -> None:
        super().__init__()
        self.services = services
        maps = services.site.maps
        self.site_map: SiteMap = next((m for m in maps if m.id == map_id), maps[0])
        self.camera: str | None = None
        """The selected camera, whose preview is shown."""

    @property
    def plan(self) -> PlanView:
        return self.query_one(PlanView)

    @property
    def live(self) -> bool:
        return permitted(self.app, "live")

    def states(self) -> dict[str, str]:
        feeds = self.services.feeds
        return {
            m.camera: feeds[m.camera].status.state
            for m in self.site_map.cameras
            if m.camera in feeds
        }

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        with Horizontal(id="map-body"):
            yield PlanView(self.site_map, caps_of(self.app), self.states())
            with Vertical(id="map-side"):
                yield Static(id="map-selected")
                yield Vertical(id="map-preview")
                yield Static(legend(False), id="map-legend")
        yield VeilFooter()

    def on_mount(self) -> None:
        self.query_one("#map-legend", Static).update(legend(self.plan.ascii_only))
        self.plan.focus()
        self.set_interval(STATE_CHECK, self._check_states)

    def _check_states(self) -> None:
        self.plan.show_states(self.states())

    @on(PlanView.Selected)
    async def _selected(self, message: PlanView.Selected) -> None:
        item = message.item
        label = self.query_one("#map-selected", Static)
        if item is None:
            label.update("No camera on this map.")
            await self._preview(None)
            return
        if item.kind == "link":
            label.update(plain(f"To {self._map(item.id).name}: Enter opens it"))
            return
        label.update(plain(self.services.site.camera(item.id).name))
        await self._preview(item.id)

    async def _preview(self, camera_id: str | None) -> None:
        """The selected camera's masked live tile; the previous one goes first."""
        if camera_id == self.camera and self.query("#map-preview > *"):
            return
        self.camera = camera_id
        holder = self.query_one("#map-preview", Vertical)
        await holder.remove_children()
        feed = self.services.feeds.get(camera_id) if camera_id else None
        if feed is None:
            await holder.mount(Static("Select a camera on the map."))
        elif not self.live:
            await holder.mount(Static("No live video for your role."))
        else:
            await holder.mount(CameraTile(feed, id="map-tile"))
        self.refresh_bindings()

    def _map(self, map_id: str) -> SiteMap:
        return next(m for m in self.services.site.maps if m.id == map_id)

    @on(PlanView.Activated)
    async def _activated(self, message: PlanView.Activated) -> None:
        item: Item = message.item
        if item.kind == "link":
            await self.show_map(item.id)
            return
        feed = self.services.feeds.get(item.id)
        if feed is not None and self.live:
            self.app.push_screen(HotspotScreen(feed))

    async def show_map(self, map_id: str) -> None:
        """Put another map on screen, its first camera selected."""
        self.site_map = self._map(map_id)
        self.camera = None
        await self.plan.remove()
        body = self.query_one("#map-body", Horizontal)
        plan = PlanView(self.site_map, caps_of(self.app), self.states())
        await body.mount(plan, before=0)
        plan.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "playback":
            return self.camera is not None and permitted(self.app, "playback")
        if action == "next_map":
            return len(self.services.site.maps) > 1
        return True

    def action_playback(self) -> None:
        if self.camera is not None:
            self.app.push_screen(PlaybackScreen(self.services, 1, [self.camera]))

    async def action_next_map(self) -> None:
        maps = self.services.site.maps
        index = next(n for n, m in enumerate(maps) if m.id == self.site_map.id)
        await self.show_map(maps[(index + 1) % len(maps)].id)

    def view_commands(self) -> list[ViewCommand]:
        """Every other map, and playback of the selected camera."""
        commands = [
            ViewCommand(f"Map: {m.name}", "Show this map", partial(self.show_map, m.id))
            for m in self.services.site.maps
            if m.id != self.site_map.id
        ]
        if self.check_action("playback", ()):
            commands.append(
                ViewCommand("Playback", "Recordings of the selected camera", self.action_playback)
            )
        return commands

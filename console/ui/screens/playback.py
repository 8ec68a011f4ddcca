"""Playback: the cameras of the current layout, recorded, in sync, always masked.

One `Transport` turns the console clock into a recording time; every tick the screen
moves each camera's `PlaybackSource` to that time and the tiles draw whatever frame is
on then. The frames come from `PlaybackCursor`, which hands out only `MaskedFrame`s
masked behind the shared lift gate: playback cannot show what the live wall would
not. A camera without footage at that time (a gap, a damaged or missing segment)
shows the reason in its tile and in the status line; nothing stops the others.

Reading the recordings folders (each segment is opened to learn its length) runs in a
thread worker, so a site with long recordings never freezes the console.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Static

from console.core.privacy.masking import CameraMasker
from console.core.services import Services
from console.core.site.model import Camera
from console.core.timebase.moments import format_time, parse_moment
from console.core.timebase.utc import system_now
from console.core.video.playback_cursor import PlaybackCursor, SyncedPlayback
from console.core.video.playback_source import PlaybackSource
from console.core.video.recording_index import RecordingIndex
from console.core.video.segment_files import index_camera
from console.core.video.transport import Transport
from console.ui.operator import permitted
from console.ui.plain import plain
from console.ui.screens.dialogs import AskScreen
from console.ui.screens.export import ExportScreen
from console.ui.screens.hotspot import HotspotScreen
from console.ui.screens.search import SearchScreen
from console.ui.view_commands import ViewCommand, ViewCommands
from console.ui.widgets.header import VeilHeader
from console.ui.widgets.tile_grid import TileGrid
from console.ui.widgets.timeline import Timeline

TICK = 0.1
"""Seconds between playhead updates; tiles draw at their own rate."""


class PlaybackScreen(Screen[None]):
    """Recorded video of the layout's cameras with a timeline and transport controls."""

    COMMANDS = {ViewCommands}
    DEFAULT_CSS = """
    PlaybackScreen #playback-loading { height: 1fr; content-align: center middle; }
    PlaybackScreen #playback-status { height: 1; padding: 0 1; background: $panel; }
    """
    BINDINGS = [
        Binding("space", "play_pause", "Play/Pause"),
        Binding("comma", "step(-1)", "-1 frame", key_display=","),
        Binding("full_stop", "step(1)", "+1 frame", key_display="."),
        Binding("minus", "slower", "Slower", key_display="-"),
        Binding("plus,equals_sign", "faster", "Faster", key_display="+"),
        Binding("g", "jump", "Go to"),
        Binding("pageup,b", "previous_recording", "Prev rec", key_display="b"),
        Binding("pagedown,n", "next_recording", "Next rec", key_display="n"),
        Binding("left_square_bracket", "mark_in", "Mark in", key_display="["),
        Binding("right_square_bracket", "mark_out", "Mark out", key_display="]"),
        Binding("x", "export", "Export"),
        Binding("s", "smart_search", "Search", show=False),
        Binding("escape", "app.pop_screen", "Live"),
    ]
    """Transport, marks, export and smart search (`s`, not in the footer: it is full);
arrows and Enter belong to the grid."""

    moment: reactive[float] = reactive(0.0)
    """The playhead (POSIX seconds), copied from the transport at every tick."""
    mark_in: reactive[float | None] = reactive(None)
    mark_out: reactive[float | None] = reactive(None)

    @dataclass
    class Indexed(Message):
        """The worker has read every camera's recordings folder."""

        indexes: dict[str, RecordingIndex]

    def __init__(
        self,
        services: Services,
        layout: int,
        cameras: list[str | None],
        start: float | None = None,
    ) -> None:
        super().__init__()
        self.start = start
        """Where the playhead starts (a search hit); None: the first recording."""
        self.services = services
        self.side = layout
        self.slots = cameras
        """The camera id in each slot of the layout (None for an empty slot)."""
        self.transport = Transport(services.clock)
        self.sources: dict[str, PlaybackSource] = {}
        """One per camera, shared by every slot showing it."""
        self.synced = SyncedPlayback({})
        self._status_text = ""

    @property
    def cameras(self) -> list[Camera]:
        """The layout's cameras, each once, in slot order."""
        by_id = {camera.id: camera for camera in self.services.site.cameras}
        ids = dict.fromkeys(c for c in self.slots if c is not None and c in by_id)
        return [by_id[camera_id] for camera_id in ids]

    def compose(self) -> ComposeResult:
        yield VeilHeader()
        count = len(self.cameras)
        if count:
            text = f"Reading the recordings of {count} camera(s)…"
        else:
            text = "No camera in this layout: assign cameras to its slots on the wall first."
        yield Static(text, id="playback-loading")
        yield Footer()

    def on_mount(self) -> None:
        if self.cameras:
            self._index()

    def on_unmount(self) -> None:
        """Decoders go with the screen (each source closes under its lock: tiles may be
        rendering on a pump thread right now)."""
        for source in self.sources.values():
            source.close()

    @work(thread=True, exclusive=True, group="playback-index")
    def _index(self) -> None:
        indexes = {camera.id: index_camera(camera) for camera in self.cameras}
        self.post_message(self.Indexed(indexes))

    @on(Indexed)
    async def _ready(self, message: Indexed) -> None:
        gate = self.services.gate
        for camera in self.cameras:
            cursor = PlaybackCursor(
                message.indexes[camera.id],
                self.services.track(
                    CameraMasker(camera.id, camera.masks, gate, self.services.timeline(camera.id))
                ),
            )
            self.sources[camera.id] = PlaybackSource(camera.name, cursor)
        self.synced = SyncedPlayback({c: s.cursor for c, s in self.sources.items()})
        first = self.synced.next_start(-math.inf) if self.start is None else self.start
        self.transport.seek(system_now().timestamp() if first is None else first)
        grid = TileGrid(self.side, [self.sources.get(c) if c else None for c in self.slots])
        timeline = Timeline([(s.title, s.cursor.index) for s in self.sources.values()])
        timeline.data_bind(PlaybackScreen.moment, PlaybackScreen.mark_in, PlaybackScreen.mark_out)
        await self.query_one("#playback-loading").remove()
        footer = self.query_one(Footer)
        await self.mount(grid, timeline, Static(id="playback-status"), before=footer)
        self.sync()
        self.set_interval(TICK, self.sync)

    def sync(self) -> None:
        """Move every camera to the transport's time; stop at the end of the footage."""
        moment = self.transport.position()
        end = self._last_end()
        if self.transport.playing and end is not None and moment >= end:
            self.transport.pause()
            moment = end - 1e-6
            self.transport.seek(moment)
        for source in self.sources.values():
            source.show(moment)
        self.moment = moment
        self._status()

    def _last_end(self) -> float | None:
        ends = [
            spans[-1].end
            for spans in (s.cursor.index.spans() for s in self.sources.values())
            if spans
        ]
        return max(ends, default=None)

    def _status(self) -> None:
        if not self.is_mounted or not self.sources:
            return
        transport = self.transport
        state = "Playing" if transport.playing else "Paused"
        parts = [f"{state} {transport.speed:g}x", format_time(self.moment)]
        if self.mark_in is not None or self.mark_out is not None:
            marks = [
                format_time(m) if m is not None else "—" for m in (self.mark_in, self.mark_out)
            ]
            parts.append(f"in {marks[0]} out {marks[1]}")
        for source in self.sources.values():
            status = source.status
            if status.state != "live":
                parts.append(f"{source.title}: {status.message or status.state}")
        text = "  ·  ".join(parts)
        if text != self._status_text:  # the tick runs 10 times a second; repaint on change
            self._status_text = text
            self.query_one("#playback-status", Static).update(plain(text))

    def watch_mark_in(self) -> None:
        self._status()

    def watch_mark_out(self) -> None:
        self._status()

    @property
    def _focused_source(self) -> PlaybackSource | None:
        """The source of the focused slot, else the first camera's: steps follow it."""
        grids = self.query(TileGrid)
        if grids:
            camera = self.slots[grids.first().focused_index]
            if camera in self.sources:
                return self.sources[camera]
        return next(iter(self.sources.values()), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "export":
            return permitted(self.app, "export")
        if action == "smart_search":
            return permitted(self.app, "playback")
        return True

    def action_play_pause(self) -> None:
        self.transport.toggle()
        self.sync()

    def action_step(self, frames: int) -> None:
        source = self._focused_source
        if source is None:
            return
        self.transport.pause()
        self.transport.seek(source.step(frames))
        self.sync()

    def action_faster(self) -> None:
        self.transport.faster()
        self.sync()

    def action_slower(self) -> None:
        self.transport.slower()
        self.sync()

    def seek(self, moment: float) -> None:
        self.transport.seek(moment)
        self.sync()

    def action_jump(self) -> None:
        parse = partial(parse_moment, day_of=self.moment)
        ask = AskScreen(
            "Go to (UTC): a time of day, or a date and time",
            parse,
            value=format_time(self.moment),
            placeholder="10:00:30 or 2026-11-27T10:00:30Z",
        )
        self.app.push_screen(ask, self._jumped)

    def _jumped(self, moment: float | None) -> None:
        if moment is not None:
            self.seek(moment)

    def action_next_recording(self) -> None:
        start = self.synced.next_start(self.moment)
        if start is None:
            self.notify("No later recording.", title="Playback")
        else:
            self.seek(start)

    def action_previous_recording(self) -> None:
        start = self.synced.previous_start(self.moment)
        if start is None:
            self.notify("No earlier recording.", title="Playback")
        else:
            self.seek(start)

    def action_mark_in(self) -> None:
        self.mark_in = self.moment
        if self.mark_out is not None and self.mark_out <= self.moment:
            self.mark_out = None

    def action_mark_out(self) -> None:
        self.mark_out = self.moment
        if self.mark_in is not None and self.mark_in >= self.moment:
            self.mark_in = None

    def action_export(self) -> None:
        self.transport.pause()
        self.sync()
        screen = ExportScreen(self.services, list(self.sources), self.mark_in, self.mark_out)
        self.app.push_screen(screen)

    def action_smart_search(self) -> None:
        """Search the focused camera around the playhead (± 30 min)."""
        self.transport.pause()
        self.sync()
        source = self._focused_source
        cameras = [source.camera_id] if source is not None else []
        play = partial(play_at, self.app, self.services)
        self.app.push_screen(SearchScreen(self.services, cameras, play, self.moment))

    @on(TileGrid.Chosen)
    def _hotspot(self, event: TileGrid.Chosen) -> None:
        camera = self.slots[event.index] if event.index < len(self.slots) else None
        if camera in self.sources:
            self.app.push_screen(HotspotScreen(self.sources[camera]))

    def view_commands(self) -> list[ViewCommand]:
        """Transport commands for the palette (see `console.ui.view_commands`)."""
        commands = [
            ViewCommand("Play / pause", "Space", self.action_play_pause),
            ViewCommand(
                "Step forward", "One frame of the focused camera", partial(self.action_step, 1)
            ),
            ViewCommand(
                "Step back", "One frame of the focused camera", partial(self.action_step, -1)
            ),
            ViewCommand("Faster", "Next speed up, to 8x", self.action_faster),
            ViewCommand("Slower", "Next speed down, to 0.25x", self.action_slower),
            ViewCommand("Go to time…", "Jump to a date and time (UTC)", self.action_jump),
            ViewCommand(
                "Next recording", "Start of the next recording", self.action_next_recording
            ),
            ViewCommand(
                "Previous recording",
                "Start of this or the previous recording",
                self.action_previous_recording,
            ),
            ViewCommand("Mark in", "Start the export range here", self.action_mark_in),
            ViewCommand("Mark out", "End the export range here", self.action_mark_out),
        ]
        if self.check_action("export", ()):
            commands.append(
                ViewCommand(
                    "Export…",
                    "Export the marked range with every mask burned in",
                    self.action_export,
                )
            )
        if self.check_action("smart_search", ()):
            commands.append(
                ViewCommand(
                    "Smart search…",
                    "Motion in a region of the recordings, never under a mask",
                    self.action_smart_search,
                )
            )
        return commands


def play_at(app: App[object], services: Services, camera_id: str, start: float) -> None:
    """Playback of one camera from `start` (a search hit), paused there."""
    app.push_screen(PlaybackScreen(services, 1, [camera_id], start))

"""The "Diagnostics" palette command: what the terminal was found to support, and why,
and how every tile is keeping up.

An operator whose tiles look wrong (blocks instead of pictures, washed-out colours, a
stuttering wall over a slow link) needs the detection's reasoning, not a guess: each
decision of `detect_terminal` left a sentence in `TerminalCaps.reasons`, listed here,
with what to set to change it. Below that, one row per tile: the renderer in use (a
sixel tile says when it is showing text instead), frames per second shown against the
rate its pace allows, encode time, how long finished frames waited, and the 95th
percentile of capture-to-write latency.

Tiles hold still while another screen is in front of them (see `CameraTile`), so the
figures are those of the seconds before the screen opened; the screen is opaque, as
there is nothing live to see behind it.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from console.core.render.terminal import TerminalCaps
from console.ui.plain import plain
from console.ui.widgets.camera_tile import caps_of
from console.ui.widgets.footer import VeilFooter
from console.ui.widgets.tile_stats import WINDOW, StatsBoard, writer_backlog

TITLE = "Diagnostics"
HELP = "What the terminal supports and why, and how each tile keeps up"
COLUMNS = ("Tile", "Renderer", "fps shown", "fps allowed", "Encode ms", "Wait ms", "p95 ms")
OVERRIDES = (
    "Override with --render auto|kitty|sixel|halfblock|ascii, --colors auto|truecolor|256|16|mono, "
    "or VEIL_RENDER and VEIL_CELL_PX=WxH."
)


def describe(caps: TerminalCaps) -> str:
    """One paragraph: the decision, then each reason on its own line."""
    width, height = caps.cell_px
    decision = (
        f"Tiles draw as {caps.render} at {caps.colors.value} colours, "
        f"cells of {width}x{height} px"
        f"{', inside tmux' if caps.tmux else ''}."
    )
    return "\n".join([decision, *(f"• {reason}" for reason in caps.reasons), OVERRIDES])


class DiagnosticsScreen(ModalScreen[None]):
    """The detection, and the tiles' figures as they were when it opened."""

    DEFAULT_CSS = """
    DiagnosticsScreen { align: center middle; }
    DiagnosticsScreen #diagnostics {
        width: 100;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 1 2;
        border: round $primary;
        background: $surface;
    }
    DiagnosticsScreen #diagnostics-title { text-style: bold; margin-bottom: 1; }
    DiagnosticsScreen #terminal { margin-bottom: 1; }
    DiagnosticsScreen DataTable { height: auto; max-height: 20; }
    DiagnosticsScreen #writer { color: $text-muted; margin-top: 1; }
    """

    BINDINGS = [Binding("escape", "dismiss", "Close")]
    """Escape returns to the screen the command was run from."""

    def __init__(self, caps: TerminalCaps, board: StatsBoard) -> None:
        super().__init__()
        self.caps = caps
        self.board = board

    def compose(self) -> ComposeResult:
        with Vertical(id="diagnostics"):
            yield Static(TITLE, id="diagnostics-title")
            yield Static(plain(describe(self.caps)), id="terminal")
            yield DataTable(id="tiles", cursor_type="none", zebra_stripes=True)
            yield Static("", id="writer")
        yield VeilFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns(*COLUMNS)
        now = time.monotonic()
        for stats in self.board.tiles.values():
            table.add_row(
                plain(stats.name),
                stats.mode or "(starting)",
                f"{stats.fps(now):.1f}",
                f"{stats.target_fps:.1f}{' (slowed)' if stats.overloaded else ''}",
                f"{stats.encode_ms:.1f}",
                f"{stats.lag_ms:.0f}",
                f"{stats.latency_p95_ms:.0f}",
            )
        if not self.board.tiles:
            table.add_row("(no tiles on screen)", "", "", "", "", "", "")
        self.query_one("#writer", Static).update(
            f"Figures of the {WINDOW:.0f} s before this screen opened (tiles hold still "
            f"behind it). Writes queued for the terminal: {writer_backlog(self.app)}."
        )


class DiagnosticsCommands(Provider):
    """Offers "Diagnostics" on every screen."""

    def _open(self) -> None:
        self.app.push_screen(DiagnosticsScreen(caps_of(self.app), StatsBoard.of(self.app)))

    async def discover(self) -> Hits:
        yield DiscoveryHit(TITLE, self._open, help=HELP)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        score = matcher.match(TITLE)
        if score > 0:
            yield Hit(score, matcher.highlight(TITLE), self._open, text=TITLE, help=HELP)

"""The lift countdown: how long until liftable masks return, in the header while lifted.

The app samples the `LiftController` (the clock decides, never a count of ticks) into
its `lift_remaining` reactive; every countdown on every screen follows that one value,
the way Textual's own `Header` follows the app's title. The countdown only shows time:
the expiry itself is enforced by the core on every frame, countdown or not.
"""

from __future__ import annotations

import math

from textual.reactive import reactive
from textual.widget import Widget

URGENT_SECONDS = 60.0
"""From this many seconds left the countdown turns urgent (and the app warns once)."""


def mm_ss(seconds: float) -> str:
    """Minutes and seconds, rounded up so "00:00" never shows while time is left."""
    minutes, rest = divmod(math.ceil(max(0.0, seconds)), 60)
    return f"{minutes:02d}:{rest:02d}"


class LiftCountdown(Widget):
    """ "MASKS LIFTED mm:ss", hidden while masks are applied."""

    DEFAULT_CSS = """
    LiftCountdown {
        display: none;
        width: auto;
        height: 1;
        padding: 0 1;
        background: $warning;
        color: auto 90%;
        text-style: bold;
    }
    LiftCountdown.-lifted { display: block; }
    LiftCountdown.-urgent { background: $error; }
    """

    remaining: reactive[float] = reactive(0.0, layout=True)
    """Seconds left on the lift; 0 when masks are applied."""

    def on_mount(self) -> None:
        self.watch(self.app, "lift_remaining", self._follow)

    def _follow(self, remaining: float) -> None:
        self.remaining = remaining

    def watch_remaining(self, remaining: float) -> None:
        self.set_class(remaining > 0, "-lifted")
        self.set_class(0 < remaining <= URGENT_SECONDS, "-urgent")

    def render(self) -> str:
        return f"MASKS LIFTED {mm_ss(self.remaining)}"

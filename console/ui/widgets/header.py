"""The console's header: title, site, operator and role, and the lift countdown.

Every screen shows it instead of Textual's plain `Header`, so that while masks are
lifted the countdown is on screen wherever the operator is. Who is logged in comes
from the app's sub-title, which the app sets at login and clears at logout.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Header

from console.ui.widgets.countdown import LiftCountdown


class VeilHeader(Header):
    """Textual's header with the lift countdown docked at its right end."""

    DEFAULT_CSS = """
    VeilHeader > LiftCountdown { dock: right; }
    """

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield LiftCountdown()

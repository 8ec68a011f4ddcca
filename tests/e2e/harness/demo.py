"""What the e2e tests rely on in the demo site (console/demo/README.md, "Regions for tests").

The demo users come from the product itself, the one list the README and the login
screen also show, so a changed demo password cannot leave these tests typing a stale one.
"""

from __future__ import annotations

from console.core.access.demo import DEMO_USERS
from console.core.site.paths import DEMO_SITE

from .pixels import NormRect

SITE = DEMO_SITE

Credentials = tuple[str, str]
"""User name and password, as typed into the login screen or the authorization modal."""


def _demo_user(role: str) -> Credentials:
    (user,) = (user for user in DEMO_USERS if user.role == role)
    return (user.name, user.password)


OPERATOR = _demo_user("operator")
"""May watch but not lift: a lift needs the supervisor's authorization."""
SUPERVISOR = _demo_user("supervisor")

LOBBY_TILE = "╭─ Lobby entrance "
"""The top border of the first camera's tile: the wall is on the screen."""

LIFT_MINUTES = 30
"""The demo operator's role has no lift_timeout, so a lift for them lasts the site's 30m."""

KEYPAD_COLOR = "#1e3a5f"
KEYPAD: NormRect = (13 / 16, 4 / 16, 15 / 16, 9 / 16)
"""lobby: permanent solid mask, grid 16x16 cells 13-14,4-8."""
KEYPAD_PROBE: NormRect = (0.84, 0.27, 0.92, 0.53)
LOBBY_MOTION: NormRect = (0.30, 0.35, 0.76, 0.98)

CODE_PANEL_COLOR = "#000000"
CODE_PANEL: NormRect = (0.73, 0.29, 0.91, 0.75)
"""gate: permanent solid mask."""
CODE_PANEL_PROBE: NormRect = (0.75, 0.31, 0.89, 0.73)
GUARD_BOOTH_COLOR = "#5a5a5a"
GUARD_BOOTH: NormRect = (2 / 32, 8 / 32, 8 / 32, 15 / 32)
"""gate: liftable solid mask, grid 32x32 cells 2-7,8-14."""
GATE_MOTION: NormRect = (0.30, 0.30, 0.66, 0.98)

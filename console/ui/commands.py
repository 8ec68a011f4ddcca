"""The console's own palette commands, next to Textual's defaults.

Each command is an app action, and the palette offers a command only when the app's
`check_action` enables that action right now. Key bindings and the footer ask the
same `check_action`, so palette, keys and footer cannot disagree: while masks are
applied only "Lift privacy masks" is offered, while lifted only "Apply privacy masks".
"""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

PRIVACY_COMMANDS = (
    ("Lift privacy masks", "lift_masks", "See beneath liftable masks for a limited time"),
    ("Apply privacy masks", "apply_masks", "Put every privacy mask back now"),
    ("Log out", "logout", "Apply masks, end the session and return to the login screen"),
    ("Audit trail", "audit_trail", "Who logged in, lifted, authorized and exported"),
    ("Active lifts", "active_lifts", "Every console's lift in force; end one (supervisors)"),
    ("Edit privacy masks", "edit_masks", "Paint the focused camera's grid masks (admin)"),
)
"""(title, app action, help) for every command this provider may offer."""


class PrivacyCommands(Provider):
    """Lift or Apply (whichever is valid now), Log out, and the audit trail if permitted."""

    def _valid(self) -> list[tuple[str, str, str]]:
        return [command for command in PRIVACY_COMMANDS if self.app.check_action(command[1], ())]

    async def discover(self) -> Hits:
        for title, action, help_text in self._valid():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, action, help_text in self._valid():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    text=title,
                    help=help_text,
                )

"""The key footer of every Veil screen: Textual's own, without needless rebuilds.

Textual's footer rebuilds every key it shows (a dozen widgets, each styled anew) each
time its screen's bindings may have changed: on every focus change, and whenever another
screen is pushed over its own or popped off it. On a streaming wall, the rebuild of the
covered wall's footer sat in the path of the key that opens the command palette. This
footer rebuilds only while its screen is the one on top, and only when the keys it would
show differ from the keys it shows.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.screen import Screen
from textual.widgets import Footer


class VeilFooter(Footer):
    """A footer that rebuilds only when what it shows would change."""

    _shown: Hashable = None

    def bindings_changed(self, screen: Screen[object]) -> None:
        if not screen.is_current or not screen.app.app_focus:
            return  # the screen's return to the top, or the app's focus, signals again
        shown = (
            self.compact,
            tuple(
                (key, binding.action, binding.description, binding.group, enabled, tooltip)
                for key, (_, binding, enabled, tooltip) in screen.active_bindings.items()
            ),
        )
        if shown == self._shown:
            return
        self._shown = shown
        super().bindings_changed(screen)

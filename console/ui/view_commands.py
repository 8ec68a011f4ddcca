"""Palette commands for the views screens: layouts, slots, named views, playback, export.

The commands belong to the screen the palette was opened from: a screen offering them
implements `ViewCommandHost.view_commands()` and lists only what is valid right now
(the layouts other than the current one, the operator's own named views, Playback
and "Export…" only for roles that hold those permissions), as Posting's provider does.
Each command runs the same screen method its key binding runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.ui.plain import highlighted, plain


@dataclass(frozen=True, slots=True)
class ViewCommand:
    title: str
    """May hold camera, carousel and view names: shown as plain text."""
    help: str
    """Veil's own words; the palette shows it as plain text all the same."""
    run: Callable[[], object]


@runtime_checkable
class ViewCommandHost(Protocol):
    """A screen with views commands."""

    def view_commands(self) -> list[ViewCommand]: ...


class ViewCommands(Provider):
    """The calling screen's views commands, for screens' `COMMANDS`."""

    def _commands(self) -> list[ViewCommand]:
        screen = self.screen
        return screen.view_commands() if isinstance(screen, ViewCommandHost) else []

    async def discover(self) -> Hits:
        for command in self._commands():
            yield DiscoveryHit(
                plain(command.title), command.run, text=command.title, help=command.help
            )

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    highlighted(matcher, command.title),
                    command.run,
                    text=command.title,
                    help=command.help,
                )

"""The console's command palette: one screen, built once, asking Textual's providers.

Every command is still a Textual `Provider` (the app's and the calling screen's
`COMMANDS`, `App.get_system_commands`), driven only through the provider's public
API: a provider is made for the screen the palette was opened from, `startup()`,
then `discover()` for an empty query or `search(query)` for each change of the query,
and `shutdown()` when the palette closes. So the commands are defined once and each
provider still decides, on every opening, what the current user on the current
screen may be offered (`VeilApp.check_action`, `ViewCommandHost.view_commands`).

Why a screen of our own rather than Textual's `CommandPalette`: that one is built
anew on each opening (`App.action_command_palette` pushes a new instance, composed,
styled and mounted while the operator waits; on the streaming 4x4 wall the fastest
Ctrl+P took 57-86 ms with it and 31-51 ms with this screen), and Textual's public API
cannot reuse it. Installed and pushed again (`App.install_screen`), a `CommandPalette`
keeps the providers, calling screen and hits of its first opening: they are set up
only in its private `_on_mount` (`_calling_screen`, `_providers`, then
`_gather_commands("")`), which Textual calls once per mount, and nothing public makes
it gather again for another screen or user. The provider plumbing it uses is private
too (`Provider._post_init`, `_search`, `_shutdown`), and so is the markup parsing of
a `str` hit and its help (`_gather_commands`). Reusing it would mean calling those
private members, which may change in any release. This screen is installed once by
the app and pushed on every opening, so an opening is a push and one provider round;
the providers are driven by their public methods only.

What it keeps from Textual's palette, and the console's own rules:

- everything typed is plain text (a `PlainInput`), and so is every hit a provider
  gives as a `str`, its help included (Textual's palette parses both as markup);
- Escape (or a click beside it) closes it, Enter runs the highlighted command after
  the palette has closed, Up/Down/PageUp/PageDown move through the hits. An Enter
  typed ahead of the hits for the query (a slow link, a busy machine) waits for them
  and runs the first: never a hit still listed for an earlier query;
- nothing survives a closing: the query, the hits and the providers go when the
  palette leaves the screen, however it leaves (a command, Escape, or the logout that
  pops every screen), so the next opening, and the next user, start from nothing;
- the panic key is an app priority binding and works here as on any screen;
- hits are sorted (best score first, then by title): the providers are in sets, and a
  list in set order would move between runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from inspect import isclass
from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Provider
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.style import Style
from textual.widget import AwaitMount
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.ui.plain import PlainInput, plain

PLACEHOLDER = "Search for commands…"
NO_MATCHES = "No matches found"

ProviderSource = Iterable[object]
"""What `App.COMMANDS` and `Screen.COMMANDS` hold: provider classes, callables that
return one (Textual's lazy `get_system_commands_provider`), or a `SimpleProvider`
instance standing in for its class (`App.search_commands`)."""

ProviderFactory = Callable[[Screen[Any], Style | None], Provider]
"""A provider class, or a `SimpleProvider`, which hands itself out when called."""


def provider_factories(sources: ProviderSource) -> list[ProviderFactory]:
    """The providers of `sources`, resolved as Textual's palette resolves them."""
    factories: list[ProviderFactory] = []
    for source in sources:
        if isclass(source) and issubclass(source, Provider):
            factories.append(source)
        elif isinstance(source, Provider):
            factories.append(source)  # type: ignore[arg-type]  # a SimpleProvider's __call__
        elif callable(source):
            factories.append(source())
    return list(dict.fromkeys(factories))


class PaletteHits(OptionList, can_focus=False):
    """The hits under the query; the query field keeps the keyboard."""


class Palette(ModalScreen[None]):
    """The command palette, installed once by the app and pushed on every opening."""

    AUTO_FOCUS = "#palette-query"

    COMPONENT_CLASSES = {"palette--highlight", "palette--help"}

    DEFAULT_CSS = """
    Palette {
        align-horizontal: center;
    }
    Palette > .palette--highlight {
        text-style: bold underline;
    }
    Palette > .palette--help {
        text-style: dim not bold;
    }
    Palette #palette {
        margin-top: 3;
        height: auto;
        background: $surface;
        border-bottom: hkey black;
    }
    Palette #palette-search {
        height: auto;
        border-top: hkey black 50%;
    }
    Palette #palette-icon {
        margin-left: 1;
        margin-top: 1;
        width: 2;
    }
    Palette #palette-query, Palette #palette-query:focus {
        border: blank;
        width: 1fr;
        padding-left: 0;
        background: transparent;
        background-tint: 0%;
    }
    /* Eight commands with their help lines, scrolling for the rest: drawing the listed
       commands is most of the cost of an opening. Type to narrow. */
    Palette PaletteHits {
        border: none;
        border-top: blank;
        height: auto;
        max-height: 16;
        background: transparent;
        padding: 0;
    }
    Palette PaletteHits > .option-list--option {
        padding: 0 2;
        color: $foreground;
        text-style: bold;
    }
    Palette PaletteHits > .option-list--option-highlighted {
        color: $block-cursor-foreground;
        background: $block-cursor-background;
        text-style: $block-cursor-text-style;
    }
    """

    BINDINGS = [
        Binding("escape", "close", "Close the palette"),
        Binding("down", "hits('cursor_down')", "Next command", show=False),
        Binding("up", "hits('cursor_up')", "Previous command", show=False),
        Binding("pagedown", "hits('page_down')", "Next page", show=False),
        Binding("pageup", "hits('page_up')", "Previous page", show=False),
    ]

    def __init__(self) -> None:
        super().__init__(id="palette-screen")
        self._sources: ProviderSource | None = None
        """Providers given for this opening (`App.search_themes`); None: the app's and
        the calling screen's `COMMANDS`."""
        self._placeholder = PLACEHOLDER
        self._started: asyncio.Task[list[Provider]] | None = None
        """This opening's providers, once their `startup()` is over (the ones that
        failed it are left out, as Textual's palette leaves them out)."""
        self._hits: list[DiscoveryHit | Hit] = []
        """The commands listed, in the list's order."""
        self._opening = 0
        """Counts openings and closings: a search's answer for another opening is dropped."""
        self._listed: str | None = None
        """The query the listed hits answer; None while none are listed."""
        self._enter_waiting = False
        """Enter was pressed before the hits for the query typed were in: the first of
        them runs when they are, not a hit listed for an earlier query."""

    def compose(self) -> ComposeResult:
        with Vertical(id="palette"):
            with Horizontal(id="palette-search"):
                yield Static("🔎", id="palette-icon")
                yield PlainInput(
                    placeholder=self._placeholder, select_on_focus=False, id="palette-query"
                )
            yield PaletteHits(id="palette-hits")

    @property
    def query_field(self) -> Input:
        return self.query_one("#palette-query", Input)

    @property
    def hits_list(self) -> OptionList:
        return self.query_one(PaletteHits)

    @property
    def hits(self) -> list[DiscoveryHit | Hit]:
        """The commands listed now, in the list's order."""
        return list(self._hits)

    def open(
        self, providers: ProviderSource | None = None, placeholder: str = PLACEHOLDER
    ) -> AwaitMount:
        """Show the palette over the current screen with `providers` (default: the app's
        and that screen's `COMMANDS`); already open, it starts over with them."""
        self._sources = providers
        self._placeholder = placeholder
        if self in self.app.screen_stack:
            if self.is_current:
                self._start()
            return AwaitMount(self, [])
        return self.app.push_screen(self)

    @on(events.ScreenResume)
    def _resumed(self) -> None:
        self._start()

    @on(events.ScreenSuspend)
    def _suspended(self) -> None:
        if not self.is_current:  # a suspend from a closing overtaken by the next opening
            self._stop()

    def _start(self) -> None:
        """A fresh opening for the screen beneath: new providers, empty query, discovery."""
        self._stop()
        stack = self.app.screen_stack
        calling = stack[stack.index(self) - 1]
        sources = self._sources
        if sources is None:
            sources = [*self.app.COMMANDS, *calling.COMMANDS]
        self.query_field.placeholder = self._placeholder
        self._started = asyncio.create_task(self._start_providers(calling, sources))
        self._search("", self._opening)

    def _stop(self) -> None:
        """Forget this opening: its searches, query, hits and providers."""
        self._opening += 1
        self.workers.cancel_group(self, "palette-search")
        with self.prevent(Input.Changed):
            self.query_field.value = ""
        self._enter_waiting = False
        if self.hits_list.option_count:  # an opening after a closing finds it empty already
            self._show([], "")
        self._listed = None
        if self._started is not None:
            self._shut_down(self._started)
            self._started = None

    async def _start_providers(
        self, calling: Screen[object], sources: ProviderSource
    ) -> list[Provider]:
        match_style = self.get_visual_style("palette--highlight", partial=True)
        started: list[Provider] = []
        for factory in provider_factories(sources):
            try:
                provider = factory(calling, match_style)
                await provider.startup()
            except Exception:  # one broken provider leaves the others' commands
                self.log.error(f"command provider {factory!r} failed to start")
            else:
                started.append(provider)
        return started

    @work(group="palette-shutdown")
    async def _shut_down(self, started: asyncio.Task[list[Provider]]) -> None:
        for provider in await started:
            try:
                await provider.shutdown()
            except Exception:
                self.log.error(f"command provider {provider!r} failed to shut down")

    @on(Input.Changed, "#palette-query")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self._search(event.value.strip(), self._opening)

    @work(exclusive=True, group="palette-search")
    async def _search(self, query: str, opening: int) -> None:
        """Every started provider's hits for `query` (discovery when empty), listed
        together once all have answered: the console's providers answer from memory."""
        started = self._started
        if started is None:
            return
        found: list[DiscoveryHit | Hit] = []
        for provider in await asyncio.shield(started):
            try:
                answers = provider.search(query) if query else provider.discover()
                async for hit in answers:
                    # Textual's default `discover` yields NotImplemented
                    if isinstance(hit, DiscoveryHit | Hit):
                        found.append(hit)
            except Exception:
                self.log.error(f"command provider {provider!r} failed to search")
        if opening == self._opening:
            self._show(found, query)

    def _show(self, found: list[DiscoveryHit | Hit], query: str) -> None:
        found.sort(key=lambda hit: (-hit.score, hit.text or ""))
        self._hits = found
        help_style = self.get_visual_style("palette--help", partial=True)
        options: list[Option] = [Option(prompt(hit, help_style)) for hit in found]
        if query and not options:
            options.append(Option(Content(NO_MATCHES), disabled=True))
        hits = self.hits_list
        hits.set_options(options)
        hits.display = bool(options)
        if found:
            hits.highlighted = 0
        self._listed = query
        if self._enter_waiting:
            self._enter_waiting = False
            self._run(0)

    @on(Input.Submitted, "#palette-query")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._listed == event.value.strip():
            self._run(self.hits_list.highlighted)
        else:
            self._enter_waiting = True

    @on(OptionList.OptionSelected, "#palette-hits")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._run(event.option_index)

    @on(OptionList.OptionHighlighted, "#palette-hits")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()

    def _run(self, index: int | None) -> None:
        """The command runs once the palette is gone, on the screen it was opened from."""
        if index is None or not 0 <= index < len(self._hits):
            return
        command = self._hits[index].command
        self.action_close()
        self.app.call_later(command)

    def action_close(self) -> None:
        if self.is_current:
            self.dismiss()

    def action_hits(self, action: str) -> None:
        getattr(self.hits_list, f"action_{action}")()

    def on_click(self, event: events.Click) -> None:
        """A click beside the palette closes it, as in Textual's."""
        if self.get_widget_at(event.screen_x, event.screen_y)[0] is self:
            self.action_close()


def prompt(hit: DiscoveryHit | Hit, help_style: Style) -> Content:
    """A hit as the list shows it: its title, and its help dimmed on the line below.

    A `str` from a provider is shown as it is, never parsed as markup: the console's
    providers put camera and view names in theirs (see `console.ui.plain`).
    """
    shown = hit.prompt
    if isinstance(shown, Content):
        title = shown
    elif isinstance(shown, Text):
        title = Content.from_rich_text(shown)
    else:
        title = plain(shown if isinstance(shown, str) else str(hit.text))
    if not hit.help:
        return title
    return Content("\n").join([title, plain(hit.help).stylize_before(help_style)])

"""The Veil console application."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from console.core.services import Services
from console.ui.screens.wall import WallScreen


class VeilApp(App[None]):
    """An operator console: camera wall with privacy masks always applied."""

    CSS_PATH = "veil.tcss"
    TITLE = "Veil"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True)]
    """Application-wide bindings."""

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services
        """Sources, masks, lift and audit: everything the screens act on."""
        self.sub_title = services.site.name

    def on_mount(self) -> None:
        self.services.start()
        self.push_screen(WallScreen(self.services))

    def on_unmount(self) -> None:
        self.services.stop()

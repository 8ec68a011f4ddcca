"""The console's composition root: everything one run needs, built once and passed in.

The Textual app receives a `Services` instead of building its own dependencies, the way
Harlequin receives an adapter, so tests hand it fake clocks and sources and the CLI
hands it the real ones.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from console.core.clock import Clock, monotonic
from console.core import credentials
from console.core.config import Site
from console.core.feed import CameraFeed
from console.core.masking import NEVER_LIFTED, LiftGate
from console.core.paths import Paths


@dataclass
class Services:
    """Shared, long-lived parts of a console run."""

    site: Site
    paths: Paths
    gate: LiftGate = NEVER_LIFTED
    """Asked by every camera's masker on every frame."""
    clock: Clock = monotonic
    demo: bool = False
    feeds: dict[str, CameraFeed] = field(default_factory=dict)

    def start(self) -> None:
        for feed in self.feeds.values():
            feed.start()

    def stop(self) -> None:
        for feed in self.feeds.values():
            feed.stop()


def build_services(site: Site, paths: Paths, *, demo: bool = False) -> Services:
    """Wire the real parts together for a console run."""
    services = Services(site=site, paths=paths, demo=demo)
    services.feeds = {
        camera.id: CameraFeed(camera, services.gate, clock=services.clock)
        for camera in site.cameras
    }
    return services

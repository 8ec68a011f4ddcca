"""Building the console app for pilot and snapshot tests, with fixed frames and a fake clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from console.core.clock import FakeClock
from console.core.config import Site, load_site
from console.core.feed import CameraFeed
from console.core.paths import Paths
from console.core.services import Services
from console.core.sources import FrameSource, SourceStatus
from tests.conftest import DEMO_SITE
from tests.support.frames import FixedSource, gradient

AppServices = Callable[..., Services]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(now=1_000.0)


@pytest.fixture
def make_services(tmp_path: Path, clock: FakeClock) -> AppServices:
    """Services for the demo site whose cameras replay one fixed frame each.

    `dead` names cameras whose source is down, to show their status instead of video.
    """

    def build(site: Site | None = None, dead: tuple[str, ...] = ()) -> Services:
        site = site or load_site(DEMO_SITE)
        paths = Paths(site.path, tmp_path / "config", tmp_path / "data")
        services = Services(site=site, paths=paths, clock=clock)

        def factory_for(camera_id: str) -> Callable[[str], FrameSource]:
            if camera_id in dead:
                status = SourceStatus("lost", "cannot connect to rtsp://127.0.0.1/x")
                return lambda spec: FixedSource(None, status)
            return lambda spec: FixedSource(gradient(320, 180))

        services.feeds = {
            camera.id: CameraFeed(camera, services.gate, clock=clock, source_factory=factory_for(camera.id))
            for camera in site.cameras
        }
        return services

    return build

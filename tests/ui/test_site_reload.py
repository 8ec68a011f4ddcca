"""A site file changed under a running console: new masks on the tiles within 2 s."""

from __future__ import annotations

import json
import time
from pathlib import Path

from console.core.audit.trail import Event
from console.core.privacy.masking import NEVER_LIFTED, CameraMasker
from console.core.privacy.masks import Mask, RectGeometry, rasterize
from console.core.site.config import load_site
from console.core.site.model import Role
from console.ui.app import VeilApp
from tests.core.test_site_watch import NEW_MASK, _bump, _site_copy
from tests.ui.conftest import OPERATOR, AppServices, log_in, preview, with_role

ADDED = rasterize(RectGeometry(0.5, 0.5, 0.9, 0.9), 160, 90)


def _add_mask(path: Path) -> None:
    text = path.read_text()
    second_camera = text.index("[[cameras]]", text.index("[[cameras]]") + 1)
    path.write_text(text[:second_camera] + NEW_MASK + text[second_camera:])
    _bump(path)


async def test_a_new_mask_reaches_the_running_tiles_within_2_s(
    make_services: AppServices, tmp_path: Path
) -> None:
    path = _site_copy(tmp_path)
    services = make_services(load_site(path))
    feed = services.feeds["lobby"]
    app = VeilApp(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await log_in(pilot, OPERATOR)
        assert not (preview(feed).pixels[ADDED] == 0).all()

        _add_mask(path)
        started = time.monotonic()
        while not (preview(feed).pixels[ADDED] == 0).all() and time.monotonic() - started < 2:
            await pilot.pause(0.05)

        assert (preview(feed).pixels[ADDED] == 0).all()
        assert "added" in [mask.id for mask in services.site.camera("lobby").masks]
        changes = [r for r in services.audit.records() if r.event == Event.SITE_CHANGED]
        assert changes and json.loads(changes[-1].details)["sha256"] == load_site(path).sha256
        timeline = services.timeline("lobby")
        assert timeline is not None
        assert "added" in [m.id for m in timeline.versions[-1].masks]


async def test_an_invalid_edit_keeps_the_last_valid_masks(
    make_services: AppServices, tmp_path: Path
) -> None:
    path = _site_copy(tmp_path)
    services = make_services(load_site(path))
    feed = services.feeds["lobby"]
    before = feed.masker.masks
    app = VeilApp(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await log_in(pilot, OPERATOR)
        path.write_text(path.read_text().replace('id = "keypad"', 'id = "keypad"\nbogus = 1'))
        _bump(path)
        await pilot.pause(1.5)

        assert feed.masker.masks == before
        assert services.site.camera("lobby").masks == before


def test_a_change_reaches_open_playback_and_export_maskers(
    make_services: AppServices, tmp_path: Path
) -> None:
    path = _site_copy(tmp_path)
    services = make_services(load_site(path))
    camera = services.site.camera("lobby")
    extra = Mask("export-1", "permanent", "solid", RectGeometry(0.0, 0.0, 0.1, 0.1))
    masker = services.track(
        CameraMasker("lobby", camera.masks + (extra,), NEVER_LIFTED, services.timeline("lobby")),
        (extra,),
    )

    _add_mask(path)
    applied = services.apply_site(load_site(path))

    assert applied.masks_changed == ("lobby",)
    assert not applied.restart_needed
    assert [m.id for m in masker.masks] == ["keypad", "reception-screen", "added", "export-1"]
    assert masker.generation == 1
    timeline = masker.timeline
    assert timeline is not None and "added" in [m.id for m in timeline.versions[-1].masks]


async def test_administrators_see_an_invalid_edit_as_plain_text(
    make_services: AppServices, tmp_path: Path
) -> None:
    path = _site_copy(tmp_path)
    admin = Role("admin", frozenset({"live", "admin"}))
    services = make_services(with_role(load_site(path), admin))
    services.users.add("test", "root", "admin", "root-password-1")
    app = VeilApp(services)
    async with app.run_test(size=(160, 50)) as pilot:
        await log_in(pilot, ("root", "root-password-1"))
        path.write_text(path.read_text().replace('id = "keypad"', 'id = "keypad"\n"[b]x" = 1'))
        _bump(path)
        for _ in range(40):
            if any(n.title == "Site file problem" for n in app._notifications):
                break
            await pilot.pause(0.05)

        problems = [n for n in app._notifications if n.title == "Site file problem"]
        assert len(problems) == 1
        assert not problems[0].markup
        assert "[b]x" in problems[0].message
        assert "last valid masks stay in force" in problems[0].message

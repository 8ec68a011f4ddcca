"""Every widget shows text from people and site files as plain text, never as markup.

Hypothesis properties over arbitrary unicode through the audit viewer, notifications,
tiles (camera names in their titles), the assign dialog, the palette, the export screen
and the typed dialogs: nothing crashes (before, a user name ``[/]`` crashed the audit
viewer for good), the text appears literally as `visible` shows it (``[link=...]``
stays text, not a hidden link), and no control character reaches the terminal.

Each example starts the real console under the pilot, so there are few of them, drawn
from a fixed seed: these check a rule that holds for every string, not a search.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Coroutine, Iterable

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from rich.text import Text
from textual.app import App
from textual.content import Content
from textual.widgets import DataTable, Input, Label, OptionList, SelectionList, Static
from textual.widgets._toast import Toast

from console.core.audit.trail import Event
from console.core.services import Services
from console.core.site.config import Site
from console.text import visible
from console.ui.app import VeilApp
from console.ui.screens.audit import AuditScreen
from console.ui.screens.dialogs import AskScreen, ChoiceScreen
from console.ui.screens.export import ExportScreen
from console.ui.widgets.camera_tile import CameraTile
from tests.support.hostile_text import hostile_text
from tests.ui.conftest import OPERATOR, AppServices, demo_site, log_in, settle
from tests.ui.test_palette import palette_hits
from tests.ui.views_pilot import SIZE, press

PILOT = settings(
    max_examples=4,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""A few examples from a fixed seed, not shrunk: each one runs the console under the pilot."""

texts = st.lists(hostile_text, min_size=4, max_size=4)


def plain_text(content: object) -> str:
    """What a widget holds, as the text it shows; it must hold content, not markup (a
    table cell holds an unstyled Rich `Text`, which is never parsed either)."""
    if isinstance(content, Text):
        assert not content.spans, f"expected plain text, got {content!r}"
        return content.plain
    assert isinstance(content, Content), f"expected plain content, got {content!r}"
    return content.plain


def screen_is_clean(app: App[object]) -> None:
    """The whole screen renders, and nothing in it is a control character."""
    svg = app.export_screenshot()
    assert visible(svg.replace("\n", "")) == svg.replace("\n", "")


def run(check: Coroutine[object, object, None]) -> None:
    asyncio.run(check)


@pytest.fixture
def console_services(make_services: AppServices) -> Callable[..., Services]:
    """`make_services` for one example after another, in the one data dir of the test:
    the demo users are added by the first only."""
    built: list[Services] = []

    def build(site: Site | None = None) -> Services:
        built.append(make_services(site=site, demo=not built))
        return built[-1]

    return build


@PILOT
@given(texts=texts)
def test_audit_viewer_and_notifications(
    texts: list[str], console_services: Callable[..., Services]
) -> None:
    run(_audit_viewer_and_notifications(console_services(), texts))


async def _audit_viewer_and_notifications(services: Services, texts: list[str]) -> None:
    for text in texts:
        services.audit.append(
            Event.LIFT_DENIED, operator=text, authorizer=text, reason=text, outcome=text
        )
    app = VeilApp(services)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await app.push_screen(AuditScreen(services.audit))
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        rows = [table.get_row_at(index) for index in range(table.row_count)]
        shown = [[plain_text(cell) for cell in row] for row in rows[: len(texts)]]
        for row, text in zip(shown, reversed(texts), strict=True):
            assert row[3:7] == [visible(text)] * 4, "operator, authorizer, reason, outcome"
        screen_is_clean(app)
        for text in texts:
            app.notify(text, title=text)
        await pilot.pause()
        toasts = [plain_text(toast.render()) for toast in app.screen.query(Toast)]
        assert {f"{visible(t)}\n{visible(t)}" if t else "" for t in texts} <= set(toasts)
        screen_is_clean(app)


def site_with_camera_names(names: Iterable[str]) -> Site:
    site = demo_site()
    cameras = tuple(
        dataclasses.replace(camera, name=name)
        for camera, name in zip(site.cameras, names, strict=False)
    )
    return dataclasses.replace(site, cameras=cameras + site.cameras[len(cameras) :])


@PILOT
@given(names=texts)
def test_camera_names_on_the_wall_the_palette_and_the_export_screen(
    names: list[str], console_services: Callable[..., Services]
) -> None:
    run(_camera_names(console_services(site_with_camera_names(names)), names))


async def _camera_names(services: Services, names: list[str]) -> None:
    expected = [visible(camera.name) for camera in services.site.cameras]
    app = VeilApp(services)
    async with app.run_test(size=SIZE) as pilot:
        await log_in(pilot, OPERATOR)
        await settle(pilot)
        # Textual's `border_title` getter answers with markup; the content it draws is this:
        titles = [plain_text(tile._border_title) for tile in app.screen.query(CameraTile)]
        assert titles == expected[: len(titles)] and titles
        screen_is_clean(app)

        await press(pilot, "a")  # assign: a list of every camera by name
        assert isinstance(app.screen, ChoiceScreen)
        options = app.screen.query_one(OptionList)
        prompts = [plain_text(options.get_option_at_index(i).prompt) for i in range(len(names))]
        assert prompts == expected[: len(names)]
        screen_is_clean(app)
        await press(pilot, "escape")

        hits = await palette_hits(pilot, "slot")
        assert {f"Slot 1: {name}" for name in expected} <= set(hits)

        await press(pilot, "e")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        await settle(pilot)
        cameras = screen.query_one(SelectionList)
        listed = [plain_text(cameras.get_option_at_index(i).prompt) for i in range(len(names))]
        assert listed == expected[: len(names)]
        title = plain_text(screen.query_one("#export-mask-title", Static).content)
        assert title.startswith(f"Extra masks for {expected[0]}: ")
        screen_is_clean(app)


class DialogHost(App[None]):
    """Nothing but the dialogs under test."""


@PILOT
@given(texts=texts)
def test_choice_and_ask_dialogs(texts: list[str]) -> None:
    run(_dialogs(texts))


async def _dialogs(texts: list[str]) -> None:
    def refuse(value: str) -> str:
        raise ValueError(texts[1])

    app = DialogHost()
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(ChoiceScreen(texts[0], [(text, n) for n, text in enumerate(texts)]))
        await pilot.pause()
        assert plain_text(app.screen.query_one(Label).content) == visible(texts[0])
        options = app.screen.query_one(OptionList)
        prompts = [plain_text(options.get_option_at_index(i).prompt) for i in range(len(texts))]
        assert prompts == [visible(text) for text in texts]
        screen_is_clean(app)
        app.pop_screen()

        await app.push_screen(AskScreen(texts[2], refuse, value=texts[3]))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        title, error = app.screen.query(Label)
        assert plain_text(title.content) == visible(texts[2])
        assert plain_text(error.content) == visible(texts[1])
        assert app.screen.query_one(Input).value == texts[3]
        screen_is_clean(app)

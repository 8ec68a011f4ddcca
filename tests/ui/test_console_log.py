"""The console's log in the data dir: session, lift and source life cycle, never a secret.

A session under the pilot (a password typed into the name field, a login, a lift, the
panic key, a logout) and a camera source that fails and then comes back must leave lines
in ``logs/console.log``: one line each, UTC, control characters visible, the files 0600
in a 0700 folder, and no password anywhere in them.
"""

from __future__ import annotations

import logging
import re
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core.audit.trail import AuditLog, Event
from console.core.video.sources import FrameSource
from console.ui.app import VeilApp
from console.verbs.logs import FILE, close_console_log, open_console_log
from tests.core.test_sources import eventually, write_clip
from tests.ui.conftest import SUPERVISOR, AppServices, fill, settle

LINE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (INFO|WARNING|ERROR) \[\d+\] console\.")
TYPED_AS_NAME = "Hunter2-typed!as*name"
"""A password typed into the user-name field, one field too early."""


@pytest.fixture
def logs(tmp_path: Path) -> Iterator[Path]:
    """The console's log, open for the test, in a logs folder of its own."""
    folder = tmp_path / "data" / "logs"
    handler = open_console_log(folder)
    assert handler is not None
    yield folder
    close_console_log(handler)


def lines(folder: Path) -> list[str]:
    text = (folder / FILE).read_text(encoding="utf-8")
    found = text.splitlines()
    for line in found:
        assert LINE.match(line), line
    return found


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def no_secret_in(folder: Path, *secrets: str) -> None:
    for file in folder.iterdir():
        for secret in secrets:
            assert secret.encode() not in file.read_bytes(), (file, secret)


async def test_a_session_is_logged_without_its_passwords(
    make_services: AppServices, logs: Path
) -> None:
    services = make_services()
    app = VeilApp(services)
    async with app.run_test(size=(110, 34)) as pilot:
        await fill(pilot, TYPED_AS_NAME, SUPERVISOR[1])
        app.screen.query_one("#login-name").focus()
        await pilot.pause()
        await fill(pilot, *SUPERVISOR)
        await pilot.press("ctrl+l")
        await settle(pilot)
        await pilot.press("f12")
        await pilot.press("ctrl+o")
        await settle(pilot)
    logged = "\n".join(lines(logs))
    for event in ("login_failed", "login_ok", "lift_started", "lift_applied", "logout"):
        assert f": {event}, " in logged, event
    assert "operator '(not a user)'" in logged
    no_secret_in(logs, TYPED_AS_NAME, SUPERVISOR[1])
    assert (mode(logs), mode(logs / FILE)) == (0o700, 0o600)


def test_a_source_that_fails_and_comes_back_is_logged(tmp_path: Path, logs: Path) -> None:
    clip = tmp_path / "late.mp4"
    source = FrameSource(str(clip), backoff=(0.05, 0.1))
    source.start()
    try:
        assert eventually(lambda: source.status.state == "error")
        write_clip(tmp_path / "written.mp4").rename(clip)
        assert eventually(lambda: source.status.state == "live")
    finally:
        source.stop()
    logged = [line.split(" console.core.video.sources: ", 1)[-1] for line in lines(logs)]
    assert logged[0].startswith(f"{clip}: error: ")
    assert f"{clip}: live (was error)" in logged
    assert len(logged) == 2, "retries in the same state are not logged again"


def test_refused_records_are_logged_and_lines_stay_lines(tmp_path: Path, logs: Path) -> None:
    (tmp_path / "blocker").write_text("")
    with pytest.raises(Exception, match="unavailable"):
        AuditLog(tmp_path / "blocker" / "audit.db").append(Event.LOGIN_OK, operator="olga")
    AuditLog(tmp_path / "audit.db").append(Event.EXPORT, operator="olga\nforged line\x1b[2J")
    found = lines(logs)
    assert "ERROR" in found[0] and "audit record not written: audit log" in found[0]
    assert found[1].endswith(
        "audit 1: export, operator 'olga\\nforged line\\x1b[2J', authorizer '', outcome 'ok', "
        "details {}"
    )


def test_log_files_stay_private_across_rotation(tmp_path: Path, logs: Path) -> None:
    handler = next(
        h for h in logging.getLogger("console").handlers if isinstance(h, logging.FileHandler)
    )
    handler.maxBytes = 300  # type: ignore[attr-defined]
    for number in range(20):
        logging.getLogger("console.test").info("line %d %s", number, "x" * 40)
    files = sorted(logs.iterdir())
    assert len(files) > 2
    assert {mode(file) for file in files} == {0o600}

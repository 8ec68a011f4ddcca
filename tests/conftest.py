"""Shared fixtures. Every test runs with its own data, config and keyring.

"Keep the machine running the tests out of them": the autouse fixture points every
place Veil reads or writes (data dir, config dir, XDG dirs, the keyring backend) into a
temporary folder, so no test can touch the developer's real site, users, audit trail
or OS keyring, and subprocesses inherit the same isolation through the environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from console.core.site.paths import DEMO_SITE
from tests.support.anchor_signer import AnchorSigner, new_signer
from tests.support.postgres_server import PostgresServer, running_server
from tests.support.storage_backends import Backend

REPO = Path(__file__).resolve().parents[1]
DEMO = DEMO_SITE.parent
"""The bundled demo site's folder (clips, recordings, site.toml), inside the package."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """`make test` runs the suite on two workers (`pytest -n 2 --dist loadgroup`); the
    tests that drive real terminals, sshd and consoles in tmux all go to one of them, one
    after another, so at most one of those timing-sensitive runs is on the machine at a
    time while the other worker takes the pilot and core tests."""
    for item in items:
        if item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(autouse=True)
def isolated_environment(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    for name, sub in (
        ("VEIL_DATA_DIR", "data"),
        ("VEIL_CONFIG_DIR", "config"),
        ("XDG_DATA_HOME", "xdg-data"),
        ("XDG_CONFIG_HOME", "xdg-config"),
        ("XDG_CACHE_HOME", "xdg-cache"),
        ("XDG_STATE_HOME", "xdg-state"),
    ):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.delenv("VEIL_SITE", raising=False)
    monkeypatch.delenv("VEIL_RENDER", raising=False)
    monkeypatch.delenv("VEIL_CELL_PX", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    # The tests' own keyring inside the temporary XDG data dir: never the OS keyring, and
    # the same for the processes tests start (which then need the repository on their path).
    import keyring

    from tests.support.keyrings import BACKEND, FileKeyring

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", BACKEND)
    paths = [*filter(None, [os.environ.get("PYTHONPATH")]), str(REPO)]
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(paths))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    yield home
    keyring.set_keyring(previous)


@pytest.fixture
def signer() -> Iterator[AnchorSigner]:
    """A running audit anchor signer of the test's own (`veil anchor serve`)."""
    running = new_signer().init().start()
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One real PostgreSQL for the test session (started when a test first asks)."""
    with running_server() as server:
        yield server


@pytest.fixture
def pg_url(postgres: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh database with the schema and roles; the console role's URL."""
    monkeypatch.setenv("PGPASSFILE", str(postgres.passfile))
    return postgres.database()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Where the site's stores live: SQLite files in the test's data dir, or a database of
    the test's own on the session's PostgreSQL (see `tests.support.storage_backends`)."""
    if request.param == "sqlite":
        return Backend("sqlite", tmp_path)
    url = request.getfixturevalue("pg_url")
    return Backend("postgresql", tmp_path, request.getfixturevalue("postgres"), url)

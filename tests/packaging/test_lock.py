"""requirements.lock is in step with pyproject.toml.

`make test` installs only from the lock, so a dependency added to pyproject without
`make lock` would be missing from every clean environment, and a range narrowed in
pyproject would go on being tested at a version users can no longer get. This catches
both offline, from the two files, before anything is imported.
"""

from __future__ import annotations

import re
import tomllib

from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def locked() -> dict[str, Version]:
    """Name -> pinned version, for the pins whose marker holds on this interpreter."""
    pins: dict[str, Version] = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        match = PIN.match(line)
        if not match:
            continue
        name, version, marker = match.groups()
        if marker and not Requirement(f"x; {marker}").marker.evaluate():  # type: ignore[union-attr]
            continue
        pins[canonicalize_name(name)] = Version(version)
    return pins


def declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(text) for text in (*project["dependencies"], *extras["dev"])]


def test_every_declared_requirement_is_pinned_within_its_range() -> None:
    pins = locked()
    environment = default_environment()
    for requirement in declared():
        if requirement.marker and not requirement.marker.evaluate(environment):
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement} is not in requirements.lock: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock pins {name}=={pins[name]}, outside {requirement}: run `make lock`"
        )
        for extra in requirement.extras:  # psycopg[binary] brings psycopg-binary
            assert any(pin.startswith(f"{name}-{extra}") for pin in pins), f"{requirement}"


def test_every_pin_carries_hashes() -> None:
    text = (REPO / "requirements.lock").read_text()
    entries = re.split(r"\n(?=\S)", text.split("\n", 2)[2].strip())
    pinned = [entry for entry in entries if not entry.startswith("#")]
    assert len(pinned) >= len(declared())
    for entry in pinned:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]

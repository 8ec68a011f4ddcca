"""The site file's [audit] table: the anchor's socket and pinned key, both or neither."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from console.core.site.config import SiteError, load_site

BASE = """\
[site]
name = "Anchor config"

[roles.operator]
permissions = ["live"]

[[cameras]]
id = "door"
name = "Door"
source = "pattern:bars"

"""
KEY = "ed25519:" + base64.b64encode(bytes(range(32))).decode()


def problems(tmp_path: Path, audit: str) -> list[str]:
    (tmp_path / "site.toml").write_text(BASE + audit)
    with pytest.raises(SiteError) as caught:
        load_site(tmp_path / "site.toml")
    return [str(problem) for problem in caught.value.problems]


def test_a_relative_socket_is_resolved_and_the_key_decoded(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(
        f'{BASE}[audit]\nanchor = "run/a.sock"\nanchor_key = "{KEY}"\n'
    )
    site = load_site(tmp_path / "site.toml")
    assert site.audit_anchor == tmp_path / "run" / "a.sock"
    assert site.audit_anchor_key == bytes(range(32))


def test_without_an_audit_table_nothing_is_anchored(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(BASE)
    assert load_site(tmp_path / "site.toml").audit_anchor is None


@pytest.mark.parametrize(
    ("audit", "expected"),
    [
        ('[audit]\nanchor = "/a.sock"\n', "site.toml:13: audit.anchor: needs audit.anchor_key too"),
        (
            f'[audit]\nanchor_key = "{KEY}"\n',
            "site.toml:13: audit.anchor_key: needs audit.anchor too",
        ),
        ('[audit]\nanchor = "/a"\nanchor_key = "rsa:xyz"\n', "expected ed25519:<base64 of 32"),
        ('[audit]\nanchor = "/a"\nanchor_key = "ed25519:!!"\n', "prints it, got 'ed25519:!!'"),
        ('[audit]\nanchor = "/a"\nanchor_key = "ed25519:AAAA"\n', "anchor_key: expected ed25519"),
        ('[audit]\nanchr = "/a"\n', "unknown key 'anchr'; expected one of: anchor, anchor_key"),
    ],
)
def test_a_bad_audit_table_is_named(tmp_path: Path, audit: str, expected: str) -> None:
    found = problems(tmp_path, audit)
    assert any(expected in problem for problem in found), found

"""`veil keys`: the export key is made once, kept private, and its public half handed out."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from console.cli import main
from console.core.audit.trail import AuditLog, Event
from console.core.evidence.keys import (
    KeyExists,
    KeyProblem,
    NoExportKey,
    create_export_key,
    load_export_key,
    parse_public_key,
)
from console.core.site.paths import resolve_paths


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return tmp_path / "data"


def veil(data: Path, *argv: str) -> int:
    return main([*argv, "--data-dir", str(data)])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def key_events(data: Path) -> list[tuple[str, dict[str, object]]]:
    log = AuditLog(resolve_paths(data_dir=data).audit_db)
    return [
        (r.outcome, json.loads(r.details)) for r in log.records() if r.event == Event.EXPORT_KEY
    ]


def test_init_makes_a_private_key_readable_only_by_this_account(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data.mkdir(mode=0o755)
    assert veil(data, "keys", "init") == 0
    key_file = data / "export-key.pem"
    assert mode(key_file) == 0o600
    assert mode(data) == 0o700
    key = load_export_key(key_file)
    assert f"created export key {key.public.key_id} at {key_file}" in capsys.readouterr().out
    assert key_events(data) == [("ok", {"action": "created", "key_id": key.public.key_id})]


def test_init_never_replaces_a_key_without_being_told(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert veil(data, "keys", "init") == 0
    key_file = data / "export-key.pem"
    first = key_file.read_bytes()
    assert veil(data, "keys", "init") == 1
    assert "already holds an export key" in capsys.readouterr().err
    assert key_file.read_bytes() == first
    with pytest.raises(KeyExists):
        create_export_key(key_file)
    assert key_file.read_bytes() == first

    old_id = load_export_key(key_file).public.key_id
    assert veil(data, "keys", "init", "--replace") == 0
    new_id = load_export_key(key_file).public.key_id
    assert new_id != old_id
    assert mode(key_file) == 0o600
    assert key_events(data)[-1] == (
        "ok",
        {"action": "replaced", "key_id": new_id, "replaced_key_id": old_id},
    )
    assert [name for name in os.listdir(data) if "partial" in name] == []


def test_a_key_others_can_read_is_refused(data: Path) -> None:
    key = create_export_key(data / "export-key.pem")
    os.chmod(key.path, 0o640)
    with pytest.raises(KeyProblem, match=r"readable or writable by others \(mode 0640\)"):
        load_export_key(key.path)
    os.chmod(key.path, 0o600)
    assert load_export_key(key.path).public.key_id == key.public.key_id


def test_a_key_behind_a_symbolic_link_is_refused(data: Path, tmp_path: Path) -> None:
    key = create_export_key(tmp_path / "elsewhere" / "key.pem")
    data.mkdir()
    (data / "export-key.pem").symlink_to(key.path)
    with pytest.raises(KeyProblem, match="not a symbolic link"):
        load_export_key(data / "export-key.pem")


def test_a_file_that_is_no_ed25519_key_is_refused(data: Path) -> None:
    data.mkdir()
    path = data / "export-key.pem"
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = other.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.write_bytes(pem)
    os.chmod(path, 0o600)
    with pytest.raises(KeyProblem, match="is not an unencrypted Ed25519 private key"):
        load_export_key(path)


def test_no_key_says_how_to_make_one(data: Path) -> None:
    with pytest.raises(NoExportKey, match=r"no export signing key at .*`veil keys init`"):
        load_export_key(data / "export-key.pem")


@pytest.mark.parametrize("form", ["pem", "base64"])
def test_export_public_prints_the_key_and_its_id(
    data: Path, capsys: pytest.CaptureFixture[str], form: str
) -> None:
    key = create_export_key(data / "export-key.pem")
    assert veil(data, "keys", "export-public", "--format", form) == 0
    printed = capsys.readouterr()
    public = parse_public_key(printed.out, "stdout")
    assert public.raw == key.public.raw
    raw = key.private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    assert printed.err == f"key id: {hashlib.sha256(raw).hexdigest()[:16]}\n"
    assert "PRIVATE" not in printed.out
    if form == "pem":
        assert printed.out.startswith("-----BEGIN PUBLIC KEY-----\n")
        assert (
            serialization.load_pem_public_key(printed.out.encode()).public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            == raw
        )


def test_export_public_without_a_key_exits_3(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert veil(data, "keys", "export-public") == 3
    assert "veil keys init" in capsys.readouterr().err


@pytest.mark.parametrize(
    "text",
    ["", "not a key", "AAAA", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"],
)
def test_public_keys_that_are_not_ed25519_are_refused(text: str) -> None:
    with pytest.raises(KeyProblem, match="site.pub"):
        parse_public_key(text, "site.pub")


def test_a_public_key_reads_back_from_raw_bytes() -> None:
    raw = ed25519.Ed25519PrivateKey.generate().public_key()
    encoded = raw.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert parse_public_key(base64.b64encode(encoded).decode(), "x").raw == encoded

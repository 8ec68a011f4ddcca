"""`veil export`: login, permission, arguments, exit codes, and the export it writes."""

from __future__ import annotations

import argparse
import hashlib
import io
import json
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from console.core.access.passwords import ScryptParams
from console.core.access.users import UserStore
from console.core.audit.trail import AuditLog, Event
from console.core.evidence.keys import create_export_key, load_export_key
from console.core.privacy.masks import RectGeometry, rasterize
from console.core.site.config import load_site
from console.core.site.paths import resolve_paths
from console.verbs import export as export_verb
from tests.support.recorded_video import HEIGHT, WIDTH, decode_all, read_number, write_segment

PASSWORD = "correct horse battery"
FAST = ScryptParams(n=2**8, r=8, p=1)
SITE = """
[site]
name = "Verb test"

[roles.operator]
permissions = ["live", "playback", "export"]

[roles.viewer]
permissions = ["live", "playback"]

[[cameras]]
id = "door"
name = "Front door"
source = "pattern:bars"
recordings = "recordings"

[[cameras.masks]]
id = "keypad"
kind = "permanent"
style = "solid"
color = "#102030"
rect = [0.1, 0.1, 0.4, 0.5]
"""
KEYPAD_BGR = (0x30, 0x20, 0x10)


@pytest.fixture
def site_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A site with one camera, two recorded segments, users alice (operator) and vic
    (viewer) and the site's export key in the isolated data dir the session fixture set up.

    Hashes use cheap scrypt parameters, in the fixture and in the verb, so logins are fast.
    """
    # The verb imports its stores when it runs (see console.verbs): patch them at the source.
    monkeypatch.setattr("console.core.access.users.UserStore", partial(UserStore, params=FAST))
    folder = tmp_path / "site"
    write_segment(folder / "recordings", "2026-11-27T10-00-00Z", 20)
    write_segment(folder / "recordings", "2026-11-27T10-00-05Z", 10, first=20)
    (folder / "site.toml").write_text(SITE)
    paths = resolve_paths(folder / "site.toml")
    audit = AuditLog(paths.audit_db)
    users = UserStore(paths.users_db, load_site(folder / "site.toml").roles, audit, params=FAST)
    users.add("os:test", "alice", "operator", PASSWORD)
    users.add("os:test", "vic", "viewer", PASSWORD)
    create_export_key(paths.export_key)
    return folder


def veil_export(
    site_dir: Path, monkeypatch: pytest.MonkeyPatch, *argv: str, password: str = PASSWORD
) -> int:
    parser = argparse.ArgumentParser(prog="veil")
    export_verb.register(parser.add_subparsers())
    args = parser.parse_args(["export", "--site", str(site_dir / "site.toml"), *argv])
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return int(args.func(args))


def audit_events(site_dir: Path) -> list[tuple[str, str, str]]:
    log = AuditLog(resolve_paths(site_dir / "site.toml").audit_db)
    return [(r.event, r.operator, r.outcome) for r in log.records()]


COMMON = ("--camera", "door", "--from", "2026-11-27T10:00:00Z", "--to", "2026-11-27T10:01:00Z")


def test_export_writes_masked_video_and_manifest_and_is_audited(
    site_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "case.avi"
    code = veil_export(
        site_dir, monkeypatch, *COMMON, "--out", str(out), "--add-mask", "0.5,0.1,0.9,0.6",
        "--reason", "case 12", "--user", "alice", "--password-stdin",
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    printed = capsys.readouterr().out
    assert f"{out}: 30 frames of door" in printed
    manifest_bytes = (tmp_path / "case.avi.manifest.json").read_bytes()
    assert f"SHA-256 {hashlib.sha256(manifest_bytes).hexdigest()}" in printed
    manifest = json.loads(manifest_bytes)
    assert (manifest["operator"], manifest["reason"], manifest["frames"]) == (
        "alice",
        "case 12",
        30,
    )
    assert [m["id"] for m in manifest["masks"]] == ["keypad"]
    assert manifest["extra_masks"][0]["geometry"] == {"rect": [0.5, 0.1, 0.9, 0.6]}

    frames = decode_all(out)
    assert [read_number(f) for f in frames] == list(range(30))
    keypad = rasterize(RectGeometry(0.1, 0.1, 0.4, 0.5), WIDTH, HEIGHT)
    extra = rasterize(RectGeometry(0.5, 0.1, 0.9, 0.6), WIDTH, HEIGHT)
    for frame in frames:
        assert np.abs(frame[keypad].astype(int) - KEYPAD_BGR).max() <= 40
        assert np.abs(frame[extra].astype(int)).max() <= 40
    assert [e for e in audit_events(site_dir) if e[0] != "user_admin"] == [
        (Event.LOGIN_OK, "alice", "ok"),
        (Event.EXPORT, "alice", "ok"),
        (Event.LOGOUT, "alice", "ok"),
    ]


def test_a_role_without_export_is_refused_and_audited(
    site_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "case.mp4"
    code = veil_export(site_dir, monkeypatch, *COMMON, "--out", str(out), "--user", "vic",
                       "--password-stdin")  # fmt: skip
    assert code == 1
    assert "user vic (role viewer) may not export" in capsys.readouterr().err
    assert not out.exists()
    assert (Event.EXPORT, "vic", "denied") in audit_events(site_dir)


def test_a_wrong_password_is_refused_and_audited(
    site_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "case.mp4"
    code = veil_export(site_dir, monkeypatch, *COMMON, "--out", str(out), "--user", "alice",
                       "--password-stdin", password="not the password")  # fmt: skip
    assert code == 1
    err = capsys.readouterr().err
    assert "Wrong user name or password." in err
    assert "not the password" not in err
    assert not out.exists()
    assert (Event.LOGIN_FAILED, "alice", "wrong credentials") in audit_events(site_dir)


def test_the_password_prompt_is_used_without_password_stdin(
    site_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prompts: list[str] = []

    def fake_getpass(prompt: str) -> str:
        prompts.append(prompt)
        return PASSWORD

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    out = tmp_path / "stills"
    code = veil_export(site_dir, monkeypatch, *COMMON, "--out", str(out), "--format", "png",
                       "--user", "alice")  # fmt: skip
    assert code == 0
    assert prompts == ["Password for alice: "]
    assert len(list(out.glob("*.png"))) == 30


def test_without_an_export_key_nothing_is_exported_and_no_password_is_asked(
    site_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    resolve_paths(site_dir / "site.toml").export_key.unlink()
    monkeypatch.setattr("getpass.getpass", pytest.fail)
    out = tmp_path / "case.mp4"
    code = veil_export(site_dir, monkeypatch, *COMMON, "--out", str(out), "--user", "alice")
    assert code == 3
    assert "no export signing key" in capsys.readouterr().err
    assert not out.exists()
    assert Event.EXPORT not in [event for event, _, _ in audit_events(site_dir)]


def test_the_verb_says_which_key_signed(
    site_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "case.mp4"
    code = veil_export(site_dir, monkeypatch, *COMMON, "--out", str(out), "--user", "alice",
                       "--password-stdin")  # fmt: skip
    assert code == 0
    key = load_export_key(resolve_paths(site_dir / "site.toml").export_key)
    assert f"signed with export key {key.public.key_id}" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--from", "yesterday"), "is not an ISO 8601 date or time"),
        (("--add-mask", "0.1,0.2,0.3"), "expected four numbers x0,y0,x1,y1"),
        (("--add-mask", "0.1,0.2,1.3,0.4"), "fractions from 0 to 1"),
        (("--add-mask", "0.5,0.2,0.3,0.4"), "x0 < x1 and y0 < y1"),
        (("--out", "case.mov"), "cannot tell the format"),
        (("--out", "case.mp4", "--format", "avi"), "must be a file ending in .avi"),
    ],
)
def test_bad_arguments_exit_2_before_asking_for_a_password(
    site_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    message: str,
) -> None:
    base = {"--camera": "door", "--from": "2026-11-27T10:00:00Z", "--to": "2026-11-27T10:01Z",
            "--out": "case.mp4", "--user": "alice"}  # fmt: skip
    pairs = dict(zip(argv[::2], argv[1::2], strict=True))
    extra = [item for key, value in pairs.items() if key == "--add-mask" for item in (key, value)]
    merged = {**base, **{k: v for k, v in pairs.items() if k != "--add-mask"}}
    flat = [item for pair in merged.items() for item in pair]
    monkeypatch.setattr("getpass.getpass", pytest.fail)
    assert veil_export(site_dir, monkeypatch, *flat, *extra) == 2
    assert message in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (("--camera", "attic"), 1, "no camera 'attic'"),
        (("--from", "2026-11-27T11:00Z", "--to", "2026-11-27T12:00Z"), 1, "no recorded frames"),
    ],
)
def test_requests_that_cannot_be_exported_exit_1(
    site_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    merged = {"--camera": "door", "--from": "2026-11-27T10:00Z", "--to": "2026-11-27T10:01Z",
              "--out": str(tmp_path / "case.mp4"), "--user": "alice",
              **dict(zip(argv[::2], argv[1::2], strict=True))}  # fmt: skip
    flat = [item for pair in merged.items() for item in pair]
    assert veil_export(site_dir, monkeypatch, *flat, "--password-stdin") == code
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_progress_bar_draws_frames_percent_and_eta() -> None:
    from console.core.timebase.progress import Progress

    stream = io.StringIO()
    bar = export_verb.ProgressBar(stream)
    bar.show(Progress(1, 4, 3.0))
    bar.show(Progress(2, 4, 2.0))  # within 0.1 s of the last draw: skipped
    bar.show(Progress(4, 4, 0.0))  # the last one is always drawn
    bar.close()
    lines = stream.getvalue().split("\r")[1:]
    assert lines[0] == "export [########----------------------]  25.0%  1/4 frames  ETA 0:03 "
    assert lines[1] == "export [##############################] 100.0%  4/4 frames  ETA 0:00 \n"

"""The anchored audit (issue 10 §6): truncation, a consistently forged chain and a deleted
database are caught by `veil audit verify` against a real signer, and no console starts
a fresh chain over them."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from console.core.access.passwords import ScryptParams
from console.core.access.site_audit import site_audit
from console.core.access.users import UserStore
from console.core.audit.signer import LOG_FILE, Journal, Signer
from console.core.audit.trail import AuditLog, AuditUnavailable, Event, record_hash
from console.core.services import build_services
from console.core.site.config import Site, load_site
from console.core.site.paths import Paths, resolve_paths
from tests.support.admin_cli import run_veil
from tests.support.anchor_signer import (
    ANCHORED_SITE,
    AnchorSigner,
    anchored_history,
    new_signer,
    verify,
)

REPO = Path(__file__).resolve().parents[2]
FAST = ScryptParams(n=2**8, r=8, p=1)
SITE = ANCHORED_SITE + "\n"


@pytest.fixture
def paths(tmp_path: Path, signer: AnchorSigner) -> Paths:
    """The default data dir, and a site file whose [audit] table names the signer."""
    site = tmp_path / "site.toml"
    site.write_text(SITE + signer.site_lines)
    return resolve_paths(site)


@pytest.fixture
def site(paths: Paths) -> Site:
    assert paths.site is not None
    return load_site(paths.site)


@pytest.fixture
def audit(paths: Paths, site: Site) -> AuditLog:
    """Six anchored records: a user added, logins, a lift and its end."""
    log = site_audit(paths, site)
    users = UserStore(paths.users_db, site.roles, log, params=FAST)
    return anchored_history(log, users, "correct horse")


def tamper(path: Path, *statements: tuple[str, tuple[object, ...]]) -> None:
    """As the console account could, with the sqlite3 shell: triggers dropped first."""
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TRIGGER IF EXISTS audit_no_update")
        connection.execute("DROP TRIGGER IF EXISTS audit_no_delete")
        for sql, parameters in statements:
            connection.execute(sql, parameters)


def forge_from(path: Path, first: int) -> None:
    """Rewrite every record from `first` on, with every hash recomputed consistently."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    statements = []
    prev = rows[first - 2][-1] if first > 1 else "0" * 64
    for seq, time, event, _, authorizer, reason, outcome, details, *_ in rows[first - 1 :]:
        fields = (seq, time, event, "someone-else", authorizer, reason, outcome, details, prev)
        prev = record_hash(*fields)
        statements.append(
            ("UPDATE audit SET operator = ?, prev_hash = ?, hash = ? WHERE seq = ?",
             ("someone-else", fields[-1], prev, seq))
        )  # fmt: skip
    tamper(path, *statements)


def test_every_record_is_anchored_and_announced_to_syslog(
    audit: AuditLog, paths: Paths, signer: AnchorSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    code, said = verify(capsys, paths)
    assert code == 0, said
    assert "6 records, hash chain intact; matches the anchor's checkpoint of record 6" in said
    heads = [line for line in signer.read_journal() if "audit head" in line]
    assert [line.split("seq=")[1].split()[0] for line in heads] == ["1", "2", "3", "4", "5", "6"]
    assert heads[-1].endswith(f"hash={audit.records()[-1].hash} signed")
    assert all(line.startswith("<86>veil-anchor: ") for line in heads), "authpriv.info"


def test_truncating_the_newest_records_is_caught(
    audit: AuditLog, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attack the review reproduced: drop the triggers, delete the newest records and
    lower sqlite_sequence. The bare chain is consistent again; the anchor is not fooled."""
    tamper(
        audit.path,
        ("DELETE FROM audit WHERE seq > 4", ()),
        ("UPDATE sqlite_sequence SET seq = 4 WHERE name = 'audit'", ()),
    )
    assert AuditLog(audit.path).verify().ok, "the bare chain cannot tell"
    code, said = verify(capsys, paths)
    assert code == 1
    assert "records 5..6 are missing from the end: the anchor signed record 6 at 20" in said
    assert said.rstrip().endswith("(truncated?)")
    with pytest.raises(AuditUnavailable, match="the anchor has signed record 6, which this"):
        audit.append(Event.LOGIN_OK, operator="sam")


@pytest.mark.parametrize(
    ("first", "named"),
    [
        (1, "record 1 differs from the one the anchor signed at 20"),
        (4, "record 4 differs from the one the anchor signed at 20"),
    ],
)
def test_a_consistently_rewritten_chain_is_caught(
    audit: AuditLog, paths: Paths, capsys: pytest.CaptureFixture[str], first: int, named: str
) -> None:
    forge_from(audit.path, first)
    assert AuditLog(audit.path).verify().ok, "the bare chain cannot tell"
    code, said = verify(capsys, paths)
    assert code == 1
    assert named in said
    rest = "from its first record" if first == 1 else "after record 3, the last that matches"
    assert f"the chain was rewritten {rest}" in said


def test_the_signer_refuses_to_extend_a_rewritten_chain(
    audit: AuditLog, signer: AnchorSigner
) -> None:
    forge_from(audit.path, 1)
    with pytest.raises(AuditUnavailable, match="does not link to record 6 as anchored"):
        audit.append(Event.LOGIN_OK, operator="sam")
    assert any("REFUSED audit seq=7" in line for line in signer.read_journal())


def test_a_deleted_database_is_caught_and_no_console_starts_a_new_chain(
    audit: AuditLog, paths: Paths, site: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    for file in paths.data_dir.glob("audit.db*"):
        file.unlink()
    code, said = verify(capsys, paths)
    assert code == 1
    assert f"the audit database {audit.path} is missing: the anchor signed records 1..6" in said
    assert said.rstrip().endswith("and all of them are gone (deleted?)")

    with pytest.raises(AuditUnavailable, match="the anchor has signed records up to 6"):
        build_services(site, paths, params=FAST)
    assert run_veil("user", "disable", "sam", "--site", str(paths.site)) == 3
    assert "refusing to start a new audit chain" in capsys.readouterr().err
    assert not audit.path.exists(), "refusing must not leave an empty database behind"


def test_without_an_anchor_a_site_with_users_still_refuses_a_new_chain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "site.toml").write_text(SITE)
    paths = resolve_paths(tmp_path / "site.toml")
    site = load_site(tmp_path / "site.toml")
    UserStore(paths.users_db, site.roles, site_audit(paths, site), params=FAST).add(
        "os:admin", "sam", "supervisor", "correct horse"
    )
    paths.audit_db.unlink()
    with pytest.raises(AuditUnavailable, match=r"veil.db already has users, so this site had"):
        build_services(site, paths, params=FAST)
    assert not paths.audit_db.exists()
    assert run_veil("audit", "verify", "--site", str(paths.site)) == 3
    assert "no audit log at" in capsys.readouterr().err


def test_an_unreachable_anchor_refuses_the_act_and_verify_names_the_gap(
    audit: AuditLog, paths: Paths, signer: AnchorSigner, capsys: pytest.CaptureFixture[str]
) -> None:
    signer.stop()
    with pytest.raises(AuditUnavailable, match="record 7 was written but not anchored: the anchor"):
        audit.append(Event.LIFT_STARTED, operator="sam", details={"duration_s": 60})
    assert run_veil("audit", "verify", "--site", str(paths.site)) == 3
    assert "cannot check the audit against its anchor" in capsys.readouterr().err
    signer.start()
    code, said = verify(capsys, paths)
    assert code == 0
    assert "record 7 is not anchored (written while the anchor was unreachable" in said
    audit.append(Event.LOGOUT, operator="sam")
    code, said = verify(capsys, paths)
    assert "matches the anchor's checkpoint of record 8" in said and "not anchored" not in said


def test_a_signer_with_another_key_is_not_trusted(tmp_path: Path, signer: AnchorSigner) -> None:
    """The site pins the key: a socket answering with any other key vouches for nothing."""
    other = new_signer().init()
    try:
        other_key = other.site_lines.split("anchor_key = ")[1]
        (tmp_path / "site.toml").write_text(
            f'{SITE}[audit]\nanchor = "{signer.socket_path}"\nanchor_key = {other_key}'
        )
        paths = resolve_paths(tmp_path / "site.toml")
        log = site_audit(paths, load_site(tmp_path / "site.toml"))
        with pytest.raises(AuditUnavailable, match="signs with another key than the site's"):
            log.append(Event.SITE_LOADED)
    finally:
        other.close()


def test_only_the_console_account_may_have_records_signed(tmp_path: Path) -> None:
    stranger = new_signer(writer=str(61_999)).init().start()
    try:
        (tmp_path / "site.toml").write_text(SITE + stranger.site_lines)
        paths = resolve_paths(tmp_path / "site.toml")
        log = site_audit(paths, load_site(tmp_path / "site.toml"))
        with pytest.raises(AuditUnavailable, match="only the console's account may anchor"):
            log.append(Event.SITE_LOADED)
    finally:
        stranger.close()


WRITER = """
import sys
from pathlib import Path
from console.core.access.site_audit import site_audit
from console.core.audit.trail import Event
from console.core.site.config import load_site
from console.core.site.paths import resolve_paths

paths = resolve_paths(sys.argv[1])
log = site_audit(paths, load_site(paths.site))
for index in range(int(sys.argv[2])):
    log.append(Event.EXPORT, operator=sys.argv[3], details={"index": index})
"""


def test_two_processes_appending_at_once_are_both_anchored(
    audit: AuditLog, paths: Paths, capsys: pytest.CaptureFixture[str]
) -> None:
    """A record whose head another process got signed first is covered by that checkpoint."""
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(paths.site), "150", tag], cwd=REPO)
        for tag in ("console-a", "console-b")
    ]
    assert [writer.wait(timeout=300) for writer in writers] == [0, 0]
    code, said = verify(capsys, paths)
    assert code == 0, said
    assert "306 records, hash chain intact; matches the anchor's checkpoint of record 306" in said


def test_a_torn_last_checkpoint_is_cut_off_when_the_signer_restarts(
    signer: AnchorSigner, audit: AuditLog
) -> None:
    signer.stop()
    log = signer.directory / LOG_FILE
    complete = log.read_bytes()
    log.write_bytes(complete + b'{"seq":7,"hash":"ab')
    restarted = Signer(signer.directory, Journal("none"))
    try:
        assert restarted.last is not None and restarted.last.seq == 6
        assert log.read_bytes() == complete
    finally:
        restarted.close()


def test_verify_reads_many_checkpoints_while_records_are_being_signed(
    audit: AuditLog, paths: Paths, site: Site
) -> None:
    """Verifying takes whole checkpoint lines only, even while the signer appends."""
    done = threading.Event()

    def keep_appending() -> None:
        while not done.is_set():
            audit.append(Event.EXPORT, operator="sam")

    appender = threading.Thread(target=keep_appending)
    appender.start()
    try:
        checker = site_audit(paths, site)
        for _ in range(20):
            assert checker.verify().ok
    finally:
        done.set()
        appender.join()

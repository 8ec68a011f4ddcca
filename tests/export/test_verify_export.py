"""Signed exports verify; a changed byte, a missing or added file, or another key do not.

Each tampering case goes through `veil verify-export` as a recipient runs it, with the
public key `veil keys export-public` printed, and must exit 1 naming the file and what
failed.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from console.cli import main
from console.core.audit.trail import Event
from console.core.evidence.canonical import canonical_json
from console.core.evidence.keys import create_export_key
from console.core.evidence.request import ExportResult
from tests.export.conftest import Scene

FORMATS = ["mp4", "png"]


def exported(scene: Scene, export_format: str, **options: object) -> ExportResult:
    name = "stills" if export_format == "png" else "case.mp4"
    request = scene.request(name, export_format, **options)  # type: ignore[arg-type]
    return scene.export(dataclasses.replace(request, reason="case 2026-114"))


def public_key_file(scene: Scene, tmp_path: Path, form: str = "pem") -> Path:
    path = tmp_path / f"site-key.{form}"
    public = scene.key.public
    path.write_text(public.pem() if form == "pem" else public.base64() + "\n")
    return path


def verify(path: Path, key: Path | None, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    argv = ["verify-export", str(path)] + ([] if key is None else ["--key", str(key)])
    code = main(argv)
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def flip_one_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_the_signature_checks_out_without_veil(scene: Scene) -> None:
    """Drop `signature`, canonicalize (RFC 8785), verify with plain Ed25519."""
    result = exported(scene, "mp4")
    manifest = json.loads(result.manifest_path.read_bytes())
    signature = base64.b64decode(manifest.pop("signature"))
    assert manifest["signed_by"] == {
        "algorithm": "Ed25519",
        "key_id": scene.key.public.key_id,
        "canonicalization": "RFC 8785",
    }
    Ed25519PublicKey.from_public_bytes(scene.key.public.raw).verify(
        signature, canonical_json(manifest)
    )


def test_the_audit_records_the_manifest_hash_and_key_id(scene: Scene) -> None:
    result = exported(scene, "mp4")
    (record,) = [r for r in scene.audit.records() if r.event == Event.EXPORT]
    details = json.loads(record.details)
    assert details["manifest_sha256"] == result.manifest_sha256
    assert details["key_id"] == scene.key.public.key_id


@pytest.mark.parametrize("export_format", FORMATS)
@pytest.mark.parametrize("form", ["pem", "base64"])
def test_an_untouched_export_verifies_and_says_what_it_holds(
    scene: Scene,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    export_format: str,
    form: str,
) -> None:
    result = exported(scene, export_format)
    code, printed = verify(result.output, public_key_file(scene, tmp_path, form), capsys)
    assert code == 0, printed
    files = len(result.manifest["files"])  # type: ignore[arg-type]
    assert f"verified: {result.manifest_path}" in printed
    assert f"key {scene.key.public.key_id}" in printed
    assert f"{files} of {files} match their SHA-256 and size" in printed
    assert "by alice; reason: case 2026-114" in printed
    assert "cam (Front door)" in printed
    assert "door: permanent solid (#78c828), rect [0.1, 0.1, 0.4, 0.5]" in printed
    assert "window: liftable blur (level 5)" in printed
    assert "export-1: permanent solid (#000000)" in printed
    assert "FAILED" not in printed
    if export_format == "png":
        assert files == 61  # 60 stills and SHA256SUMS


def test_the_manifest_path_works_as_well_as_the_video(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    assert verify(result.manifest_path, public_key_file(scene, tmp_path), capsys)[0] == 0


def test_without_key_the_sites_own_key_is_used(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    data = tmp_path / "data"  # the session's VEIL_DATA_DIR holds no key: point at the scene's
    code = main(["verify-export", str(result.output), "--data-dir", str(data)])
    assert code == 0, capsys.readouterr()
    assert "this site's export key" in capsys.readouterr().out
    assert main(["verify-export", str(result.output)]) == 2
    assert "no key to check against" in capsys.readouterr().err


@pytest.mark.parametrize("export_format", FORMATS)
def test_one_changed_byte_of_video_fails_naming_the_file(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str], export_format: str
) -> None:
    result = exported(scene, export_format)
    target = result.output if export_format == "mp4" else sorted(result.output.glob("*.png"))[17]
    flip_one_byte(target, target.stat().st_size // 2)
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert f"FAILED {target}: SHA-256" in printed
    assert "differs from the manifest's: the file was changed" in printed
    assert "did not verify: 1 problem" in printed


@pytest.mark.parametrize("export_format", FORMATS)
def test_one_changed_byte_of_manifest_fails(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str], export_format: str
) -> None:
    result = exported(scene, export_format)
    text = result.manifest_path.read_bytes()
    offset = text.index(b'"operator": "alice"') + len(b'"operator": "al')
    flip_one_byte(result.manifest_path, offset)  # alice -> alhce
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert f"FAILED {result.manifest_path}: the signature does not match" in printed
    assert "alhce" not in printed  # an unsigned claim is never shown as the export's


def test_a_reformatted_manifest_fails_though_its_content_is_signed(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    manifest = json.loads(result.manifest_path.read_bytes())
    result.manifest_path.write_text(json.dumps(manifest, indent=4) + "\n")
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert "manifest signature valid, export NOT verified" in printed
    assert f"FAILED {result.manifest_path}: its signed content is intact" in printed


@pytest.mark.parametrize("export_format", FORMATS)
def test_a_missing_file_fails_naming_it(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str], export_format: str
) -> None:
    result = exported(scene, export_format)
    gone = result.output if export_format == "mp4" else sorted(result.output.glob("*.png"))[3]
    gone.unlink()
    code, printed = verify(result.manifest_path, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert f"FAILED {gone}: missing" in printed


def test_a_missing_manifest_fails_naming_it(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    result.manifest_path.unlink()
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert f"FAILED {result.manifest_path}: missing" in printed


def test_a_file_added_to_the_stills_fails_naming_it(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "png")
    added = result.output / "000061_2026-11-27T10-01-01.000Z.png"
    added.write_bytes(sorted(result.output.glob("*.png"))[0].read_bytes())
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert f"FAILED {added}: is not in the manifest (added after the export)" in printed


def test_another_key_fails_naming_both_keys(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    other = create_export_key(tmp_path / "other" / "key.pem").public
    key_file = tmp_path / "other.pem"
    key_file.write_text(other.pem())
    code, printed = verify(result.output, key_file, capsys)
    assert code == 1
    assert (
        f"is signed by key {scene.key.public.key_id}, not by the key given ({other.key_id})"
        in printed
    )
    assert "verified" not in printed


def test_a_manifest_re_signed_by_another_key_fails(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A forger who edits the manifest and claims our key id still cannot sign as us."""
    result = exported(scene, "mp4")
    forger = create_export_key(tmp_path / "forger" / "key.pem")
    manifest = json.loads(result.manifest_path.read_bytes())
    manifest.pop("signature")
    manifest["operator"] = "mallory"
    manifest["signature"] = base64.b64encode(forger.sign(canonical_json(manifest))).decode()
    result.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert "the signature does not match" in printed
    assert "mallory" not in printed


def test_a_manifest_naming_files_outside_the_export_is_refused(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    manifest = json.loads(result.manifest_path.read_bytes())
    manifest["files"].append({"name": "../../etc/passwd", "sha256": "0" * 64, "bytes": 1})
    result.manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert "lists a file outside the export" in printed
    assert "etc/passwd: missing" not in printed


def test_duplicate_keys_in_a_manifest_are_refused(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    text = result.manifest_path.read_text()
    text = text.replace('"operator": "alice",', '"operator": "alice",\n  "operator": "mallory",')
    result.manifest_path.write_text(text)
    code, printed = verify(result.output, public_key_file(scene, tmp_path), capsys)
    assert code == 1
    assert "is not valid JSON: the key 'operator' appears twice" in printed


def test_a_manifest_nested_too_deep_is_refused_not_crashed_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "case.mp4").write_bytes(b"video")
    (tmp_path / "case.mp4.manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    key = create_export_key(tmp_path / "data" / "export-key.pem").public
    (tmp_path / "site.pem").write_text(key.pem())
    code, printed = verify(tmp_path / "case.mp4", tmp_path / "site.pem", capsys)
    assert code == 1
    assert "its JSON nests too deep to read" in printed


def test_control_characters_in_the_manifest_are_printed_escaped(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    request = scene.request("case.mp4", "mp4")
    hostile = "case 7\x1b]0;owned\x07\x1b[2J\u202eevil"
    scene.export(dataclasses.replace(request, reason=hostile))
    code, printed = verify(scene.out / "case.mp4", public_key_file(scene, tmp_path), capsys)
    assert code == 0, printed
    assert "\x1b" not in printed and "\x07" not in printed and "\u202e" not in printed
    assert "reason: case 7\\x1b]0;owned\\x07\\x1b[2J\\u202eevil" in printed


def test_a_key_file_that_is_no_key_is_a_usage_error(
    scene: Scene, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = exported(scene, "mp4")
    bad = tmp_path / "bad.pem"
    bad.write_text("hello\n")
    code, printed = verify(result.output, bad, capsys)
    assert code == 2
    assert f"{bad}: expected an Ed25519 public key" in printed
    code, printed = verify(result.output, tmp_path / "absent.pem", capsys)
    assert code == 2
    assert f"{tmp_path / 'absent.pem'}: No such file or directory" in printed

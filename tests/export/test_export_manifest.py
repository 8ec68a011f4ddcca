"""The manifest beside each export, its hash, and the audit record that holds the hash."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import pytest

import console
from console.core.audit.trail import Event
from console.core.evidence.errors import ExportError
from console.core.evidence.formats import format_for
from console.core.evidence.manifest import geometry_json, manifest_path_for
from console.core.privacy.masks import GridGeometry, PolygonGeometry, RectGeometry
from console.core.timebase.clock import FakeClock
from console.core.timebase.progress import Progress
from tests.export.conftest import FRAMES, T0, Scene


def test_manifest_describes_the_export_and_its_hashes_match(scene: Scene) -> None:
    grid = GridGeometry(8, frozenset({(0, 0), (1, 0)}))
    request = scene.request("case.mp4", "mp4", extra=(RectGeometry(0.05, 0.6, 0.3, 0.8), grid))
    request = dataclasses.replace(request, reason="case 2026-114")
    result = scene.export(request)

    manifest_bytes = manifest_path_for(result.output).read_bytes()
    assert result.manifest_path == scene.out / "case.mp4.manifest.json"
    assert hashlib.sha256(manifest_bytes).hexdigest() == result.manifest_sha256
    manifest = json.loads(manifest_bytes)
    assert manifest == result.manifest
    output_sha = hashlib.sha256(result.output.read_bytes()).hexdigest()
    assert manifest["output"] == {
        "name": "case.mp4",
        "format": "mp4",
        "codec": manifest["output"]["codec"],
        "sha256": output_sha,
        "sha256_of": "case.mp4",
    }
    assert manifest["output"]["codec"] == "h264"
    assert manifest["schema"] == "veil-export-manifest/2"
    assert manifest["veil_version"] == console.__version__
    assert manifest["camera"] == {"id": "cam", "name": "Front door"}
    assert manifest["site"]["sha256"] == "ab" * 32
    assert manifest["range"] == {
        "from": "2026-11-27T10:00:00.000Z",
        "to": "2026-11-27T10:02:00.000Z",
    }
    assert manifest["recorded"] == [
        {"from": "2026-11-27T10:00:00.000Z", "to": "2026-11-27T10:00:05.000Z"},
        {"from": "2026-11-27T10:01:00.000Z", "to": "2026-11-27T10:01:01.000Z"},
    ]
    assert [gap["from"] for gap in manifest["gaps"]] == [
        "2026-11-27T10:00:05.000Z",
        "2026-11-27T10:01:01.000Z",
    ]
    assert {gap["why"] for gap in manifest["gaps"]} == {"no recording"}
    assert (manifest["frames"], manifest["fps"], manifest["size"]) == (FRAMES, 10.0, [160, 120])
    assert (manifest["first_frame"], manifest["last_frame"]) == (
        "2026-11-27T10:00:00.000Z",
        "2026-11-27T10:01:00.900Z",
    )
    assert manifest["masks"] == [
        {
            "id": "door",
            "kind": "permanent",
            "style": "solid",
            "geometry": {"rect": [0.1, 0.1, 0.4, 0.5]},
            "color": "#78c828",
        },
        {
            "id": "window",
            "kind": "liftable",
            "style": "blur",
            "geometry": {"rect": [0.5, 0.1, 0.9, 0.6]},
            "level": 5,
        },
    ]
    assert manifest["extra_masks"] == [
        {
            "id": "export-1",
            "kind": "permanent",
            "style": "solid",
            "geometry": {"rect": [0.05, 0.6, 0.3, 0.8]},
            "color": "#000000",
        },
        {
            "id": "export-2",
            "kind": "permanent",
            "style": "solid",
            "geometry": {"grid": "8x8", "cells": ["0,0", "1,0"]},
            "color": "#000000",
        },
    ]
    assert (manifest["operator"], manifest["authorizer"], manifest["reason"]) == (
        "alice",
        None,
        "case 2026-114",
    )
    assert manifest["lifted_frames"] == 0


def test_the_audit_holds_the_export_with_the_manifest_hash(scene: Scene) -> None:
    result = scene.export(scene.request("case.avi", "avi"))
    (record,) = [r for r in scene.audit.records() if r.event == Event.EXPORT]
    details = json.loads(record.details)
    assert details["manifest_sha256"] == result.manifest_sha256
    assert details["output_sha256"] == result.manifest["output"]["sha256"]  # type: ignore[index]
    assert (details["camera"], details["frames"], details["format"]) == ("cam", FRAMES, "avi")
    assert details["output"] == str(scene.out / "case.avi")
    assert (record.operator, record.authorizer, record.outcome) == ("alice", "", "ok")
    assert scene.audit.verify().ok


def test_png_stills_are_named_by_time_and_pinned_by_their_sums(scene: Scene) -> None:
    result = scene.export(scene.request("stills", "png", start=T0 + 2.8, end=T0 + 3.2))

    names = sorted(path.name for path in result.output.iterdir())
    assert names == [
        "000001_2026-11-27T10-00-02.800Z.png",
        "000002_2026-11-27T10-00-02.900Z.png",
        "000003_2026-11-27T10-00-03.000Z.png",
        "000004_2026-11-27T10-00-03.100Z.png",
        "SHA256SUMS",
    ]
    sums = (result.output / "SHA256SUMS").read_bytes()
    assert result.manifest["output"]["sha256"] == hashlib.sha256(sums).hexdigest()  # type: ignore[index]
    for line in sums.decode().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((result.output / name).read_bytes()).hexdigest() == digest
    assert result.manifest["frames"] == 4


def test_progress_counts_every_frame_with_an_eta(scene: Scene) -> None:
    clock = FakeClock(0.0)
    seen: list[Progress] = []

    def record(progress: Progress) -> None:
        seen.append(progress)
        clock.advance(0.5)

    scene.export(scene.request("case.mp4", "mp4"), progress=record, clock=clock)
    assert [p.done for p in seen] == list(range(1, FRAMES + 1))
    assert {p.total for p in seen} == {FRAMES}
    assert seen[0].eta == 0.0  # no time had passed yet at the first report
    assert seen[1].eta == pytest.approx(0.5 / 2 * (FRAMES - 2))
    assert seen[-1].eta == 0.0
    assert seen[-1].percent == 100.0
    assert seen[29].percent == 50.0


def test_geometry_is_spelt_as_in_site_toml() -> None:
    assert geometry_json(PolygonGeometry(((0, 0), (1, 0), (0.5, 1)))) == {
        "polygon": [[0, 0], [1, 0], [0.5, 1]]
    }
    assert geometry_json(GridGeometry(16, frozenset({(3, 1), (2, 1), (0, 2)}))) == {
        "grid": "16x16",
        "cells": ["2,1", "3,1", "0,2"],
    }


@pytest.mark.parametrize(
    ("name", "requested", "expected"),
    [
        ("a.mp4", None, "mp4"),
        ("a.AVI", None, "avi"),
        ("a.avi", "avi", "avi"),
        ("shots", "png", "png"),
    ],
)
def test_format_follows_the_name_or_the_request(
    name: str, requested: str | None, expected: str
) -> None:
    assert format_for(Path(name), requested) == expected


@pytest.mark.parametrize(
    ("name", "requested", "message"),
    [
        ("a.mov", None, "cannot tell the format"),
        ("shots", None, "cannot tell the format"),
        ("a.mp4", "avi", "must be a file ending in .avi"),
        ("a.mp4", "gif", "unknown format 'gif'"),
    ],
)
def test_format_clashes_are_refused(name: str, requested: str | None, message: str) -> None:
    with pytest.raises(ExportError, match=message):
        format_for(Path(name), requested)

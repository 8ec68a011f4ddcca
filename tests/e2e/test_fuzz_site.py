"""Fuzzed site files: the console either accepts a site or names every problem, never crashes.

An administrator edits site.toml by hand, migrates it from another system, or feeds it a
truncated copy. Whatever arrives, `load_site` must return a Site or raise SiteError whose
every problem names the file and says what was expected; any other exception would reach
the operator as a traceback. Mutations are made on the parsed document (wrong types,
missing keys, unknown keys, huge numbers, NaN, unicode, empty arrays, deep nesting) and
on the raw bytes (truncation, binary garbage). Mask geometry extremes that validate must
also mask: a geometry that loads but then fails in the masking stage would blank a
camera for good.
"""

from __future__ import annotations

import copy
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import GridGeometry, rasterize
from console.core.site.config import load_site
from console.core.site.model import Site
from console.core.site.problems import SiteError

from .harness.env import VEIL
from .harness.sites import FULL_SITE
from .harness.tomlwriter import dumps

pytestmark = pytest.mark.e2e

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SEED: dict[str, Any] = tomllib.loads(FULL_SITE)
DEEP = 5000
"""Nesting far past the parser's recursion limit."""
HUGE_DIGITS = 5000
"""Digits past Python's 4300-digit limit for int <-> str conversion."""


# -- the check every input must pass -------------------------------------------------------


def load_cleanly(path: Path) -> Site | None:
    """The Site, or None after checking the SiteError; any other exception fails the test."""
    try:
        site = load_site(path)
    except SiteError as error:
        assert_names_every_problem(error, path)
        return None
    assert isinstance(site, Site)
    assert site.cameras, "a valid site has cameras"
    return site


def assert_names_every_problem(error: SiteError, path: Path) -> None:
    assert error.problems, "a SiteError must list at least one problem"
    for problem in error.problems:
        assert problem.file == path, problem
        assert problem.expected.strip(), problem


def write(folder: Path, content: str | bytes) -> Path:
    path = folder / "site.toml"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


# -- mutations of the parsed document ------------------------------------------------------

scalars = st.one_of(
    st.booleans(),
    st.integers(),
    st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**400]),
    st.floats(),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\x1b[31m",
            "é",
            "🙂" * 50,
            "x" * 5000,
            "pattern:bars",
            "device:0",
            "rtsp://user:pw@127.0.0.1/x",
            "http://",
            "../../etc/passwd",
            "#ff00ff",
            "10m",
            "0s",
            "9" * 400 + "h",
            "-1m",
            "NaNh",
            "1e999s",
            "lift_privacy_masks",
            "8x8",
        ]
    ),
    st.dates(),
    st.datetimes(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)


def locations(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every key path in the document, the root included."""
    yield path
    if isinstance(node, dict):
        for key, child in node.items():
            yield from locations(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from locations(child, (*path, index))


def nest(value: Any, depth: int, in_lists: bool) -> Any:
    for _ in range(depth):
        value = [value] if in_lists else {"deeper": value}
    return value


@st.composite
def mutated_documents(draw: st.DrawFn) -> dict[str, Any]:
    document = copy.deepcopy(SEED)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(locations(document))))
        if not path:
            document[draw(st.text(max_size=12))] = draw(values)
            continue
        parent: Any = document
        for step in path[:-1]:
            parent = parent[step]
        key, node = path[-1], parent[path[-1]]
        operation = draw(st.sampled_from(["replace", "delete", "add", "nest", "empty", "twin"]))
        if operation == "delete":
            del parent[key]
        elif operation == "add" and isinstance(node, dict):
            node[draw(st.text(max_size=12))] = draw(values)
        elif operation == "nest":
            parent[key] = nest(node, draw(st.integers(1, 60)), draw(st.booleans()))
        elif operation == "empty":
            parent[key] = draw(st.sampled_from([[], {}, ""]))
        elif operation == "twin" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(node))
        else:
            parent[key] = draw(values)
    return document


def test_the_seed_site_is_valid(tmp_path: Path) -> None:
    """Otherwise every mutation would be rejected for the seed's fault, proving nothing."""
    site = load_cleanly(write(tmp_path, FULL_SITE))
    assert site is not None and len(site.cameras) == 2


@FUZZ
@given(document=mutated_documents())
def test_mutated_documents_load_or_fail_cleanly(tmp_path: Path, document: dict[str, Any]) -> None:
    load_cleanly(write(tmp_path, dumps(document)))


# -- mutations of the raw bytes ------------------------------------------------------------

RAW = FULL_SITE.encode("utf-8")


@st.composite
def mangled_bytes(draw: st.DrawFn) -> bytes:
    start = draw(st.integers(0, len(RAW)))
    end = draw(st.integers(start, len(RAW)))
    kind = draw(st.sampled_from(["truncate", "splice", "line"]))
    if kind == "truncate":
        return RAW[:start]
    if kind == "splice":
        return RAW[:start] + draw(st.binary(max_size=64)) + RAW[end:]
    lines = FULL_SITE.splitlines()
    lines[draw(st.integers(0, len(lines) - 1))] = draw(st.text(max_size=80))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


@FUZZ
@given(content=mangled_bytes())
@example(content=RAW + b"\nx = " + b"[" * DEEP + b"]" * DEEP + b"\n").via("deep arrays")
@example(content=RAW + b"\ny = " + b"{a = " * DEEP + b"1" + b"}" * DEEP + b"\n").via("deep tables")
@example(content=RAW.replace(b"fps = 10", b"fps = 1" + b"0" * HUGE_DIGITS)).via("huge int")
@example(content=RAW.replace(b"fps = 10", b"fps = 1" + b"0" * 400)).via("int past float")
@example(content=RAW.replace(b"level = 3", b"level = 1" + b"0" * 400)).via("level past float")
@example(content=b"\xff\xfe\x00garbage").via("binary")
@example(content=b"").via("empty file")
def test_mangled_bytes_load_or_fail_cleanly(tmp_path: Path, content: bytes) -> None:
    load_cleanly(write(tmp_path, content))


# -- mask geometry extremes ----------------------------------------------------------------

coordinates = st.one_of(
    st.floats(),
    st.sampled_from([0.0, 1.0, -0.0, 1e-12, 1 - 1e-12, -1.0, 2.0, 1e300]),
    st.integers(-3, 3),
)
FULL_64 = [f"{col},{row}" for col in range(64) for row in range(64)]
geometries: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.fixed_dictionaries({"rect": st.lists(coordinates, max_size=5)}),
    st.sampled_from(
        [
            {"rect": [0, 0, 1, 1]},
            {"rect": [0.5, 0.5, 0.5, 0.5]},
            {"rect": [0.3, 0.2, 0.3, 0.9]},
            {"rect": [-1, -1, 2, 2]},
            {"polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]},
            {"polygon": [[0, 0], [0.5, 0.5], [1, 1]]},
            {"polygon": [[0.2, 0.2]] * 3},
            {"grid": "64x64", "cells": ["0-63,0-63"]},
            {"grid": "64x64", "cells": FULL_64},
            {"grid": "8x8", "cells": ["7,7"]},
            {"grid": "64x64", "cells": ["64,0"]},
            {"grid": "0x0", "cells": ["0,0"]},
            {"grid": "64x32", "cells": ["0,0"]},
            {"grid": "16x16", "cells": []},
            {"cells": ["1,1"]},
            {},
            {"rect": [0, 0, 1, 1], "polygon": [[0, 0], [1, 0], [0, 1]]},
        ]
    ),
    st.fixed_dictionaries(
        {"polygon": st.lists(st.lists(coordinates, min_size=1, max_size=3), max_size=12)}
    ),
    st.fixed_dictionaries(
        {
            "grid": st.sampled_from(["8x8", "16x16", "32x32", "64x64"]),
            "cells": st.lists(
                st.from_regex(r"\d{1,3}(-\d{1,3})?,\d{1,3}(-\d{1,3})?", fullmatch=True), max_size=8
            ),
        }
    ),
)
looks: st.SearchStrategy[dict[str, Any]] = st.one_of(
    st.just({"style": "solid", "color": "#00ff00"}),
    st.just({}),
    st.fixed_dictionaries(
        {"style": st.sampled_from(["blur", "pixelate"]), "level": st.integers(-1, 11)}
    ),
)


@st.composite
def extreme_masks(draw: st.DrawFn) -> list[dict[str, Any]]:
    masks = []
    for index in range(draw(st.integers(1, 4))):
        mask: dict[str, Any] = {"id": f"m{index}"}
        mask["kind"] = draw(st.sampled_from(["permanent", "liftable"]))
        mask.update(draw(looks))
        mask.update(draw(geometries))
        masks.append(mask)
    return masks


SECRET = np.indices((36, 64)).sum(axis=0).astype(np.uint8)[:, :, None].repeat(3, axis=2) * 3 + 7
"""A frame with no pixel equal to any mask colour used here."""


def assert_masks_apply(site: Site) -> None:
    """Every validated geometry masks frames of any size; solid masks cover what they touch.

    Where solid masks of different colours overlap, one of them wins: each covered pixel
    must have the colour of some solid mask covering it, never the picture's.
    """
    for camera in site.cameras:
        masker = CameraMasker(camera.id, camera.masks)
        solids = [mask for mask in camera.masks if mask.style == "solid"]
        for width, height in ((64, 36), (1, 1), (7, 3)):
            frame = np.ascontiguousarray(SECRET[:height, :width])
            masked = masker.full(frame)
            assert masked.pixels.shape == (height, width, 3)
            covered = np.zeros((height, width), bool)
            painted = np.zeros((height, width), bool)
            for mask in solids:
                raster = rasterize(mask.geometry, width, height)
                covered |= raster
                painted |= raster & np.all(masked.pixels == mask.color, axis=-1)
            assert np.array_equal(painted, covered), (camera.id, width, height)
        assert masker.preview(SECRET, 200, 120).pixels.shape == (120, 200, 3)
        assert masker.preview(SECRET, 16, 9).pixels.shape == (9, 16, 3)


@FUZZ
@given(masks=extreme_masks())
@example(masks=[{"id": "all", "kind": "permanent", "grid": "64x64", "cells": FULL_64}])
@example(masks=[{"id": "whole", "kind": "permanent", "rect": [0, 0, 1, 1]}])
@example(
    masks=[
        {
            "id": "m0",
            "kind": "permanent",
            "style": "solid",
            "color": "#00ff00",
            "rect": [0, 0, 1, 1],
        },
        {"id": "m1", "kind": "permanent", "rect": [0, 0, 1, 1]},
    ]
)
def test_extreme_mask_geometry_loads_cleanly_and_masks(
    tmp_path: Path, masks: list[dict[str, Any]]
) -> None:
    document = copy.deepcopy(SEED)
    document["cameras"][0]["masks"] = masks
    site = load_cleanly(write(tmp_path, dumps(document)))
    if site is not None:
        assert_masks_apply(site)
        for mask in site.cameras[0].masks:
            if isinstance(mask.geometry, GridGeometry):
                assert all(
                    0 <= c < mask.geometry.size for cell in mask.geometry.cells for c in cell
                )


def test_a_64x64_grid_with_every_cell_set_masks_every_pixel(tmp_path: Path) -> None:
    document = copy.deepcopy(SEED)
    document["cameras"][0]["masks"] = [
        {"id": "all", "kind": "permanent", "color": "#00ff00", "grid": "64x64", "cells": FULL_64}
    ]
    site = load_cleanly(write(tmp_path, dumps(document)))
    assert site is not None
    masked = CameraMasker("lobby", site.cameras[0].masks).full(SECRET.copy())
    assert np.all(masked.pixels == (0, 255, 0))


# -- the real command line on broken files --------------------------------------------------

BROKEN = {
    "not-toml": b"[site\nname = ",
    "binary": b"\x00\xff\xfe garbage \x80",
    "no-cameras": b'[site]\nname = "x"\n',
    "wrong-types": FULL_SITE.replace('"10m"', "10").replace('"Lobby"', "1").encode(),
    "nan-fps": FULL_SITE.replace("fps = 10", "fps = nan").encode(),
    "unknown-key": FULL_SITE.replace("require_lift_reason", "require_lift_reasn").encode(),
    "bad-mask": FULL_SITE.replace("[0.1, 0.05, 0.4, 0.3]", "[0.4, 0.3, 0.1, 0.05]").encode(),
    "huge-int": FULL_SITE.replace("fps = 10", "fps = 1" + "0" * HUGE_DIGITS).encode(),
    "int-past-float": FULL_SITE.replace("fps = 10", "fps = 1" + "0" * 400).encode(),
    "deep-nesting": RAW + b"\nx = " + b"[" * DEEP + b"]" * DEEP + b"\n",
}


@pytest.mark.parametrize("command", [["check-site", "{site}"], ["--site", "{site}"]])
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_the_cli_refuses_broken_sites_without_a_traceback(
    tmp_path: Path, veil_env: dict[str, str], name: str, command: list[str]
) -> None:
    site = write(tmp_path, BROKEN[name])
    done = subprocess.run(
        [str(VEIL), *(part.format(site=site) for part in command)],
        env=veil_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert str(site) in done.stderr
    assert done.stderr.rstrip().endswith(f"in {site}"), "the summary line closes the list"

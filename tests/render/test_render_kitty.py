"""Kitty pictures: chunked as the protocol requires, one image per tile, within budget."""

from __future__ import annotations

import re

import numpy as np
import pytest

from console.core.privacy.masking import CameraMasker
from console.core.privacy.masks import Mask, RectGeometry
from console.core.render.kitty import CHUNK, DELETE_ALL, KittyRenderer, apc, delete_image
from console.core.render.kitty_decode import parse_kitty
from tests.support.frames import gradient, secret_pattern

_APC = re.compile(r"\x1b_G([^;]*);([^\x1b]*)\x1b\\")


def test_payloads_are_chunked_with_more_flags() -> None:
    payload = bytes(range(256)) * 40  # 10 KB: three chunks of base64
    sequence = apc("a=T,f=100,i=7", payload)
    chunks = _APC.findall(sequence)
    assert len(chunks) == 4
    assert all(len(data) <= CHUNK for _, data in chunks)
    assert [keys.split(",")[-1] for keys, _ in chunks] == ["m=1", "q=2", "q=2", "q=2"]
    assert chunks[0][0].startswith("a=T,f=100,i=7,m=1")
    assert [keys for keys, _ in chunks[1:]] == ["m=1,q=2", "m=1,q=2", "m=0,q=2"]
    (command,) = parse_kitty(sequence.encode())
    assert command.payload == payload


def test_every_frame_replaces_the_tiles_one_image_and_placement() -> None:
    renderer = KittyRenderer(image_id=42)
    masker = CameraMasker("cam", [])
    keys = []
    for frame in range(3):
        size = renderer.pixel_size(40, 12, (10, 20))
        tile = renderer.render(
            masker.preview(secret_pattern(320, 180, 4 + frame), *size), 40, 12, (10, 20)
        )
        assert tile.graphics is not None
        (command,) = parse_kitty(tile.graphics.encode())
        keys.append(command.keys)
        assert command.pixels().shape[:2] == size[::-1]
        assert tile.graphics_erase == delete_image(42)
    for sent in keys:
        assert (sent["a"], sent["i"], sent["p"], sent["c"], sent["r"]) == (
            "T",
            "42",
            "1",
            "40",
            "12",
        )
        assert (sent["C"], sent["q"]) == ("1", "2")  # cursor stays; no replies into the input


def test_a_noisy_picture_is_scaled_down_to_its_byte_budget() -> None:
    renderer = KittyRenderer(cell_budget=30)  # 57.6 KB for 80x24
    masker = CameraMasker("cam", [])
    rng = np.random.default_rng(3)
    sizes = []
    for _ in range(6):
        size = renderer.pixel_size(80, 24, (10, 20))
        noisy = rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)
        tile = renderer.render(masker.preview(noisy, *size), 80, 24, (10, 20))
        assert tile.graphics is not None
        sizes.append((size, len(tile.graphics)))
    (width, height), sent = sizes[-1]
    assert width * height < 800 * 480, "noise does not fit 57.6 KB at full size"
    assert sent <= 30 * 80 * 24 * 1.2
    assert abs(width / height - 800 / 480) < 0.05, "proportions kept"


def test_a_smooth_picture_is_sent_at_full_size() -> None:
    renderer = KittyRenderer(cell_budget=1000)
    masker = CameraMasker("cam", [])
    for _ in range(3):
        size = renderer.pixel_size(40, 12, (10, 20))
        renderer.render(masker.preview(gradient(640, 360), *size), 40, 12, (10, 20))
    assert renderer.pixel_size(40, 12, (10, 20)) == (400, 240)


def test_solid_masks_keep_their_exact_colour() -> None:
    """True colour: no palette between the mask's colour and the terminal."""
    color = (31, 142, 203)
    masker = CameraMasker(
        "cam", [Mask("m", "permanent", "solid", RectGeometry(0, 0, 0.5, 1), color)]
    )
    renderer = KittyRenderer()
    size = renderer.pixel_size(20, 6, (10, 20))
    tile = renderer.render(masker.preview(secret_pattern(320, 180), *size), 20, 6, (10, 20))
    assert tile.graphics is not None
    (command,) = parse_kitty(tile.graphics.encode())
    pixels = command.pixels()
    left = pixels[:, : pixels.shape[1] // 2 - 1]
    assert (left == np.array(color, np.uint8)).all()


def test_deletes_parse_and_ids_are_checked() -> None:
    (one, every) = parse_kitty((delete_image(5) + DELETE_ALL).encode())
    assert (one.action, one.keys["d"], one.keys["i"]) == ("d", "I", "5")
    assert (every.action, every.keys["d"]) == ("d", "A")
    with pytest.raises(ValueError, match="image ids"):
        KittyRenderer(image_id=0)


def test_the_size_holds_still_while_the_bytes_wobble() -> None:
    """Mask rasters are cached per picture size: a size that followed every frame's bytes
    rebuilt them on every frame."""
    renderer = KittyRenderer(cell_budget=24)
    masker = CameraMasker(
        "cam", [Mask("m", "permanent", "solid", RectGeometry(0.1, 0.1, 0.4, 0.5), (9, 9, 9))]
    )
    rng = np.random.default_rng(5)
    base = gradient(640, 360)
    sizes = []
    for _ in range(30):
        size = renderer.pixel_size(118, 31, (10, 20))
        noise = rng.integers(-12, 13, base.shape)
        picture = np.clip(base.astype(np.int16) + noise, 0, 255).astype(np.uint8)
        renderer.render(masker.preview(picture, *size), 118, 31, (10, 20))
        sizes.append(size)
    assert len(set(sizes[5:])) <= 2, sorted(set(sizes))

"""`veil render`: a camera's tile frames on stdout, byte for byte as a terminal gets them.

For checks and benchmarks without Textual: each text frame is cursor-home followed by
the rows in minimal SGR, each sixel frame is cursor-home followed by one DCS image.
`--input-dir` treats a folder of pictures as the camera's frames, masked with that
camera's masks by the same `CameraMasker` as live video, so nothing here can show a
pixel the console itself would hide.

Live frames are live video: they need `--user` whose role holds `live`, logged in and
audited as `veil still` does, and recorded before the first frame is written. Pictures
from `--input-dir` are the caller's own files, so they need no login: whoever can read
them has them already.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from console.core.render.modes import RENDER_MODES
from console.verbs.common import add_location_options, camera_or_error, fail, paths_from
from console.verbs.login import CommandLogin, add_user_options, as_user

if TYPE_CHECKING:
    from concurrent.futures import Future

    from console.core.privacy.masking import CameraMasker, MaskedFrame
    from console.core.render.tile import TileRenderer
    from console.core.site.model import Camera, Site
    from console.core.site.paths import Paths
    from console.core.video.feed import CameraFeed

_T = TypeVar("_T")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")
_WORKERS = 2
"""Threads turning pictures into frames; most of the work (decoding, resizing, numpy)
runs outside the GIL."""
_PREFETCH = 4
"""Pictures in the works ahead of the one being written."""


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "render", help="write a camera's masked tile frames to stdout as a terminal receives them"
    )
    add_location_options(parser)
    parser.add_argument("--camera", required=True, help="camera id from the site file")
    parser.add_argument("--cols", type=int, default=80, help="tile width in cells (default 80)")
    parser.add_argument("--rows", type=int, default=24, help="tile height in cells (default 24)")
    parser.add_argument("--mode", choices=RENDER_MODES, default="halfblock")
    parser.add_argument(
        "--colors",
        choices=("auto", "truecolor", "256", "16", "mono"),
        default=argparse.SUPPRESS,
        help="colour depth of text modes (default: from COLORTERM/TERM; NO_COLOR forces mono)",
    )
    parser.add_argument(
        "--frames", type=int, help="frames to write (default: every picture, or 1 live frame)"
    )
    parser.add_argument(
        "--input-dir", type=Path, help="render the PNG/JPEG files of this folder in name order"
    )
    parser.add_argument(
        "--cell-px", help="cell size in pixels as WxH (default: $VEIL_CELL_PX, else 10x20)"
    )
    parser.add_argument(
        "--stretch", action="store_true", help="fill the tile instead of keeping proportions"
    )
    parser.add_argument("--dither", action="store_true", help="ordered dithering for sixel")
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for each live frame"
    )
    add_user_options(
        parser, required=False, acting="watches a live camera (role with live; not --input-dir)"
    )
    parser.set_defaults(func=render)


def render(args: argparse.Namespace) -> int:
    from console.core.render.factory import make_renderer
    from console.core.render.terminal import DEFAULT_CELL_PX, parse_cell_px, resolve_colors

    if args.cols <= 0 or args.rows <= 0:
        return fail(f"--cols and --rows must be positive, got {args.cols}x{args.rows}", 2)
    if args.frames is not None and args.frames <= 0:
        return fail(f"--frames must be positive, got {args.frames}", 2)
    cell_text = args.cell_px or os.environ.get("VEIL_CELL_PX")
    cell_px = parse_cell_px(cell_text) if cell_text else DEFAULT_CELL_PX
    if cell_px is None:
        return fail(f"cell size must be WxH in pixels (e.g. 10x20), got {cell_text!r}", 2)
    paths = paths_from(args)
    found = camera_or_error(paths, args.camera)
    if isinstance(found, int):
        return found
    site, camera = found
    if args.input_dir is None and not args.user:
        return fail("a live camera needs --user NAME, whose role holds live", 2)
    depth, _ = resolve_colors(getattr(args, "colors", None), os.environ)
    writer = _TileWriter(
        lambda: make_renderer(args.mode, depth, dither=args.dither),
        args.cols,
        args.rows,
        cell_px,
        args.stretch,
    )
    out = sys.stdout.buffer
    try:
        if args.input_dir is not None:
            return _render_pictures(camera, args.input_dir, args.frames, writer, out)
        return _render_logged_in(args, paths, site, camera, writer, out)
    except BrokenPipeError:  # the reader left (`| head`): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # silence the final flush
        return 0


def _render_logged_in(
    args: argparse.Namespace,
    paths: Paths,
    site: Site,
    camera: Camera,
    writer: _TileWriter,
    out: BinaryIO,
) -> int:
    from console.core.audit.trail import Event

    count = args.frames or 1

    def act(login: CommandLogin) -> int:
        details: dict[str, object] = {"camera": camera.id, "command": "render"}
        refused = login.refused("live", Event.LIVE_TAKEN, "watch live video", details)
        if refused is not None:
            return refused
        taken = partial(login.record, Event.LIVE_TAKEN, {**details, "frames": count})
        return _render_live(camera, count, args.timeout, writer, out, taken)

    return as_user(paths, site, args.user, args.password_stdin, act)


class _TileWriter:
    """Renders masked frames into one tile size as terminal bytes, in any thread."""

    def __init__(
        self,
        make: Callable[[], TileRenderer],
        cols: int,
        rows: int,
        cell_px: tuple[int, int],
        stretch: bool,
    ) -> None:
        self._make = make
        self._local = threading.local()  # a renderer may keep state between frames
        self.box = (cols, rows)
        self.cell_px = cell_px
        self.stretch = stretch

    @property
    def renderer(self) -> TileRenderer:
        renderer: TileRenderer | None = getattr(self._local, "renderer", None)
        if renderer is None:
            renderer = self._local.renderer = self._make()
        return renderer

    def cells(self, source: tuple[int, int]) -> tuple[int, int]:
        """The tile's cells for a picture of `source` pixels."""
        from console.core.render.fit import fit_cells

        if self.stretch:
            return self.box
        return fit_cells(source, *self.box, self.cell_px)

    def pixel_size(self, cells: tuple[int, int]) -> tuple[int, int]:
        return self.renderer.pixel_size(*cells, self.cell_px)

    def frame(self, frame: MaskedFrame, cells: tuple[int, int]) -> bytes:
        """One frame as the terminal receives it."""
        from console.core.render.ansi import HOME, tile_ansi

        tile = self.renderer.render(frame, *cells, self.cell_px)
        return HOME + tile.graphics.encode() if tile.graphics is not None else tile_ansi(tile)


def _pictures(folder: Path) -> list[Path] | str:
    if not folder.is_dir():
        return f"--input-dir {folder} is not a folder"
    found = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return found or f"no PNG or JPEG files in {folder}"


def _picture_frame(path: Path, masker: CameraMasker, writer: _TileWriter) -> bytes | None:
    """Decode, mask and render one picture (None: not a picture); runs in a worker.

    Pictures at least twice the tile's pixel size are decoded at half size, which
    OpenCV does faster than a full decode, for a tile that differs from one made from
    the full picture by less than one level in 256 (PSNR over 55 dB on the bench frames).
    """
    import cv2
    import numpy as np

    image = cv2.imread(str(path), cv2.IMREAD_REDUCED_COLOR_2)
    if image is None:
        return None
    height, width = image.shape[:2]
    cells = writer.cells((2 * width, 2 * height))
    size = writer.pixel_size(cells)
    if size[0] > width or size[1] > height:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            return None
        cells = writer.cells((image.shape[1], image.shape[0]))
        size = writer.pixel_size(cells)
    return writer.frame(masker.preview(np.asarray(image, np.uint8), *size), cells)


def _in_order(paths: list[Path], work: Callable[[Path], _T]) -> Iterator[tuple[Path, _T]]:
    """`work` applied to each path, a few ahead in worker threads, yielded in order."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        pending: deque[tuple[Path, Future[_T]]] = deque()
        for path in paths:
            pending.append((path, pool.submit(work, path)))
            if len(pending) >= _PREFETCH:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()


def _render_pictures(
    camera: Camera, folder: Path, limit: int | None, writer: _TileWriter, out: BinaryIO
) -> int:
    from console.core.privacy.masking import NEVER_LIFTED, CameraMasker

    paths = _pictures(folder)
    if isinstance(paths, str):
        return fail(paths)
    masker = CameraMasker(camera.id, camera.masks, NEVER_LIFTED)
    for path, frame in _in_order(paths[:limit], lambda p: _picture_frame(p, masker, writer)):
        if frame is None:
            return fail(f"cannot read {path}: not a PNG or JPEG picture")
        out.write(frame)
    out.flush()
    return 0


def _render_live(
    camera: Camera,
    count: int,
    timeout: float,
    writer: _TileWriter,
    out: BinaryIO,
    taken: Callable[[], None],
) -> int:
    """`count` new frames of the camera; `taken` records them before the first is written."""
    from console.core.privacy.masking import NEVER_LIFTED
    from console.core.video.feed import CameraFeed

    feed = CameraFeed(camera, NEVER_LIFTED)
    feed.start()
    try:
        first = feed.full(wait=timeout)  # its size gives the picture's proportions
        if first is None:
            return _no_frame(feed)
        cells = writer.cells((first.width, first.height))
        size = writer.pixel_size(cells)
        taken()
        seen = -1
        for _ in range(count):
            deadline = time.monotonic() + timeout
            while feed.sequence == seen and time.monotonic() < deadline:
                time.sleep(0.005)
            if feed.sequence == seen:
                return _no_frame(feed)
            seen = feed.sequence
            frame = feed.preview(*size)
            if frame is None:
                return _no_frame(feed)
            out.write(writer.frame(frame, cells))
            out.flush()
    finally:
        feed.stop()
    return 0


def _no_frame(feed: CameraFeed) -> int:
    status = feed.status
    return fail(f"no masked frame from camera {feed.camera.id}: {status.message or status.state}")

"""`veil export`: a camera's recordings over a time range, every mask burned in.

The same export as the console's export screen, for scripts and for sites that hand
evidence over from a shell: the user logs in (the attempt is audited), their role must
hold `export`, and the export is signed with the site's export key and audited with its
manifest's hash and the key's id. Without a key (`veil keys init`) nothing is exported.
Liftable masks are always burned in here: a command-line session never holds a lift.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from console.core.evidence.formats import FORMATS
from console.verbs.common import add_location_options, camera_or_error, fail, paths_from
from console.verbs.login import add_user_options, as_user
from console.verbs.output import say

if TYPE_CHECKING:
    from console.core.evidence.keys import ExportKey
    from console.core.evidence.request import ExportRequest
    from console.core.timebase.progress import Progress
    from console.verbs.login import CommandLogin


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export recordings with every mask burned in (MP4, AVI or PNG stills)",
        description="Export one camera's recordings from --from to --to with every privacy "
        "mask burned in, plus a manifest (OUT.manifest.json) with the masks, who exported "
        "and SHA-256 hashes. Times are ISO 8601; without an offset they are UTC.",
    )
    add_location_options(parser)
    parser.add_argument("--camera", required=True, help="camera id from the site file")
    parser.add_argument("--from", dest="start", required=True, metavar="T", help="start time")
    parser.add_argument("--to", dest="end", required=True, metavar="T", help="end time")
    parser.add_argument(
        "--out",
        required=True,
        type=Path,
        help="file to write (.mp4 or .avi), or for --format png a new folder of stills",
    )
    parser.add_argument(
        "--format", choices=FORMATS, help="default: from the --out suffix (.mp4 or .avi)"
    )
    parser.add_argument(
        "--add-mask",
        action="append",
        default=[],
        metavar="x0,y0,x1,y1",
        help="an extra solid black block, as fractions 0..1 of width and height; repeatable",
    )
    parser.add_argument("--reason", default="", help="case number or purpose, for the record")
    add_user_options(parser, required=True, acting="exports")
    parser.set_defaults(func=export)


def export(args: argparse.Namespace) -> int:
    from console.core.evidence.errors import ExportRefused
    from console.core.evidence.formats import format_for
    from console.core.evidence.keys import KeyProblem, load_export_key
    from console.core.evidence.request import ExportRequest
    from console.core.search.region import parse_rect
    from console.core.services import site_timeline
    from console.core.site.paths import DataDirError, ensure_data_dir
    from console.core.timebase.utc import parse_utc

    try:
        start = parse_utc(args.start).timestamp()
        end = parse_utc(args.end).timestamp()
        extra = tuple(parse_rect(text) for text in args.add_mask)
        export_format = format_for(args.out, args.format)
    except (ValueError, ExportRefused) as error:
        return fail(str(error), 2)
    paths = paths_from(args)
    found = camera_or_error(paths, args.camera)
    if isinstance(found, int):
        return found
    site, camera = found
    try:
        ensure_data_dir(paths)
        key = load_export_key(paths.export_key)  # before the password: no key, no export
    except (DataDirError, KeyProblem) as error:
        return fail(str(error))

    def act(login: CommandLogin) -> int:
        request = ExportRequest(
            site,
            camera.id,
            start,
            end,
            args.out,
            export_format,
            login.user.name,
            args.reason,
            extra,
            timeline=site_timeline(paths, site, camera.id),
        )
        return _run(request, login, key)

    return as_user(paths, site, args.user, args.password_stdin, act)


def _run(request: ExportRequest, login: CommandLogin, key: ExportKey) -> int:
    from console.core.audit.trail import Event
    from console.core.evidence.errors import ExportCancelled, ExportError, ExportRefused
    from console.core.evidence.export import export_recording

    details: dict[str, object] = {"camera": request.camera_id}
    refused = login.refused("export", Event.EXPORT, "export", details, request.reason)
    if refused is not None:
        return refused
    audit = login.audit
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    try:
        result = export_recording(request, audit, key, progress=bar.show if bar else None)
    except KeyboardInterrupt:
        return fail(f"export to {request.out} cancelled; nothing was kept", 130)
    except ExportCancelled as error:
        return fail(str(error), 130)
    except ExportRefused as error:
        return fail(str(error), 1)
    except ExportError as error:
        return fail(str(error), 3)
    finally:
        if bar is not None:
            bar.close()
    say(
        f"{result.output}: {result.frames} frames of {request.camera_id}, every mask burned in",
        f"{result.manifest_path}: manifest, SHA-256 {result.manifest_sha256}, "
        f"signed with export key {key.public.key_id}",
    )
    return 0


class ProgressBar:
    """One line on a terminal, redrawn at most ten times a second."""

    WIDTH = 30

    def __init__(self, stream: TextIO, label: str = "export") -> None:
        self.stream = stream
        self.label = label
        self._drawn = 0.0
        self._shown = False

    def show(self, progress: Progress) -> None:
        now = time.monotonic()
        if progress.done < progress.total and now - self._drawn < 0.1:
            return
        self._drawn = now
        filled = round(self.WIDTH * progress.done / max(progress.total, 1))
        eta = "--:--" if progress.eta is None else _clock(progress.eta)
        self.stream.write(
            f"\r{self.label} [{'#' * filled}{'-' * (self.WIDTH - filled)}] {progress.percent:5.1f}%"
            f"  {progress.done}/{progress.total} frames  ETA {eta} "
        )
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def _clock(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:d}:{secs:02d}"

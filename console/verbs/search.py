"""`veil search`: where something moved in a region of cameras' recordings.

The same search as the console's Smart search, for scripts: the user logs in (the
attempt is audited), their role must hold `playback` (a search reads recordings as
playback does), and the search is audited with its cameras, range, region, sensitivity
and how many hits it found, before any hit is printed: a search the audit cannot hold
shows nothing. Masks are never lifted here (a command-line session never holds a
lift), so movement under any mask is never found. Thumbnails are masked stills.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from console.verbs.common import add_location_options, camera_or_error, fail, paths_from
from console.verbs.export import ProgressBar
from console.verbs.login import add_user_options, as_user
from console.verbs.output import say

if TYPE_CHECKING:
    from console.core.search.region import Region
    from console.core.search.run import SearchRequest, SearchResult
    from console.core.site.model import Camera
    from console.verbs.login import CommandLogin


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "search",
        help="find motion in a region of recordings (never under a mask)",
        description="Search cameras' recordings from --from to --to for motion in a region. "
        "The area under every privacy mask is left out of the measurement, so movement "
        "behind a mask is never found. Times are ISO 8601; without an offset they are UTC.",
    )
    add_location_options(parser)
    parser.add_argument(
        "--camera", required=True, action="append", help="camera id from the site file; repeatable"
    )
    parser.add_argument("--from", dest="start", required=True, metavar="T", help="start time")
    parser.add_argument("--to", dest="end", required=True, metavar="T", help="end time")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "--region", metavar="x0,y0,x1,y1", help="a rectangle, as fractions 0..1 of the frame"
    )
    where.add_argument(
        "--cells",
        metavar="GRID:CELLS",
        help="grid cells, e.g. 16:4,2;5,2 or 16:4-7,2-3 (column,row from 0)",
    )
    parser.add_argument(
        "--sensitivity", type=int, default=5, metavar="N", help="1 (least) to 10 (most); 5"
    )
    parser.add_argument("--json", action="store_true", help="print the hits as JSON")
    parser.add_argument(
        "--thumbnails", type=Path, metavar="DIR", help="a new folder for a masked still per hit"
    )
    add_user_options(parser, required=True, acting="searches")
    parser.set_defaults(func=search_verb)


def search_verb(args: argparse.Namespace) -> int:
    from console.core.search.motion import thresholds
    from console.core.search.region import parse_cells, parse_rect
    from console.core.timebase.utc import parse_utc

    try:
        start = parse_utc(args.start).timestamp()
        end = parse_utc(args.end).timestamp()
        region: Region = parse_rect(args.region) if args.region else parse_cells(args.cells)
        thresholds(args.sensitivity)
    except ValueError as error:
        return fail(str(error), 2)
    paths = paths_from(args)
    cameras: list[Camera] = []
    for camera_id in dict.fromkeys(args.camera):
        found = camera_or_error(paths, camera_id)
        if isinstance(found, int):
            return found
        site, camera = found
        cameras.append(camera)
    return as_user(
        paths,
        site,
        args.user,
        args.password_stdin,
        lambda login: _run(args, login, cameras, start, end, region),
    )


def _run(
    args: argparse.Namespace,
    login: CommandLogin,
    cameras: list[Camera],
    start: float,
    end: float,
    region: Region,
) -> int:
    import sys

    from console.core.audit.trail import Event
    from console.core.search.audited import audited_search, search_details
    from console.core.search.run import SearchError, SearchRequest, Target
    from console.core.services import site_timeline

    paths = paths_from(args)
    targets = tuple(
        Target(camera, site_timeline(paths, login.site, camera.id)) for camera in cameras
    )
    request = SearchRequest(targets, start, end, region, args.sensitivity)
    refused = login.refused("playback", Event.SEARCH, "search recordings", search_details(request))
    if refused is not None:
        return refused
    bar = ProgressBar(sys.stderr, "search") if sys.stderr.isatty() else None
    try:
        result = audited_search(
            request, login.audit, login.user.name, progress=bar.show if bar else None
        )
        if args.thumbnails is not None:
            _thumbnails(args.thumbnails, request, result)
    except KeyboardInterrupt:
        return fail("search cancelled; nothing was kept", 130)
    except SearchError as error:
        return fail(str(error), 1)
    finally:
        if bar is not None:
            bar.close()
    _print(result, args.json)
    return 0


def _thumbnails(out: Path, request: SearchRequest, result: SearchResult) -> None:
    from console.core.privacy.masking import CameraMasker
    from console.core.search.thumbnails import write_thumbnails

    maskers = {
        target.camera.id: CameraMasker(
            target.camera.id, target.camera.masks, request.gate, target.timeline
        )
        for target in request.targets
    }
    write_thumbnails(out, result.hits, result.indexes, maskers)


def _print(result: SearchResult, as_json: bool) -> None:
    from console.core.timebase.moments import format_time

    if as_json:
        rows = [
            {
                "camera": hit.camera_id,
                "start": format_time(hit.start),
                "end": format_time(hit.end),
                "peak": format_time(hit.peak),
                "score": hit.score,
            }
            for hit in result.hits
        ]
        say(json.dumps({"hits": rows, "frames": result.frames}, ensure_ascii=True))
        return
    for hit in result.hits:
        say(
            f"{hit.camera_id}  {format_time(hit.start)}  {format_time(hit.end)}  "
            f"peak {format_time(hit.peak)}  score {hit.score:.1f}"
        )
    say(f"{len(result.hits)} hit{'s' if len(result.hits) != 1 else ''} in {result.frames} frames")

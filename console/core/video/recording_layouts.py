"""Where a camera's segment files are and when each starts: Veil's folder or Frigate's tree.

- `veil`: one folder per camera, each file named by its UTC start in ISO 8601
  (`2026-11-27T10-00-00Z.mp4`; colons may stand in for the dashes of the time part).
- `frigate`: a Frigate NVR's recordings folder (`/media/frigate/recordings`), shared by
  all its cameras: `YYYY-MM-DD/HH/<camera>/MM.SS.mp4`, all in UTC. This is what
  Frigate's `RecordingMaintainer.move_segment` (frigate/record/maintainer.py) writes:
  the folder is `RECORD_DIR / start_time.strftime("%Y-%m-%d/%H") / camera` and the file
  `start_time.strftime("%M.%S.mp4")`, with `start_time` in UTC; segments are remuxed with
  `+faststart` and last at most a few seconds each. Frigate's camera names allow
  capitals and `_`, which Veil ids do not, so the camera's folder is `frigate_camera` or,
  by default, the Veil id. Frigate keeps the sub-second start in its database, not in the
  file name; names give whole seconds, which the index's contiguity slack absorbs.

A layout only lists files; the index probes them. Each listing yields every video file
it finds for the camera, with its start or, when the name or place carries none, why;
a folder of the tree that cannot be read is listed too, so the gap it leaves says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from console.core.site.model import RecordingsLayout

VIDEO_SUFFIXES = frozenset({".mp4", ".avi", ".mkv", ".mov"})
"""Files with other suffixes (manifests, notes, hidden files) are not segments."""

_START = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})T(?P<hour>\d{2})[-:]?(?P<minute>\d{2})[-:]?(?P<second>\d{2})"
    r"(?P<fraction>[.,]\d{1,6})?(?P<zone>Z|[+-]\d{2}(?:[-:]?\d{2})?)"
)
_FRIGATE_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_FRIGATE_HOUR = re.compile(r"\d{2}")
_FRIGATE_FILE = re.compile(r"(?P<minute>\d{2})\.(?P<second>\d{2})")


@dataclass(frozen=True, slots=True)
class Listed:
    """A file (or an unreadable folder) of the camera's recordings."""

    path: Path
    start: float | None
    """POSIX seconds the segment starts at, as its name and place say."""
    problem: str | None = None
    """Why there is no start, or why the folder could not be read."""


def segment_start(name: str) -> float | None:
    """The start time (POSIX seconds) carried by a Veil segment file's name, or None.

    A zone is required: a recorder's local time would be ambiguous twice a year.
    """
    match = _START.fullmatch(Path(name).stem)
    if match is None:
        return None
    zone = match["zone"]
    if zone == "Z":
        tz = UTC
    else:
        digits = zone[1:].replace(":", "").replace("-", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        offset = timedelta(hours=hours, minutes=minutes)
        tz = timezone(offset if zone[0] == "+" else -offset)
    fraction = (match["fraction"] or ".0")[1:]
    try:
        moment = datetime.fromisoformat(
            f"{match['date']}T{match['hour']}:{match['minute']}:{match['second']}"
        ).replace(tzinfo=tz)
    except ValueError:
        return None
    return moment.timestamp() + float(f"0.{fraction}")


def list_segments(layout: RecordingsLayout, folder: Path, camera_name: str) -> Iterator[Listed]:
    """Every segment file of the camera; raises OSError when `folder` cannot be read."""
    if layout == "frigate":
        return _frigate(folder, camera_name)
    return _veil(folder)


def _veil(folder: Path) -> Iterator[Listed]:
    entries = sorted(folder.iterdir())  # now, so that an unreadable folder raises here
    return (_veil_file(path) for path in entries if _is_video(path))


def _veil_file(path: Path) -> Listed:
    start = segment_start(path.name)
    if start is None:
        return Listed(path, None, "the file name carries no start time (expected e.g. "
                      "2026-11-27T10-00-00Z.mp4)")  # fmt: skip
    return Listed(path, start)


def _frigate(root: Path, camera: str) -> Iterator[Listed]:
    days = sorted(path for path in root.iterdir() if _FRIGATE_DAY.fullmatch(path.name))
    return (listed for day in days for listed in _frigate_day(day, camera))


def _frigate_day(day: Path, camera: str) -> Iterator[Listed]:
    try:
        hours = sorted(path for path in day.iterdir() if _FRIGATE_HOUR.fullmatch(path.name))
    except OSError as error:
        yield Listed(day, _day_start(day.name), f"cannot be read: {_reason(error)}")
        return
    for folder in hours:
        try:
            hour = datetime.strptime(f"{day.name} {folder.name} +0000", "%Y-%m-%d %H %z")
        except ValueError:
            continue  # not a day and hour Frigate writes (2026-02-30, hour 24): not its folder
        yield from _frigate_hour(folder / camera, hour)


def _frigate_hour(folder: Path, hour: datetime) -> Iterator[Listed]:
    try:
        entries = sorted(folder.iterdir())
    except FileNotFoundError:
        return  # the camera recorded nothing in this hour
    except OSError as error:
        yield Listed(folder, hour.timestamp(), f"cannot be read: {_reason(error)}")
        return
    for path in entries:
        if not _is_video(path):
            continue
        match = _FRIGATE_FILE.fullmatch(path.stem)
        if match is None or int(match["minute"]) > 59 or int(match["second"]) > 59:
            yield Listed(path, None, "the file name is not MM.SS.mp4 as Frigate names segments")
            continue
        offset = timedelta(minutes=int(match["minute"]), seconds=int(match["second"]))
        yield Listed(path, (hour + offset).timestamp())


def _is_video(path: Path) -> bool:
    return not path.name.startswith(".") and path.suffix.lower() in VIDEO_SUFFIXES


def _day_start(name: str) -> float | None:
    try:
        return datetime.strptime(f"{name} +0000", "%Y-%m-%d %z").timestamp()
    except ValueError:
        return None


def _reason(error: OSError) -> str:
    return error.strerror or str(error)

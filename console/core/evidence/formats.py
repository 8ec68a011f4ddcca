"""The formats an export can be written in, apart from the machinery that writes them.

`veil` offers these as `--format` choices while it builds its parser, whichever command
then runs. Taking them from `console.core.evidence.export` would load OpenCV, the audit and the
recordings stack into every start, `veil render` included, whose start-up time is part
of what it is measured on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from console.core.evidence.errors import ExportRefused

ExportFormat = Literal["mp4", "avi", "png"]
FORMATS: tuple[ExportFormat, ...] = ("mp4", "avi", "png")


def format_for(out: Path, requested: str | None) -> ExportFormat:
    """The format asked for, or the one `out`'s suffix implies; ExportRefused when they clash."""
    suffix = out.suffix.lower().lstrip(".")
    if requested is None:
        if suffix in ("mp4", "avi"):
            return "mp4" if suffix == "mp4" else "avi"
        raise ExportRefused(
            f"{out}: cannot tell the format from the name; end it in .mp4 or .avi, "
            "or give --format png for a folder of stills"
        )
    if requested not in FORMATS:
        raise ExportRefused(f"unknown format {requested!r}; expected one of {', '.join(FORMATS)}")
    if requested in ("mp4", "avi") and suffix != requested:
        raise ExportRefused(f"{out}: a {requested} export must be a file ending in .{requested}")
    return "mp4" if requested == "mp4" else "avi" if requested == "avi" else "png"

"""The formats an export can be written in, apart from the machinery that writes them.

`veil` offers these as `--format` choices while it builds its parser, whichever command
then runs. Taking them from `console.core.evidence.export` would load OpenCV, the audit and the
recordings stack into every start, `veil render` included, whose start-up time is part
of what it is measured on.
"""

from __future__ import annotations

from typing import Literal

ExportFormat = Literal["mp4", "avi", "png"]
FORMATS: tuple[ExportFormat, ...] = ("mp4", "avi", "png")

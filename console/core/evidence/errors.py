"""How an export says it did not happen.

Kept apart from the machinery so `formats` can refuse a bad `--format` while `veil`
builds its parser, without loading OpenCV or the recordings stack.
"""

from __future__ import annotations


class ExportError(Exception):
    """The export did not happen; nothing was left behind. The message says why."""


class ExportRefused(ExportError):
    """The request itself cannot be exported (no such camera, nothing recorded, the
    destination exists...): the operator must change it, retrying will not help."""


class ExportCancelled(ExportError):
    """The operator cancelled; nothing was left behind."""

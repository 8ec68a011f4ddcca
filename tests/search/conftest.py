"""A camera whose recordings hold walks at known times, for smart-search tests."""

from __future__ import annotations

from datetime import UTC, datetime

from console.core.privacy.masks import RectGeometry

T0 = datetime(2026, 11, 27, 10, 0, 0, tzinfo=UTC).timestamp()
STEM = "2026-11-27T10-00-00Z"
SECOND_STEM = "2026-11-27T10-00-40Z"
REGION = RectGeometry(0.5, 0.3, 0.75, 0.95)
"""Where the walks cross: the figure enters it at x = 0.5."""

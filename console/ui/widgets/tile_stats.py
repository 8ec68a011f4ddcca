"""How each tile is keeping up, for the Diagnostics screen and the whole-app benchmark.

Every tile counts the frames it presents, how long they took to encode and how old they
were when Textual handed them to its writer (capture-to-write latency). With
`VEIL_STATS_FILE` set, the app appends one JSON line per second to that file with each
tile's running totals and the latency samples taken since the line before, so a
benchmark outside the process can compute rates and percentiles over any window.
"""

from __future__ import annotations

import json
import os
import time
import weakref
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from textual.app import App

STATS_FILE_ENV = "VEIL_STATS_FILE"
WINDOW = 2.0
"""Seconds of history behind the frame rate shown in Diagnostics."""


def writer_backlog(app: App[object]) -> int:
    """Writes queued in Textual's writer thread but not yet sent to the terminal.

    Textual keeps them in a private bounded queue (drivers/_writer_thread.py); this is
    the only place that looks at it, and it reads 0 when the driver has none (tests).
    """
    thread = getattr(app._driver, "_writer_thread", None)
    queue = getattr(thread, "_queue", None)
    size = getattr(queue, "qsize", None)
    return int(size()) if callable(size) else 0


@dataclass
class TileStats:
    """One tile's figures."""

    name: str
    mode: str = ""
    """Renderer in use, e.g. "halfblock", "sixel" or "sixel (text now)"."""
    target_fps: float = 0.0
    frames: int = 0
    """Frames presented since the tile was mounted."""
    overloaded: bool = False
    lag_ms: float = 0.0
    """Smoothed wait of finished frames (render queue plus UI) before being shown."""
    _shown: deque[float] = field(default_factory=lambda: deque(maxlen=256))
    _encode: deque[float] = field(default_factory=lambda: deque(maxlen=64))
    _latency: deque[float] = field(default_factory=lambda: deque(maxlen=256))
    _unreported: list[float] = field(default_factory=list)

    def presented(self, now: float, encode: float) -> None:
        self.frames += 1
        self._shown.append(now)
        self._encode.append(encode)

    def written(self, latency: float) -> None:
        """A frame reached the writer `latency` seconds after its capture."""
        self._latency.append(latency)
        if len(self._unreported) < 10_000:
            self._unreported.append(latency)

    def fps(self, now: float) -> float:
        recent = [t for t in self._shown if t > now - WINDOW]
        return len(recent) / WINDOW

    @property
    def encode_ms(self) -> float:
        return 1000 * sum(self._encode) / len(self._encode) if self._encode else 0.0

    @property
    def latency_p95_ms(self) -> float:
        if not self._latency:
            return 0.0
        ordered = sorted(self._latency)
        return 1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]

    def take_unreported(self) -> list[float]:
        taken, self._unreported = self._unreported, []
        return taken


class StatsBoard:
    """Every tile's stats in one app; writes the stats file when asked to."""

    _boards: weakref.WeakKeyDictionary[App[object], StatsBoard] = weakref.WeakKeyDictionary()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.tiles: dict[str, TileStats] = {}
        """By tile id, in mounting order."""

    @classmethod
    def of(cls, app: App[object]) -> StatsBoard:
        board = cls._boards.get(app)
        if board is None:
            path = os.environ.get(STATS_FILE_ENV)
            board = cls._boards[app] = cls(Path(path) if path else None)
            if board.path is not None:
                app.set_interval(1.0, lambda: board.dump(writer_backlog(app)))
        return board

    def add(self, key: str, name: str) -> TileStats:
        stats = self.tiles[key] = TileStats(name)
        return stats

    def remove(self, key: str) -> None:
        self.tiles.pop(key, None)

    def snapshot(self, backlog: int) -> dict[str, object]:
        """Running totals and the latency samples not reported before."""
        now = time.monotonic()
        return {
            "time": now,
            "backlog": backlog,
            "tiles": {
                key: {
                    "name": stats.name,
                    "mode": stats.mode,
                    "frames": stats.frames,
                    "target_fps": round(stats.target_fps, 2),
                    "encode_ms": round(stats.encode_ms, 3),
                    "lag_ms": round(stats.lag_ms, 3),
                    "overloaded": stats.overloaded,
                    "latency_ms": [round(1000 * s, 2) for s in stats.take_unreported()],
                }
                for key, stats in self.tiles.items()
            },
        }

    def dump(self, backlog: int) -> None:
        if self.path is None:
            return
        try:
            with self.path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(self.snapshot(backlog)) + "\n")
        except OSError:
            self.path = None  # a stats file we cannot write must not disturb the console

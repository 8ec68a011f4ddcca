"""Noticing that the site file changed, so every running console can follow it.

Polling (stat every half second, hash only when the stat changed) rather than inotify:
it works the same on every filesystem a site file lives on, including network mounts,
and costs one stat per interval. The callback runs in the watcher's thread; the UI
marshals it to its own thread.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path

from console.core.site.config import load_site
from console.core.site.model import Site
from console.core.site.problems import SiteError

SiteChange = Callable[[Site | SiteError], None]
"""Called with the new, valid site, or with the problems that kept it from loading."""

POLL_INTERVAL = 0.5


class SiteWatcher:
    """Polls one site file and reports each change of its contents once."""

    def __init__(
        self, path: Path, sha256: str, on_change: SiteChange, interval: float = POLL_INTERVAL
    ) -> None:
        self.path = path
        self._sha256 = sha256
        """Hash of the contents last reported (or loaded at start)."""
        self._stat: tuple[int, int] | None = self._stat_now()
        self._on_change = on_change
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="site-watcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=2)

    def poll(self) -> None:
        """One look at the file; reports a change of its contents."""
        stat = self._stat_now()
        if stat == self._stat:
            return
        self._stat = stat
        try:
            digest = hashlib.sha256(self.path.read_bytes()).hexdigest()
        except OSError:
            digest = ""
        if digest == self._sha256:
            return
        self._sha256 = digest
        try:
            result: Site | SiteError = load_site(self.path)
        except SiteError as error:
            result = error
        self._on_change(result)

    def _stat_now(self) -> tuple[int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_mtime_ns, stat.st_size)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.poll()
            except Exception:  # a watcher that dies would silently stop following the file
                continue

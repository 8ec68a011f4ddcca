"""Frame sources: video files, network streams, local devices and synthetic patterns.

Each source runs in its own thread and keeps only the newest frame in a single slot.
A wall shows what the camera sees *now*; a queue would show the past ever later when
the terminal falls behind, so stale frames are dropped, never queued.

A source never raises into its caller. Whatever happens (a file missing, a stream that
stops, a server that accepts and then says nothing, a wrong password) becomes a
`SourceStatus` the tile can show, and the thread keeps trying to reconnect with
back-off. Files, devices and patterns are read with OpenCV; network streams with PyAV
(`console.core.video.stream`, which says why).

A refused credential is retried slowly: from the longest back-off, doubling up to
`UNAUTHORIZED_SLOWDOWN` times it (10 s to 60 s by default). Cameras lock an account
after a handful of failed logins, and a console hammering one with a stale password
would lock out the NVR and every other client using the same account; a corrected
keyring entry is still picked up within a minute.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from urllib.parse import quote, urlsplit, urlunsplit

import cv2
import numpy as np

from console.core.site.model import StreamTransport
from console.core.timebase.clock import Clock, monotonic
from console.core.video.capture import Capture, Pixels, SourceGone, State
from console.core.video.patterns import PATTERNS
from console.core.video.stream import open_stream

__all__ = [
    "NETWORK_SCHEMES",
    "CredentialError",
    "CredentialLookup",
    "Frame",
    "FrameSource",
    "Pixels",
    "SourceStatus",
    "State",
    "describe",
    "redact",
]

CredentialLookup = Callable[[str], tuple[str, str]]
"""Credential entry name -> (user, password); raises CredentialError."""

NETWORK_SCHEMES = ("rtsp://", "rtsps://", "http://", "https://")

UNAUTHORIZED_SLOWDOWN = 6
"""A refused credential's longest wait, in multiples of the longest back-off."""
_log = logging.getLogger(__name__)
"""Each change of a source's state (live, lost, reconnecting, failed), URLs redacted."""


class CredentialError(Exception):
    """A stream's credentials could not be resolved; the message holds no secret."""


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """What a tile shows about its camera besides video."""

    state: State
    message: str = ""


@dataclass(frozen=True, slots=True)
class Frame:
    """One captured picture, not yet masked: never shown as it is."""

    pixels: Pixels
    captured_at: float
    sequence: int


def redact(url: str) -> str:
    """The URL without any user or password, safe for status lines and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable URL>"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def describe(spec: str) -> str:
    """A short, secret-free name for a source, for messages."""
    if spec.lower().startswith(NETWORK_SCHEMES):
        return redact(spec)
    return spec


class FrameSource:
    """A camera feed in its own thread, exposing the latest frame and a status."""

    def __init__(
        self,
        spec: str,
        *,
        fps: float | None = None,
        credential: str | None = None,
        credentials: CredentialLookup | None = None,
        clock: Clock = monotonic,
        timeout: float = 5.0,
        transport: StreamTransport = "auto",
        backoff: tuple[float, float] = (0.5, 10.0),
    ) -> None:
        self.spec = spec
        self.fps_cap = fps
        self.credential = credential
        self.credentials = credentials
        self.clock = clock
        self.timeout = timeout
        """Seconds to wait for a connection or for the next frame before calling it lost."""
        self.transport: StreamTransport = transport
        """RTSP's lower transport: "auto" lets FFmpeg try UDP, then TCP."""
        self.backoff = backoff
        self._lock = threading.Lock()
        self._frame: Frame | None = None
        self._sequence = 0
        self._status = SourceStatus("connecting", f"connecting to {describe(spec)}")
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the caller's side -----------------------------------------------------------------

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"source {describe(self.spec)}", daemon=True
            )
            self._thread.start()

    def stop(self, wait: float = 2.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(wait)

    def latest(self) -> Frame | None:
        """The newest frame, or None if none arrived since the source last went live."""
        with self._lock:
            return self._frame

    @property
    def status(self) -> SourceStatus:
        with self._lock:
            return self._status

    def wait_for_frame(self, timeout: float) -> Frame | None:
        """Block until a first frame arrives (for one-shot commands such as `veil still`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            frame = self.latest()
            if frame is not None:
                return frame
            if self.status.state in ("error", "unauthorized", "unsupported"):
                return None
            time.sleep(0.02)
        return self.latest()

    # -- the thread's side -----------------------------------------------------------------

    def _set(self, state: State, message: str, clear_frame: bool = False) -> None:
        with self._lock:
            before = self._status.state
            self._status = SourceStatus(state, message)
            if clear_frame:
                self._frame = None
        if state != before:
            _log.warning("%s: %s: %s", describe(self.spec), state, message)

    def _publish(self, pixels: Pixels) -> None:
        with self._lock:
            self._sequence += 1
            self._frame = Frame(pixels, self.clock(), self._sequence)
            before = self._status.state
            if before != "live":
                self._status = SourceStatus("live", "")
        if before != "live":
            _log.info("%s: live (was %s)", describe(self.spec), before)

    def _run(self) -> None:
        """The thread: a bug below must not leave a frozen tile still saying "live"."""
        try:
            self._connect_loop()
        except Exception as error:  # the tile shows the failure instead of a stale picture
            self._set(
                "error", f"{describe(self.spec)}: source stopped: {type(error).__name__}", True
            )

    def _connect_loop(self) -> None:
        delay = self.backoff[0]
        while not self._stop.is_set():
            try:
                capture, native_fps = self._open()
            except SourceGone as gone:
                delay = self._retry_after(gone, delay)
                continue
            try:
                delivered = self._pump(capture, native_fps)
            except SourceGone as gone:  # the stream turned into something not shown
                delay = self._retry_after(gone, self.backoff[0])
                continue
            finally:
                capture.close()
            if delivered:
                delay = self.backoff[0]
            if not self._stop.is_set():
                self._set("lost", f"{describe(self.spec)} stopped sending; reconnecting", True)
                self._stop.wait(delay)
                delay = min(delay * 2, self.backoff[1])

    def _retry_after(self, gone: SourceGone, delay: float) -> float:
        """Show why the source is down, wait, and return the next wait."""
        longest = self.backoff[1]
        if gone.state == "unauthorized":
            delay = max(delay, longest)
            longest *= UNAUTHORIZED_SLOWDOWN
        self._set(gone.state, f"{gone.message}; retrying in {delay:.1f}s", clear_frame=True)
        self._stop.wait(delay)
        return min(delay * 2, longest)

    def _pump(self, capture: Capture, native_fps: float | None) -> bool:
        """Read until the capture fails; returns whether any frame arrived."""
        rate = min(filter(None, (native_fps, self.fps_cap)), default=None)
        period = 1.0 / rate if rate else 0.0
        delivered = False
        next_due = time.monotonic()
        while not self._stop.is_set():
            pixels = capture.read()
            if pixels is None:
                return delivered
            now = time.monotonic()
            if period and now < next_due:
                if native_fps is None:
                    continue  # a live stream faster than the cap: drop, keep only the newest
                self._stop.wait(next_due - now)
            next_due = max(next_due + period, time.monotonic() - period)
            self._publish(pixels)
            delivered = True
        return delivered

    def _open(self) -> tuple[Capture, float | None]:
        spec = self.spec
        lowered = spec.lower()
        if lowered.startswith("pattern:"):
            return _PatternCapture(spec[8:]), self.fps_cap or 10.0
        if lowered.startswith("device:"):
            return _open_device(int(spec[7:]), spec, self.timeout), None
        if lowered.startswith(NETWORK_SCHEMES):
            capture = open_stream(
                self._authorised_url(),
                describe(spec),
                transport=self.transport,
                timeout=self.timeout,
                credential=self.credential,
            )
            return capture, None
        return _open_file(Path(spec))

    def _authorised_url(self) -> str:
        if self.credential is None:
            return self.spec
        if self.credentials is None:
            raise SourceGone("error", f"no credential store to resolve {self.credential!r}")
        try:
            user, password = self.credentials(self.credential)
        except CredentialError as error:
            raise SourceGone("error", str(error)) from None
        parts = urlsplit(self.spec)
        netloc = f"{quote(user, safe='')}:{quote(password, safe='')}@{parts.netloc}"
        return urlunsplit(parts._replace(netloc=netloc))


class _CvCapture:
    """An OpenCV capture that yields None instead of raising or returning junk.

    Files loop at their end. Devices tolerate a few failed reads in a row: a camera
    driver reports a dropped frame as a failed read and then recovers; only a run of
    failures (unplugged, or a read timeout) ends the capture.

    A file also ends its capture as soon as it is no longer the file that was opened
    (deleted, replaced or cut short): the open handle would otherwise play on from what
    the disk no longer holds, a deleted file for ever, and the tile would claim "live".
    Reopening then reports the file's real state.
    """

    def __init__(
        self,
        capture: cv2.VideoCapture,
        loop: bool,
        tolerance: int = 1,
        unchanged: Callable[[], bool] = lambda: True,
    ) -> None:
        self.capture = capture
        self.loop = loop
        self.tolerance = tolerance
        self.unchanged = unchanged

    def read(self) -> Pixels | None:
        if not self.unchanged():
            return None
        for _ in range(self.tolerance):
            ok, pixels = self.capture.read()
            if not ok and self.loop:
                self.capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
                ok, pixels = self.capture.read()
            if ok and pixels is not None and pixels.size:
                return np.asarray(pixels, np.uint8)
        return None

    def close(self) -> None:
        self.capture.release()


DEVICE_READ_TOLERANCE = 5
"""Consecutive failed reads after which a device counts as lost and is reopened."""


def _open_device(number: int, name: str, timeout: float) -> _CvCapture:
    millis = int(timeout * 1000)
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, millis, cv2.CAP_PROP_READ_TIMEOUT_MSEC, millis]
    try:
        capture = cv2.VideoCapture(number, cv2.CAP_ANY, params)
    except cv2.error:
        capture = None
    if capture is None or not capture.isOpened():
        raise SourceGone("lost", f"cannot connect to {name}")
    return _CvCapture(capture, loop=False, tolerance=DEVICE_READ_TOLERANCE)


def _open_file(path: Path) -> tuple[_CvCapture, float | None]:
    """Files loop at their own frame rate, standing in for a live camera."""
    identity = _file_identity(path)
    if identity is None:
        raise SourceGone("error", f"video file not found: {path}")
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        capture.release()
        raise SourceGone("error", f"not a readable video file: {path}")
    fps = capture.get(cv2.CAP_PROP_FPS)
    wrapped = _CvCapture(capture, loop=True, unchanged=lambda: _file_identity(path) == identity)
    if wrapped.read() is None:
        wrapped.close()
        raise SourceGone("error", f"video file has no decodable frames: {path}")
    capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
    return wrapped, (fps if 0 < fps <= 240 else 10.0)


def _file_identity(path: Path) -> tuple[int, int, int] | None:
    """Which file `path` names now and its length, or None if it names no regular file."""
    try:
        stat = path.stat()
    except OSError:
        return None
    if not S_ISREG(stat.st_mode):
        return None
    return stat.st_dev, stat.st_ino, stat.st_size


class _PatternCapture:
    """A synthetic source, paced by the same loop as files."""

    SIZE = (640, 360)

    def __init__(self, name: str) -> None:
        if name not in PATTERNS:
            raise SourceGone("error", f"unknown pattern {name!r}")
        self.pattern = PATTERNS[name]
        self.count = 0

    def read(self) -> Pixels | None:
        self.count += 1
        return self.pattern(self.count, *self.SIZE)

    def close(self) -> None:
        pass

"""Network sources against a real MJPEG-over-HTTP camera on 127.0.0.1 (issue 2, section 4).

The camera is the scriptable test server, so the source meets what a real IP camera
does: it goes away and comes back, and it insists on HTTP basic auth. Timeouts and
back-off are shortened so a loss and a reconnect take a fraction of a second.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Iterator, Sequence
from http.server import BaseHTTPRequestHandler

import pytest

from console.core.video import credentials
from console.core.video.sources import FrameSource, SourceStatus
from tests.core.test_sources import eventually
from tests.support.frames import Pixels, gradient
from tests.support.mjpeg_server import MjpegServer

PASSWORD = "pa:ss/w@rd%20"
"""Characters a URL must escape, so a wrongly built URL fails to authenticate."""


def stream(url: str, credential: str | None = None) -> FrameSource:
    """A source that notices a loss within a second and retries within 0.2 s."""
    return FrameSource(
        url,
        credential=credential,
        credentials=credentials.resolve if credential else None,
        timeout=1.0,
        backoff=(0.05, 0.2),
    )


class AuthMjpegServer(MjpegServer):
    """The test camera behind HTTP basic auth, remembering every Authorization it saw."""

    def __init__(self, frames: Sequence[Pixels], user: str, password: str, fps: float) -> None:
        super().__init__(frames, fps=fps)
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.expected = f"Basic {token}"
        self.authorizations: list[str | None] = []
        self.granted = 0

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        stream_handler = super()._handler_class()
        camera = self

        class Handler(stream_handler):  # type: ignore[valid-type,misc]
            def do_GET(self) -> None:
                given = self.headers.get("Authorization")
                camera.authorizations.append(given)
                if given != camera.expected:
                    self.send_response(401)
                    self.send_header("WWW-Authenticate", 'Basic realm="camera"')
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                camera.granted += 1
                super().do_GET()

        return Handler


class StatusRecorder:
    """Samples a source's status in the background, so no short-lived message escapes a check."""

    def __init__(self, source: FrameSource) -> None:
        self.source = source
        self.seen: list[SourceStatus] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.005):
            self._sample()

    def _sample(self) -> None:
        status = self.source.status
        if not self.seen or self.seen[-1] != status:
            self.seen.append(status)

    def close(self) -> list[SourceStatus]:
        """Everything seen, up to and including the status of this moment."""
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.seen


@pytest.fixture
def started() -> Iterator[Callable[[FrameSource], FrameSource]]:
    sources: list[FrameSource] = []

    def start(source: FrameSource) -> FrameSource:
        sources.append(source)
        source.start()
        return source

    yield start
    for source in sources:
        source.stop()


@pytest.fixture
def camera() -> Iterator[MjpegServer]:
    with MjpegServer([gradient(160, 120)], fps=25) as server:
        yield server


def test_stream_goes_live_is_lost_when_the_server_stops_and_comes_back(
    camera: MjpegServer, started: Callable[[FrameSource], FrameSource]
) -> None:
    source = started(stream(camera.url))
    assert eventually(lambda: source.status.state == "live")
    frame = source.latest()
    assert frame is not None
    assert frame.pixels.shape == (120, 160, 3)

    camera.stop()
    assert eventually(lambda: source.status.state == "lost")
    assert source.latest() is None, "a lost camera must not keep showing its last picture"
    assert "127.0.0.1" in source.status.message

    camera.start()
    assert eventually(lambda: source.status == SourceStatus("live", ""))
    assert camera.connections >= 2
    again = source.latest()
    assert again is not None
    assert again.sequence > frame.sequence


def test_reconnect_backs_off_while_the_camera_is_away(
    camera: MjpegServer, started: Callable[[FrameSource], FrameSource]
) -> None:
    source = started(FrameSource(camera.url, timeout=1.0, backoff=(0.05, 0.4)))
    assert eventually(lambda: source.status.state == "live")
    recorder = StatusRecorder(source)
    camera.stop()
    assert eventually(lambda: "retrying in 0.4s" in source.status.message)
    seen = recorder.close()
    delays = [s.message.rsplit("retrying in ", 1)[1] for s in seen if "retrying in" in s.message]
    assert delays[:3] == ["0.1s", "0.2s", "0.4s"]
    assert all(s.state == "lost" for s in seen[1:]), seen


def test_keyring_credential_reaches_the_camera_and_never_the_status(
    started: Callable[[FrameSource], FrameSource], capfd: pytest.CaptureFixture[str]
) -> None:
    credentials.store("cam", "viewer", PASSWORD)
    with AuthMjpegServer([gradient(160, 120)], "viewer", PASSWORD, fps=25) as camera:
        source = started(stream(camera.url, credential="cam"))
        recorder = StatusRecorder(source)
        assert eventually(lambda: source.status.state == "live")
        assert camera.granted >= 1, camera.authorizations
        camera.stop()
        assert eventually(lambda: source.status.state == "lost")
        camera.start()
        assert eventually(lambda: source.status.state == "live")
        seen = recorder.close()
    assert {s.state for s in seen} >= {"live", "lost"}
    for status in seen:
        assert PASSWORD not in status.message
        assert "viewer" not in status.message
    out, err = capfd.readouterr()
    assert PASSWORD not in out + err, "FFmpeg or Veil logged the camera password"


def test_wrong_keyring_password_is_refused_and_stays_secret(
    started: Callable[[FrameSource], FrameSource], capfd: pytest.CaptureFixture[str]
) -> None:
    credentials.store("cam", "viewer", "not-the-" + PASSWORD)
    with AuthMjpegServer([gradient(160, 120)], "viewer", PASSWORD, fps=25) as camera:
        source = started(stream(camera.url, credential="cam"))
        recorder = StatusRecorder(source)
        assert eventually(lambda: len(camera.authorizations) >= 4)
        seen = recorder.close()
    assert camera.granted == 0
    assert any(a is not None and a.startswith("Basic ") for a in camera.authorizations)
    assert source.latest() is None
    assert seen[-1].state == "unauthorized", seen
    assert "refused credential 'cam' (401 Unauthorized)" in seen[-1].message
    for status in seen:
        assert "not-the-" not in status.message
    out, err = capfd.readouterr()
    assert "not-the-" not in out + err


def test_missing_keyring_entry_is_an_error_naming_the_credential(
    camera: MjpegServer, started: Callable[[FrameSource], FrameSource]
) -> None:
    source = started(stream(camera.url, credential="cam"))
    assert eventually(lambda: source.status.state == "error")
    assert "'cam'" in source.status.message
    assert camera.connections == 0, "no request without the credential it needs"
    credentials.store("cam", "viewer", PASSWORD)
    assert eventually(lambda: source.status.state == "live"), "stored later, it is picked up"


def test_credential_without_a_store_is_an_error(
    camera: MjpegServer, started: Callable[[FrameSource], FrameSource]
) -> None:
    source = started(FrameSource(camera.url, credential="cam", timeout=1.0, backoff=(0.05, 0.2)))
    assert eventually(lambda: source.status.state == "error")
    assert "no credential store" in source.status.message
    assert camera.connections == 0

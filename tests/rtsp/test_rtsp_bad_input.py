"""Network cameras that are not there, not cameras, or not what was expected (issue 12).

Every case ends in a state and a message that names the stream (never its
credentials), never in an exception, and no frame comes out. The "unreachable" host
is simulated on 127.0.0.1 with a listener whose accept queue is full: the kernel drops
further connection attempts without an answer, as a host that is down does.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import av
import pytest

from console.core.video.capture import SourceGone
from console.core.video.stream import PIXEL_FORMATS, to_pixels
from tests.core.test_sources import eventually
from tests.faults.privacy_watch import PrivacyWatch
from tests.rtsp.conftest import RTSP_MASK, TIMEOUT, FeedMaker


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def unreachable_port() -> Iterator[int]:
    """A port whose SYNs go unanswered: a listener with a full accept queue."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = int(listener.getsockname()[1])
        filler = socket.create_connection(("127.0.0.1", port), timeout=1)
        try:
            yield port
        finally:
            filler.close()


@pytest.fixture
def http_port() -> Iterator[int]:
    """A web server where the camera should be: it answers RTSP requests with HTML."""

    class Handler(BaseHTTPRequestHandler):
        def handle_one_request(self) -> None:
            self.rfile.readline(65537)
            self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<p>")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def truncating_port() -> Iterator[int]:
    """An RTSP server that promises a session description and hangs up halfway through it."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(2)
                try:
                    answer(connection)
                except OSError:
                    pass

    def answer(connection: socket.socket) -> None:
        buffer = b""
        while True:
            chunk = connection.recv(4096)
            if not chunk:
                return
            buffer += chunk
            while b"\r\n\r\n" in buffer:
                request, buffer = buffer.split(b"\r\n\r\n", 1)
                cseq = next(
                    (line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                     if line.lower().startswith(b"cseq")), b"1",
                )  # fmt: skip
                if request.startswith(b"OPTIONS"):
                    connection.sendall(
                        b"RTSP/1.0 200 OK\r\nCSeq: "
                        + cseq
                        + b"\r\nPublic: DESCRIBE, SETUP, PLAY\r\n\r\n"
                    )
                    continue
                connection.sendall(
                    b"RTSP/1.0 200 OK\r\nCSeq: " + cseq + b"\r\nContent-Type: application/sdp\r\n"
                    b"Content-Length: 400\r\n\r\nv=0\r\no=- 0 0 IN IP4 127.0.0.1\r\nm=vid"
                )
                return

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join()
        listener.close()


def watch_until(feed_maker: FeedMaker, url: str, state: str, timeout: float = TIMEOUT * 5) -> str:
    """Start a feed on `url`, watch every frame until it reaches `state`; its message."""
    feed = feed_maker(url)
    with PrivacyWatch(feed, [RTSP_MASK]) as watch:
        reached = eventually(lambda: feed.status.state == state, timeout=timeout)
        status = feed.status
    assert reached, status
    assert watch.seen.frames == 0 and watch.seen.violations == []
    assert watch.seen.longest_call < TIMEOUT / 2, "the caller waited for the network"
    return status.message


def test_refused_port_is_lost(make_feed: FeedMaker, closed_port: int) -> None:
    message = watch_until(make_feed, f"rtsp://127.0.0.1:{closed_port}/h264", "lost")
    assert f"cannot connect to rtsp://127.0.0.1:{closed_port}/h264: connection refused" in message


def test_unreachable_host_is_lost_after_the_timeout(
    make_feed: FeedMaker, unreachable_port: int
) -> None:
    url = f"rtsp://127.0.0.1:{unreachable_port}/h264"
    message = watch_until(make_feed, url, "lost")
    assert f"cannot connect to {url}: no answer in time" in message


def test_http_server_answering_rtsp_is_an_error(make_feed: FeedMaker, http_port: int) -> None:
    url = f"rtsp://127.0.0.1:{http_port}/h264"
    message = watch_until(make_feed, url, "error")
    assert f"{url} does not answer as a video stream" in message


def test_session_description_cut_short_is_an_error_not_a_crash(
    make_feed: FeedMaker, truncating_port: int
) -> None:
    url = f"rtsp://127.0.0.1:{truncating_port}/h264"
    message = watch_until(make_feed, url, "error")
    assert f"{url} does not answer as a video stream" in message


def test_an_unsupported_pixel_format_is_refused_without_taking_the_process_down() -> None:
    """`yaf32be` makes FFmpeg's converter abort the process; the allowlist stops it first."""
    frame = av.VideoFrame(16, 16, "yaf32be")
    with pytest.raises(SourceGone) as refused:
        to_pixels(frame, "rtsp://127.0.0.1/cam")
    assert refused.value.state == "unsupported"
    assert "pixel format yaf32be" in refused.value.message


@pytest.mark.parametrize("pixel_format", sorted(PIXEL_FORMATS))
def test_every_allowed_pixel_format_converts_to_bgr(pixel_format: str) -> None:
    frame = av.VideoFrame(32, 16, pixel_format)
    pixels = to_pixels(frame, "rtsp://127.0.0.1/cam")
    assert pixels.shape == (16, 32, 3) and pixels.dtype.name == "uint8"


def test_a_picture_larger_than_any_camera_is_refused() -> None:
    frame = av.VideoFrame(8200, 16, "gray")
    with pytest.raises(SourceGone) as refused:
        to_pixels(frame, "rtsp://127.0.0.1/cam")
    assert refused.value.state == "unsupported"
    assert "8200x16" in refused.value.message

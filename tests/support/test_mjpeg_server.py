"""The test MJPEG camera does what network-source tests rely on, as OpenCV sees it.

Source tests trust this server to go away, come back, send garbage, change size and hang
on cue; if it silently did not, those tests would pass for the wrong reason. So each
control is checked here against OpenCV's FFmpeg backend (the reader Veil uses) or, where
OpenCV hides the detail, against a plain HTTP client.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Iterator

import cv2
import numpy as np
import numpy.typing as npt
import pytest

from tests.support.mjpeg_server import BOUNDARY, MjpegServer, garbage_jpeg

Pixels = npt.NDArray[np.uint8]
TIMEOUTS = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 3000, cv2.CAP_PROP_READ_TIMEOUT_MSEC, 3000]
"""So a broken stream fails a test in seconds instead of OpenCV's default 30 s."""


def numbered(count: int, width: int = 160, height: int = 120) -> list[Pixels]:
    """Frames of distinct grey levels, each with its number drawn in red."""
    frames = []
    for index in range(count):
        frame = np.full((height, width, 3), 30 + 20 * index, np.uint8)
        cv2.putText(frame, str(index), (width // 3, height * 2 // 3), 0, 2, (0, 0, 255), 3)
        frames.append(frame)
    return frames


def capture(url: str) -> cv2.VideoCapture:
    video = cv2.VideoCapture(url, cv2.CAP_FFMPEG, TIMEOUTS)
    assert video.isOpened(), f"OpenCV could not open {url}"
    return video


def read_until(video: cv2.VideoCapture, ok: bool, attempts: int = 30) -> Pixels | None:
    """Read until a read succeeds (ok=True) or fails (ok=False); frames may be buffered."""
    for _ in range(attempts):
        success, frame = video.read()
        if success == ok:
            return frame if success else None
    raise AssertionError(f"no {'good' if ok else 'failed'} read in {attempts} attempts")


def parts(url: str) -> Iterator[bytes]:
    """The JPEG parts of a stream, read with a plain HTTP client."""
    host, rest = url.removeprefix("http://").split("/", 1)
    connection = http.client.HTTPConnection(host, timeout=5)
    connection.request("GET", "/" + rest)
    response = connection.getresponse()
    assert response.status == 200
    assert response.getheader("Content-Type") == f"multipart/x-mixed-replace; boundary={BOUNDARY}"
    try:
        while True:
            assert response.readline() == f"--{BOUNDARY}\r\n".encode()
            headers = {}
            while (line := response.readline().decode().strip()) != "":
                key, value = line.split(":", 1)
                headers[key.lower()] = value.strip()
            assert headers["content-type"] == "image/jpeg"
            yield response.read(int(headers["content-length"]))
            assert response.readline() == b"\r\n"
    finally:
        connection.close()


@pytest.fixture
def camera() -> Iterator[MjpegServer]:
    with MjpegServer(numbered(5), fps=50) as server:
        yield server


def test_opencv_reads_the_frames_in_order(camera: MjpegServer) -> None:
    video = capture(camera.url)
    sent = numbered(5)
    for index in range(5):
        ok, frame = video.read()
        assert ok
        assert frame.shape == sent[index].shape
        assert np.abs(frame.astype(int) - sent[index].astype(int)).mean() < 4, f"frame {index}"
    video.release()


def test_stop_cuts_open_streams_and_restart_serves_on_the_same_port(camera: MjpegServer) -> None:
    video = capture(camera.url)
    assert video.read()[0]
    port = camera.port
    camera.stop()
    assert read_until(video, ok=False) is None
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)
    camera.start()
    assert camera.port == port
    again = capture(camera.url)
    assert again.read()[0]
    assert camera.connections == 2
    video.release()
    again.release()


def test_corrupt_parts_fail_to_decode_and_the_stream_recovers(camera: MjpegServer) -> None:
    assert cv2.imdecode(np.frombuffer(garbage_jpeg(2000, 1), np.uint8), cv2.IMREAD_COLOR) is None
    video = capture(camera.url)
    assert video.read()[0]
    camera.corrupt = True
    read_until(video, ok=False)
    camera.corrupt = False
    frame = read_until(video, ok=True)
    assert frame is not None and frame.shape == (120, 160, 3)
    video.release()


def test_resolution_changes_mid_stream(camera: MjpegServer) -> None:
    stream = parts(camera.url)
    first = cv2.imdecode(np.frombuffer(next(stream), np.uint8), cv2.IMREAD_COLOR)
    assert first.shape == (120, 160, 3)
    camera.set_frames(numbered(3, width=320, height=240))
    sizes = {
        cv2.imdecode(np.frombuffer(next(stream), np.uint8), cv2.IMREAD_COLOR).shape
        for _ in range(5)
    }
    assert (240, 320, 3) in sizes
    stream.close()
    video = capture(camera.url)
    ok, frame = video.read()
    assert ok and frame.shape == (240, 320, 3)
    video.release()


def test_stall_accepts_connections_but_sends_nothing(camera: MjpegServer) -> None:
    camera.stall = True
    with socket.create_connection(("127.0.0.1", camera.port), timeout=0.5) as raw:
        raw.sendall(b"GET /stream.mjpg HTTP/1.0\r\n\r\n")
        with pytest.raises(TimeoutError):
            raw.recv(1)
    quick = cv2.VideoCapture(camera.url, cv2.CAP_FFMPEG, [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, 1000])
    assert not quick.isOpened()
    camera.stall = False
    video = capture(camera.url)
    assert video.read()[0]
    video.release()


def test_other_paths_are_not_found(camera: MjpegServer) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", camera.port, timeout=5)
    connection.request("GET", "/nothing")
    assert connection.getresponse().status == 404
    connection.close()

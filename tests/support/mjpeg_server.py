"""A scriptable MJPEG-over-HTTP camera on 127.0.0.1, for network-source tests.

A real IP camera cannot be told to drop off the network, send garbage, change resolution
or hang on cue, so this one can. It serves `multipart/x-mixed-replace; boundary=frame`,
the way most IP cameras serve MJPEG over HTTP, which OpenCV's FFmpeg backend reads with
its `mpjpeg` demuxer:

    with MjpegServer(frames, fps=10) as camera:
        capture = cv2.VideoCapture(camera.url, cv2.CAP_FFMPEG)

Controls, all usable while clients are connected:
- `stop()` / `start()` / `restart()`: the server goes away (open streams are cut, new
  connections refused) and comes back on the same port, so a client can reconnect.
- `corrupt = True`: each part still arrives, framed and sized correctly, but its bytes
  are not a decodable JPEG.
- `set_frames(...)`: switch to other frames, for example another resolution, mid-stream.
- `stall = True`: accept connections and then send nothing; streams already running go
  silent. For open and read timeouts.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

import cv2
import numpy as np
import numpy.typing as npt

Pixels = npt.NDArray[np.uint8]

BOUNDARY = "frame"
PATH = "/stream.mjpg"


def encode_jpeg(frame: Pixels, quality: int = 85) -> bytes:
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"cannot encode a frame of shape {frame.shape} as JPEG")
    return bytes(data)


def garbage_jpeg(size: int, seed: int) -> bytes:
    """JPEG start and end markers around noise: looks like a JPEG part, decodes as nothing."""
    noise = np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()
    return b"\xff\xd8\xff\xdb" + noise.replace(b"\xff", b"\x00") + b"\xff\xd9"


class MjpegServer:
    """One MJPEG camera; every client gets its own stream starting at the first frame."""

    def __init__(self, frames: Sequence[Pixels], fps: float = 10.0, path: str = PATH) -> None:
        self.fps = fps
        self.path = path
        self.corrupt = False
        """Send undecodable parts instead of the frames."""
        self.stall = False
        """Send nothing at all: new clients get no response, running streams go quiet."""
        self.frames_sent = 0
        """Parts written to any client since construction, for tests to wait on."""
        self.connections = 0
        """Stream requests accepted since construction."""
        self.port = 0
        """Chosen by the OS at the first start, then kept so restarts reuse it."""
        self._jpegs: tuple[bytes, ...] = ()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._clients: set[socket.socket] = set()
        self.set_frames(frames)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def set_frames(self, frames: Sequence[Pixels]) -> None:
        """Serve these frames from now on, to new and already connected clients alike."""
        if not frames:
            raise ValueError("an MJPEG server needs at least one frame")
        self._jpegs = tuple(encode_jpeg(frame) for frame in frames)

    def start(self) -> MjpegServer:
        if self._server is not None:
            raise RuntimeError("the MJPEG server is already running")
        self._stopping = threading.Event()
        server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler_class())
        server.daemon_threads = True
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Cut every open stream and stop listening; the port stays reserved for `start`."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with self._lock:
            clients, self._clients = self._clients, set()
        for client in clients:
            try:
                client.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client already hung up
            client.close()
        server.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> MjpegServer:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        camera = self
        stopping = self._stopping

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != camera.path:
                    self.send_error(404, f"the stream is at {camera.path}")
                    return
                with camera._lock:
                    camera._clients.add(self.connection)
                    camera.connections += 1
                try:
                    camera._stream(self, stopping)
                except OSError:
                    pass  # the client went away, or stop() cut the connection
                finally:
                    with camera._lock:
                        camera._clients.discard(self.connection)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                """Silence: the default handler prints every request to stderr."""

        return Handler

    def _stream(self, handler: BaseHTTPRequestHandler, stopping: threading.Event) -> None:
        while self.stall:
            if stopping.wait(0.05):
                return
        handler.send_response(200)
        handler.send_header("Content-Type", f"multipart/x-mixed-replace; boundary={BOUNDARY}")
        handler.send_header("Cache-Control", "no-cache, no-store")
        handler.send_header("Connection", "close")
        handler.end_headers()
        index = 0
        while not stopping.is_set():
            if self.stall:
                stopping.wait(0.05)
                continue
            jpegs = self._jpegs
            if self.corrupt:
                part = garbage_jpeg(len(jpegs[index % len(jpegs)]), index)
            else:
                part = jpegs[index % len(jpegs)]
            head = (
                f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(part)}\r\n\r\n"
            )
            handler.wfile.write(head.encode("ascii") + part + b"\r\n")
            handler.wfile.flush()
            with self._lock:
                self.frames_sent += 1
            index += 1
            stopping.wait(1 / self.fps)

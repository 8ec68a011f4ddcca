"""Network cameras (RTSP, and MJPEG over HTTP) read with PyAV.

PyAV was chosen over OpenCV's FFmpeg backend by measurement (`python -m bench.decoders`,
numbers in the README): the same time to the first frame, a tenth of a second less
latency on H.264 (OpenCV decodes with frame threads, each holding a frame back), and,
what decides it, the failures come back as what they are. A wrong password is
`HTTPUnauthorizedError` at once, where OpenCV only says "not opened" and logs the 401 to
stderr; a refused port, a server that answers in another protocol and a stream with no
decodable video are told apart too. The transport and timeouts are options of each
opening, where OpenCV takes them from one process-wide environment variable.

Every message names the stream by its redacted URL and the credential by its keyring
entry; no FFmpeg error text goes into one, because FFmpeg's carry the URL, password
included.

`av` is imported on the first network opening: it costs about 0.15 s, which a site of
files and patterns need not pay at every start.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from console.core.site.model import StreamTransport
from console.core.video.capture import Pixels, SourceGone

if TYPE_CHECKING:
    import av.container
    import av.packet
    import av.video.frame
    import av.video.stream

    Packet = av.packet.Packet[av.video.stream.VideoStream]


PIXEL_FORMATS = frozenset(
    {
        "yuv420p", "yuvj420p", "yuv422p", "yuvj422p", "yuv444p", "yuvj444p", "yuv440p",
        "yuvj440p", "yuv411p", "yuvj411p", "yuv410p", "nv12", "nv21", "nv16", "yuyv422",
        "uyvy422", "yuv420p10le", "yuv422p10le", "yuv444p10le", "yuv420p12le",
        "yuv422p12le", "yuv444p12le", "p010le", "gray", "gray10le", "gray12le", "gray16le",
        "rgb24", "bgr24", "rgba", "bgra", "argb", "abgr", "rgb0", "bgr0", "0rgb", "0bgr",
        "gbrp", "gbrp10le", "gbrp12le", "pal8",
    }
)  # fmt: skip
"""Pixel formats turned into BGR for masking: what camera codecs decode to.

An allowlist, not "whatever swscale takes": some formats make the conversion fail, and
some abort the whole process inside FFmpeg (measured with `av` 18.1: `yaf32be`), which
would take the console and every other camera down with one odd stream.
"""

MAX_SIDE = 8192
"""Largest picture side accepted: above 8K, a header that lies about the size."""

READ_TOLERANCE = 5
"""Undecodable packets in a row after which a stream counts as lost and is reopened.

A lost packet or a corrupt JPEG part fails one decode and the next picture is fine;
only a run of them (a stream gone bad) is worth a reconnect.
"""


def open_stream(
    url: str,
    name: str,
    *,
    transport: StreamTransport,
    timeout: float,
    credential: str | None,
) -> StreamCapture:
    """Open a network stream; `url` may carry credentials, `name` must not.

    Raises `SourceGone` with the camera's state: `unauthorized` for 401 and 403, `lost`
    when nothing (or nothing in time) answers, `unsupported` for video that cannot be
    decoded, `error` for a server that is not a camera stream.
    """
    import av

    options = {
        "timeout": str(max(1, int(timeout * 1_000_000))),
        # Decode from the first packets instead of studying 5 s of stream first: the
        # first frame in 0.25 s instead of 2.8 s, measured on H.264 over RTSP.
        "probesize": "32",
        "analyzeduration": "0",
    }
    if url.lower().startswith(("rtsp://", "rtsps://")) and transport != "auto":
        options["rtsp_transport"] = transport  # "auto": FFmpeg tries UDP, then TCP
    started = time.monotonic()
    try:
        container = av.open(url, options=options, timeout=(timeout, timeout))
    except Exception as error:  # FFmpeg's errors, and whatever else an opening raises
        timed_out = time.monotonic() - started >= timeout
        raise opening_failure(error, name, credential, timed_out) from None
    try:
        return StreamCapture(container, _video_stream(container, name), name)
    except BaseException:
        container.close()
        raise


def opening_failure(
    error: Exception, name: str, credential: str | None, timed_out: bool
) -> SourceGone:
    """What a failed opening means for the camera, in words that hold no secret."""
    import av.error

    if isinstance(error, av.error.HTTPUnauthorizedError | av.error.HTTPForbiddenError):
        code = (
            "401 Unauthorized"
            if isinstance(error, av.error.HTTPUnauthorizedError)
            else ("403 Forbidden")
        )
        if credential is None:
            return SourceGone(
                "unauthorized",
                f"{name} asks for a user and password ({code}); store them with "
                'veil credential set NAME and add credential = "NAME" to the camera',
            )
        return SourceGone(
            "unauthorized",
            f"{name} refused credential {credential!r} ({code}); "
            f"correct it with veil credential set {credential}",
        )
    if isinstance(error, av.error.HTTPNotFoundError):
        return SourceGone("error", f"{name} has no such stream (404 Not Found); check the path")
    if timed_out or isinstance(error, av.error.ExitError | TimeoutError):
        return SourceGone("lost", f"cannot connect to {name}: no answer in time")
    if isinstance(error, ConnectionError):
        return SourceGone("lost", f"cannot connect to {name}: {_reason(error)}")
    if isinstance(error, av.error.InvalidDataError):
        return SourceGone("error", f"{name} does not answer as a video stream (invalid data)")
    if isinstance(error, OSError | av.error.FFmpegError):
        return SourceGone("lost", f"cannot connect to {name}: {_reason(error)}")
    return SourceGone("error", f"cannot open {name}: {type(error).__name__}")


def _reason(error: Exception) -> str:
    """FFmpeg's short reason ("Connection refused"); never its message, which has the URL."""
    reason = getattr(error, "strerror", None)
    return reason.lower() if isinstance(reason, str) and reason else type(error).__name__


def _video_stream(container: av.container.InputContainer, name: str) -> av.video.stream.VideoStream:
    """The first video stream, if a decoder for it exists."""
    streams = list(container.streams.video)
    if not streams:
        kinds = ", ".join(sorted({stream.type for stream in container.streams})) or "none"
        raise SourceGone("unsupported", f"{name} sends no video that can be decoded ({kinds})")
    stream = streams[0]
    if stream.codec_context is None:
        raise SourceGone("unsupported", f"{name} sends video in a codec that cannot be decoded")
    return stream


class StreamCapture:
    """An open network stream, decoding packet by packet.

    Packets are decoded one at a time (not through `container.decode`, which ends at the
    first error) so that one corrupt packet costs one picture, not the connection.
    """

    def __init__(
        self,
        container: av.container.InputContainer,
        stream: av.video.stream.VideoStream,
        name: str,
    ) -> None:
        self.container = container
        self.stream = stream
        self.name = name
        self._packets: Iterator[Packet] = container.demux(stream)

    def read(self) -> Pixels | None:
        import av.error

        failures = 0
        while True:
            try:
                packet = next(self._packets)
            except (StopIteration, av.error.FFmpegError, OSError):
                return None  # closed, reset, or nothing within the read timeout
            try:
                frames = self.stream.codec_context.decode(packet)
            except av.error.FFmpegError:
                failures += 1
                if failures >= READ_TOLERANCE:
                    return None
                continue
            if frames:
                return to_pixels(frames[-1], self.name)

    def close(self) -> None:
        self.container.close()


def to_pixels(frame: av.video.frame.VideoFrame, name: str) -> Pixels:
    """A decoded picture as BGR, or `SourceGone("unsupported")` for one that cannot be shown."""
    format_name = frame.format.name
    if format_name not in PIXEL_FORMATS:
        raise SourceGone(
            "unsupported", f"{name} sends pictures in pixel format {format_name}, not shown"
        )
    if not (0 < frame.width <= MAX_SIDE and 0 < frame.height <= MAX_SIDE):
        raise SourceGone(
            "unsupported", f"{name} sends {frame.width}x{frame.height} pictures, not shown"
        )
    try:
        pixels = frame.to_ndarray(format="bgr24")
    except Exception:  # a conversion FFmpeg refuses after all: the picture is not shown
        raise SourceGone(
            "unsupported", f"{name}: pictures in pixel format {format_name} cannot be converted"
        ) from None
    return np.ascontiguousarray(pixels, dtype=np.uint8)

"""A real RTSP camera on 127.0.0.1: GStreamer's RTSP server, run with the system python3.

    /usr/bin/python3 tests/support/rtsp_server.py --frame scene.png [--port N] [--fps 10]
        [--user U --password P --auth basic|digest] [--stamp]

The venv has no GStreamer bindings (`gi` comes from Debian's python3-gi), so this file
imports nothing but the standard library and `gi`, and tests drive it as a subprocess
through `tests.support.rtsp_camera.RtspCamera`.

It is a live camera, not a file player: an `appsrc` is fed in real time from the PNG
frames given, so stopping the feed is a camera that hangs with the session open, and
replacing the frames by frames of another size is a camera that changes resolution
mid-stream (the encoder starts a new sequence, as a camera does). With `--stamp` each
frame carries its capture time in its top-left corner (`stamp.py`), so a client can
measure capture-to-decoded latency from the pixels alone.

Mounts: `/h264` (H.264, 8-bit 4:2:0), `/h264-10bit` (High 10: an unexpected pixel
format), `/mjpeg` (RTP/JPEG), `/x-gst` (a GStreamer-only payload no FFmpeg decodes).

Protocol: prints `ready PORT` once serving, then one line per event: `client` for each
connection, `setup TRANSPORT` for each SETUP request. Reads commands on stdin, one per
line, answering `ok`: `stall`, `resume`, `frames PNG [PNG...]`, `quit`.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import gi
import stamp  # tests/support/stamp.py: this script's folder is first on sys.path

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

SOURCE = "appsrc name=src is-live=true format=time ! videoconvert"
X264 = "x264enc tune=zerolatency speed-preset=ultrafast key-int-max={fps}"
I420 = "video/x-raw,format=I420"
MOUNTS = {
    "/h264": f"{SOURCE} ! {I420} ! {X264} ! rtph264pay name=pay0 pt=96",
    "/h264-10bit": f"{SOURCE} ! video/x-raw,format=I420_10LE ! {X264} ! rtph264pay name=pay0 pt=96",
    "/mjpeg": f"{SOURCE} ! {I420} ! jpegenc quality=90 ! rtpjpegpay name=pay0 pt=26",
    "/x-gst": f"{SOURCE} ! {I420} ! {X264} ! rtpgstpay name=pay0 pt=96",
}


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class Picture:
    """One decoded BGR frame."""

    def __init__(self, width: int, height: int, data: bytes) -> None:
        self.width = width
        self.height = height
        self.data = data


def load_png(path: str) -> Picture:
    """Decode a PNG to BGR with GStreamer itself (the system python has no numpy or cv2)."""
    pipeline = Gst.parse_launch(
        f'filesrc location="{path}" ! pngdec ! videoconvert ! video/x-raw,format=BGR ! '
        "appsink name=sink sync=false"
    )
    sink = pipeline.get_by_name("sink")
    pipeline.set_state(Gst.State.PLAYING)
    sample = sink.emit("try-pull-sample", 10 * Gst.SECOND)
    pipeline.set_state(Gst.State.NULL)
    if sample is None:
        raise SystemExit(f"cannot decode {path}")
    structure = sample.get_caps().get_structure(0)
    width, height = structure.get_value("width"), structure.get_value("height")
    buffer = sample.get_buffer()
    data = buffer.extract_dup(0, buffer.get_size())
    stride = len(data) // height
    rows = b"".join(data[y * stride : y * stride + width * 3] for y in range(height))
    return Picture(width, height, rows)


class Camera:
    """What every connected client's feed shows: the frames, and whether they flow."""

    def __init__(self, frames: list[Picture], fps: int, stamp: bool) -> None:
        self.frames = frames
        self.fps = fps
        self.stamp = stamp
        self.flowing = threading.Event()
        self.flowing.set()

    def picture(self, count: int) -> tuple[Picture, bytes]:
        frames = self.frames
        picture = frames[count % len(frames)]
        if not self.stamp:
            return picture, picture.data
        data = bytearray(picture.data)
        stamp.write(data, picture.width, stamp.now_ms())
        return picture, bytes(data)


class Feeder(threading.Thread):
    """Pushes frames into one media's appsrc in real time until the media goes away.

    Frames flow from the start: the server needs the first ones to describe the stream.
    They are timestamped here, and only while the media is PLAYING (appsrc's
    do-timestamp stamped the frames of the preparation with a clock not yet started, and
    about one session in twenty then waited for that time and sent nothing).
    """

    def __init__(self, camera: Camera, source: Gst.Element) -> None:
        super().__init__(daemon=True)
        self.camera = camera
        self.source = source
        self.size: tuple[int, int] | None = None
        self.gone = threading.Event()
        self.playing = threading.Event()

    def run(self) -> None:
        period = 1.0 / self.camera.fps
        due = time.monotonic()
        count = 0
        while not self.gone.is_set():
            if not self.camera.flowing.wait(0.1):
                continue
            picture, data = self.camera.picture(count)
            if self.size != (picture.width, picture.height):
                self.size = (picture.width, picture.height)
                caps = Gst.Caps.from_string(
                    f"video/x-raw,format=BGR,width={picture.width},height={picture.height},"
                    f"framerate={self.camera.fps}/1"
                )
                self.source.set_property("caps", caps)
            buffer = Gst.Buffer.new_allocate(None, len(data), None)
            buffer.fill(0, data)  # a copy: a wrapped Python object may be freed under GStreamer
            clock = self.source.get_clock()
            if self.playing.is_set() and clock is not None:
                buffer.pts = clock.get_time() - self.source.get_base_time()
                buffer.duration = Gst.SECOND // self.camera.fps
            self.source.emit("push-buffer", buffer)
            count += 1
            due = max(due + period, time.monotonic() - period)
            time.sleep(max(0.0, due - time.monotonic()))


def serve(arguments: argparse.Namespace) -> None:
    Gst.init(None)
    camera = Camera([load_png(path) for path in arguments.frame], arguments.fps, arguments.stamp)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(arguments.port))
    permissions = None
    if arguments.user:
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string("media.factory.role", "viewer")
        if arguments.auth == "digest":
            auth.add_digest(arguments.user, arguments.password, token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        else:
            auth.add_basic(
                GstRtspServer.RTSPAuth.make_basic(arguments.user, arguments.password), token
            )
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_role_from_structure(
            Gst.Structure.from_string(
                "viewer, media.factory.access=(boolean)true, media.factory.construct=(boolean)true"
            )[0]
        )
    mounts = server.get_mount_points()
    for path, launch in MOUNTS.items():
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(f"( {launch.format(fps=arguments.fps)} )")
        if permissions is not None:
            factory.set_permissions(permissions)
        factory.connect("media-configure", on_media, camera)
        mounts.add_factory(path, factory)
    server.connect("client-connected", on_client)
    if server.attach(None) == 0:
        raise SystemExit(f"cannot listen on 127.0.0.1:{arguments.port}")
    loop = GLib.MainLoop()
    threading.Thread(target=commands, args=(camera, loop), daemon=True).start()
    say(f"ready {server.get_bound_port()}")
    loop.run()


def on_media(
    factory: GstRtspServer.RTSPMediaFactory, media: GstRtspServer.RTSPMedia, camera: Camera
) -> None:
    feeder = Feeder(camera, media.get_element().get_by_name("src"))
    media.connect("unprepared", lambda _media: feeder.gone.set())
    media.connect("new-state", on_state, feeder)
    feeder.start()


def on_state(media: GstRtspServer.RTSPMedia, state: Gst.State, feeder: Feeder) -> None:
    (feeder.playing.set if state == Gst.State.PLAYING else feeder.playing.clear)()


def on_client(server: GstRtspServer.RTSPServer, client: GstRtspServer.RTSPClient) -> None:
    say("client")
    client.connect("setup-request", on_setup)


def on_setup(client: GstRtspServer.RTSPClient, context: GstRtspServer.RTSPContext) -> None:
    result, transport = context.request.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
    say(f"setup {transport if result == GstRtsp.RTSPResult.OK else '?'}")


def commands(camera: Camera, loop: GLib.MainLoop) -> None:
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "stall":
            camera.flowing.clear()
        elif words[0] == "resume":
            camera.flowing.set()
        elif words[0] == "frames":
            camera.frames = [load_png(path) for path in words[1:]]
        elif words[0] == "quit":
            break
        say("ok")
    loop.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--frame", action="append", required=True, help="a PNG frame (repeatable)")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--fps", type=int, default=10)
    parser.add_argument("--user", default="")
    parser.add_argument("--password", default="")
    parser.add_argument("--auth", choices=("basic", "digest"), default="basic")
    parser.add_argument("--stamp", action="store_true")
    serve(parser.parse_args())


if __name__ == "__main__":
    main()

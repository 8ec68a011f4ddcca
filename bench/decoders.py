"""Which decoder reads RTSP: OpenCV's FFmpeg backend or PyAV, measured on the same streams.

    python -m bench.decoders [--seconds 10]

Both decoders are FFmpeg underneath, so the comparison is about what each lets Veil
see and control. Against the real GStreamer RTSP camera of the tests (a live 640x360
10 fps feed of the bench frames, each carrying its capture time in its pixels), each
decoder reads each stream (H.264, RTP/JPEG) over each transport (TCP, UDP) in a
process of its own, so its CPU time is its own. Both get the same FFmpeg options: the
transport and small probe limits (`probesize` 32, `analyzeduration` 0; OpenCV only
takes them through the process-wide `OPENCV_FFMPEG_CAPTURE_OPTIONS`), plus one run
each with FFmpeg's defaults for the time to first frame. Then each meets the failures
a camera has: a wrong password, a refused port, an HTTP server where RTSP was
expected, a server that accepts and never answers, a codec FFmpeg cannot decode, and
a server killed mid-stream.

This is a study, not a budget: `make bench` does not run it. Its numbers are in the
commit that chose PyAV and in the README.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bench.frames import demo_frames
from tests.support import stamp
from tests.support.rtsp_camera import RtspCamera

TUNED = {"probesize": "32", "analyzeduration": "0"}
TIMEOUT = 3.0
OUT = Path(__file__).resolve().parent / "out"


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _open_pyav(url: str, options: dict[str, str]) -> Any:
    import av

    container = av.open(
        url,
        options={**options, "timeout": str(int(TIMEOUT * 1e6))},
        timeout=(TIMEOUT, TIMEOUT),
    )
    frames = container.decode(video=0)
    return container, lambda: next(frames).to_ndarray(format="bgr24")


def _open_opencv(url: str, options: dict[str, str]) -> Any:
    os.environ["OPENCV_FFMPEG_CAPTURE_OPTIONS"] = "|".join(f"{k};{v}" for k, v in options.items())
    import cv2

    millis = int(TIMEOUT * 1000)
    params = [cv2.CAP_PROP_OPEN_TIMEOUT_MSEC, millis, cv2.CAP_PROP_READ_TIMEOUT_MSEC, millis]
    capture = cv2.VideoCapture(url, cv2.CAP_FFMPEG, params)
    if not capture.isOpened():
        raise RuntimeError("VideoCapture.isOpened() is False")

    def read() -> Any:
        ok, pixels = capture.read()
        if not ok:
            raise RuntimeError("VideoCapture.read() returned False")
        return pixels

    return capture, read


OPENERS = {"opencv": _open_opencv, "pyav": _open_pyav}


def _import(decoder: str) -> None:
    """Load the decoder's module before the clock starts: both take about 0.15 s."""
    __import__({"opencv": "cv2", "pyav": "av"}[decoder])


def child_stream(decoder: str, url: str, options: dict[str, str], seconds: float) -> dict[str, Any]:
    """One decoder on one stream: time to first frame, latency per frame, CPU."""
    _import(decoder)
    started = time.monotonic()
    handle, read = OPENERS[decoder](url, options)
    read()
    first = time.monotonic() - started
    cpu, wall, ages = _cpu(), time.monotonic(), []
    while time.monotonic() - wall < seconds:
        ages.append(stamp.age(read()))
    elapsed = time.monotonic() - wall
    cpu_share = (_cpu() - cpu) / elapsed
    (handle.close if decoder == "pyav" else handle.release)()
    return {
        "first_frame_s": first,
        "frames": len(ages),
        "latency_median_ms": 1000 * statistics.median(ages),
        "latency_p95_ms": 1000 * sorted(ages)[int(0.95 * (len(ages) - 1))],
        "cpu_percent": 100 * cpu_share,
    }


def child_failure(decoder: str, url: str, options: dict[str, str]) -> dict[str, Any]:
    """One decoder meeting one failure: what it raised or returned, and after how long."""
    _import(decoder)
    started = time.monotonic()
    try:
        _, read = OPENERS[decoder](url, options)
        for _ in range(50):
            read()
        outcome = "frames keep coming"
    except Exception as error:
        outcome = f"{type(error).__module__}.{type(error).__name__}: {error}"
    return {"seconds": time.monotonic() - started, "outcome": outcome}


def _child(arguments: list[str], timeout: float = 60.0) -> dict[str, Any]:
    command = [sys.executable, "-m", "bench.decoders", "--child", json.dumps(arguments)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"outcome": f"still blocked after {timeout:.0f} s", "seconds": timeout}
    lines = done.stdout.strip().splitlines()
    result: dict[str, Any] = (
        json.loads(lines[-1]) if lines else {"outcome": f"exit {done.returncode}"}
    )
    logged = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    result["stderr"] = logged[-2:]
    return result


class _HttpAnswer(BaseHTTPRequestHandler):
    """An HTTP server where the camera should be: it answers RTSP's OPTIONS with HTML."""

    def handle_one_request(self) -> None:
        self.raw_requestline = self.rfile.readline(65537)
        self.wfile.write(b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<h1>no</h1>")
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


def _silent_server() -> tuple[socket.socket, int]:
    """Accepts connections (the kernel's backlog does) and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    return listener, listener.getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def study(seconds: float) -> dict[str, Any]:
    frames = demo_frames(OUT / "frames")
    results: dict[str, Any] = {
        "load_average_start": os.getloadavg()[0],
        "streams": [],
        "failures": [],
    }
    with RtspCamera(frames, stamp=True) as camera:
        for mount in ("h264", "mjpeg"):
            for transport in ("tcp", "udp"):
                for decoder in ("opencv", "pyav"):
                    options = {"rtsp_transport": transport, **TUNED}
                    row = _child(["stream", decoder, camera.url(mount), options, seconds])
                    row.update(decoder=decoder, stream=mount, transport=transport, probe="small")
                    results["streams"].append(row)
                    print(json.dumps(row), flush=True)
        for decoder in ("opencv", "pyav"):
            row = _child(["stream", decoder, camera.url("h264"), {"rtsp_transport": "tcp"}, 2.0])
            row.update(decoder=decoder, stream="h264", transport="tcp", probe="FFmpeg default")
            results["streams"].append(row)
            print(json.dumps(row), flush=True)
        results["failures"] += _failures(camera)
    results["load_average_end"] = os.getloadavg()[0]
    return results


def _failures(camera: RtspCamera) -> list[dict[str, Any]]:
    rows = []
    http = ThreadingHTTPServer(("127.0.0.1", 0), _HttpAnswer)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    silent, silent_port = _silent_server()
    with RtspCamera(camera.frames, user="viewer", password="right") as guarded:
        cases = {
            "wrong password": guarded.url("h264").replace("//", "//viewer:wrong@"),
            "refused port": f"rtsp://127.0.0.1:{_closed_port()}/h264",
            "HTTP server answering": f"rtsp://127.0.0.1:{http.server_address[1]}/h264",
            "accepts, never answers": f"rtsp://127.0.0.1:{silent_port}/h264",
            "undecodable codec (X-GST)": camera.url("x-gst"),
        }
        for case, url in cases.items():
            for decoder in ("opencv", "pyav"):
                row = _child(["failure", decoder, url, {"rtsp_transport": "tcp", **TUNED}])
                row.update(case=case, decoder=decoder)
                rows.append(row)
                print(json.dumps(row), flush=True)
    for decoder in ("opencv", "pyav"):
        rows.append(_killed_mid_stream(camera, decoder))
        print(json.dumps(rows[-1]), flush=True)
    http.shutdown()
    silent.close()
    return rows


def _killed_mid_stream(camera: RtspCamera, decoder: str) -> dict[str, Any]:
    """Kill the server two seconds into the stream; how long until the reader notices."""
    command = [sys.executable, "-m", "bench.decoders", "--child"]
    arguments = ["failure", decoder, camera.url("h264"), {"rtsp_transport": "tcp", **TUNED}]
    reader = subprocess.Popen(
        [*command, json.dumps(arguments)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(2.0)
    camera.kill()
    killed = time.monotonic()
    out, err = reader.communicate(timeout=60)
    noticed = time.monotonic() - killed
    camera.start()
    lines = out.strip().splitlines()
    row: dict[str, Any] = json.loads(lines[-1]) if lines else {"outcome": "no output"}
    row.update(case="server killed mid-stream", decoder=decoder, seconds=noticed)
    row["stderr"] = [line for line in err.splitlines() if line.strip()][-2:]
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        kind, *rest = json.loads(arguments.child)
        result = child_stream(*rest) if kind == "stream" else child_failure(*rest)
        print(json.dumps(result))
        return 0
    results = study(arguments.seconds)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "decoders.json").write_text(json.dumps(results, indent=1) + "\n")
    print(f"results: {OUT / 'decoders.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

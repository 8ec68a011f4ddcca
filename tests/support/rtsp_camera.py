"""Drive the real RTSP camera (`rtsp_server.py`, GStreamer under the system python3).

    with RtspCamera([scene_png], user="viewer", password="secret") as camera:
        url = camera.url("h264")      # rtsp://127.0.0.1:PORT/h264, no credentials in it
        camera.stall() / camera.resume() / camera.show([other_png])
        camera.kill(); camera.start()  # gone, then back on the same port

The server picks its own free port the first time (no race with other tests looking
for one) and keeps it across restarts, so a client's URL stays valid.
"""

from __future__ import annotations

import os
import queue
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

SYSTEM_PYTHON = "/usr/bin/python3"
"""Debian's python3: the one with GStreamer's bindings (python3-gi)."""
SCRIPT = Path(__file__).with_name("rtsp_server.py")
STARTUP = 20.0


class RtspServerError(Exception):
    """The server did not start or did not answer; the message carries its stderr."""


class RtspCamera:
    def __init__(
        self,
        frames: Sequence[Path],
        *,
        user: str = "",
        password: str = "",
        auth: str = "basic",
        fps: int = 10,
        stamp: bool = False,
    ) -> None:
        self.frames = [Path(frame) for frame in frames]
        self.options = ["--fps", str(fps), "--auth", auth]
        if user:
            self.options += ["--user", user, "--password", password]
        if stamp:
            self.options.append("--stamp")
        self.port = 0
        self.clients = 0
        """Connections the server accepted, over all its runs."""
        self.setups: list[str] = []
        """The Transport header of every SETUP the server received, in order."""
        self.errors: list[str] = []
        """The server's stderr lines (GStreamer and x264 warnings), for failure messages."""
        self._process: subprocess.Popen[str] | None = None
        self._replies: queue.Queue[str] = queue.Queue()

    def __enter__(self) -> RtspCamera:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.kill()

    def url(self, mount: str = "h264") -> str:
        return f"rtsp://127.0.0.1:{self.port}/{mount}"

    def start(self) -> None:
        """Start serving (again, on the same port once one was chosen)."""
        arguments = [SYSTEM_PYTHON, str(SCRIPT), "--port", str(self.port), *self.options]
        for frame in self.frames:
            arguments += ["--frame", str(frame)]
        self._replies = queue.Queue()
        self._process = subprocess.Popen(
            arguments,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "GST_DEBUG": "0"},
        )
        threading.Thread(target=self._read, args=(self._process,), daemon=True).start()
        threading.Thread(target=self._drain, args=(self._process,), daemon=True).start()
        ready = self._reply(STARTUP)
        if not ready.startswith("ready "):
            self.kill()
            raise RtspServerError(f"the RTSP server did not start: {ready}")
        self.port = int(ready.split()[1])

    def kill(self) -> None:
        """The camera drops off the network at once: SIGKILL, no goodbye to clients."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            process.kill()
            process.wait(10)
        if process is not None:
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    stream.close()

    def stall(self) -> None:
        """Frames stop; the sessions stay open, as with a camera that hangs."""
        self._command("stall")

    def resume(self) -> None:
        self._command("resume")

    def show(self, frames: Sequence[Path]) -> None:
        """Switch to other frames (another resolution is a new encoded sequence)."""
        self._command("frames " + " ".join(str(frame) for frame in frames))

    def _command(self, line: str) -> None:
        process = self._process
        if process is None or process.stdin is None:
            raise RtspServerError("the RTSP server is not running")
        process.stdin.write(line + "\n")
        process.stdin.flush()
        reply = self._reply(10.0)
        if reply != "ok":
            raise RtspServerError(f"the RTSP server answered {reply!r} to {line!r}")

    def _reply(self, timeout: float) -> str:
        try:
            return self._replies.get(timeout=timeout)
        except queue.Empty:
            detail = " / ".join(self.errors[-5:])
            raise RtspServerError(
                f"no answer from the RTSP server in {timeout}s: {detail}"
            ) from None

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        try:
            for line in process.stdout:
                text = line.rstrip("\n")
                if text == "client":
                    self.clients += 1
                elif text.startswith("setup "):
                    self.setups.append(text[6:])
                else:
                    self._replies.put(text)
        except ValueError:  # closed by kill()
            pass
        self._replies.put("exited: " + " / ".join(self.errors[-5:]))

    def _drain(self, process: subprocess.Popen[str]) -> None:
        """Read stderr as it comes: a full pipe would block the server mid-stream."""
        assert process.stderr is not None
        try:
            for line in process.stderr:
                self.errors.append(line.rstrip("\n"))
        except ValueError:
            pass

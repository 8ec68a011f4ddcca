"""The encoded stream: its shape and codec, and which codecs this machine can write."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from dataclasses import dataclass

from console.core.evidence.formats import ExportFormat


@functools.cache
def h264_available() -> bool:
    """Whether this OpenCV build can open an H.264 ('avc1') MP4 writer.

    Probed once, in a child process: a failing encoder probe prints the codec library's
    complaints straight to file descriptor 2, which would scribble over a Textual
    screen, and an unusual hardware encoder may even crash.
    """
    probe = (
        "import sys, tempfile, os, cv2\n"
        "d = tempfile.mkdtemp()\n"
        "p = os.path.join(d, 'probe.mp4')\n"
        "w = cv2.VideoWriter(p, cv2.VideoWriter_fourcc(*'avc1'), 10, (64, 48))\n"
        "ok = w.isOpened()\n"
        "w.release()\n"
        "for n in os.listdir(d): os.unlink(os.path.join(d, n))\n"
        "os.rmdir(d)\n"
        "sys.exit(0 if ok else 1)\n"
    )
    env = dict(os.environ, OPENCV_FFMPEG_LOGLEVEL="-8", OPENCV_LOG_LEVEL="SILENT")
    try:
        done = subprocess.run(
            [sys.executable, "-c", probe], env=env, capture_output=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@dataclass(frozen=True, slots=True)
class Output:
    """The encoded stream's shape, fixed by the first segment of the range."""

    format: ExportFormat
    fps: float
    width: int
    height: int

    @property
    def size(self) -> tuple[int, int]:
        if self.format == "png":
            return (self.width, self.height)
        return (self.width & ~1, self.height & ~1)  # 4:2:0 video needs even sides

    @property
    def codec(self) -> str:
        if self.format == "avi":
            return "MJPG"
        if self.format == "mp4":
            return "avc1" if h264_available() else "mp4v"
        return "png"

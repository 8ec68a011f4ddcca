"""The encoded stream: its shape, and the codec each export format is written with.

MP4 exports are H.264 (yuv420p, moov atom first), which browsers and stock players on
every platform open; the encoder is libx264 from PyAV's bundled FFmpeg, so the result is
the same on every machine Veil is installed on. AVI exports stay MJPEG (every frame a
picture, for tools that step through stills) and PNG exports stay lossless stills.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.core.evidence.formats import ExportFormat

X264_PRESET = "veryfast"
"""libx264's speed/size trade-off: an export of a shift's footage finishes in minutes on
a small NVR box, and the file is only a little larger than `medium`'s."""
X264_CRF = 23
"""libx264's own default quality: visually clean at surveillance resolutions. Masks are
burned in before encoding, so no quality setting can bring a masked pixel back."""


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
        """The codec's name as `ffprobe` reports it, for the manifest."""
        if self.format == "avi":
            return "mjpeg"
        if self.format == "mp4":
            return "h264"
        return "png"

"""Veil: a terminal operator console for video-surveillance privacy masking."""

__version__ = "0.1.0"

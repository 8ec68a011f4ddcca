"""The reference tools: Debian's chafa, libsixel-bin (img2sixel) and ffmpeg."""

from __future__ import annotations

import os
import shutil
import subprocess

PACKAGES = {"chafa": "chafa", "img2sixel": "libsixel-bin", "ffmpeg": "ffmpeg"}
"""Command -> Debian package that provides it."""


def ensure_tools() -> dict[str, str]:
    """Install missing tools with apt-get when running as root; return command -> problem."""
    missing = [command for command in PACKAGES if shutil.which(command) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        packages = sorted({PACKAGES[command] for command in missing})
        print(f"bench: installing {' '.join(packages)} with apt-get", flush=True)
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=environment, **quiet)
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
        subprocess.run(install, check=False, env=environment, **quiet)
    return {
        command: f"{command} is missing: sudo apt-get install {PACKAGES[command]}"
        for command in PACKAGES
        if shutil.which(command) is None
    }

"""Where Veil finds its site file and keeps its data.

Precedence, highest first: command-line flag, environment (`VEIL_SITE`, `VEIL_DATA_DIR`,
`VEIL_CONFIG_DIR`), then the platform's directories from platformdirs. The site file
defaults to the machine-wide site config dir (where an administrator installs it), then
the user config dir.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from console.core.site.private import private_dir
from console.core.site.scratch import throwaway_dir

APP_NAME = "veil"
DEMO_SITE = Path(__file__).resolve().parents[2] / "demo" / "site.toml"
"""The bundled demo site: package data, so it is there wherever Veil is installed."""


class DataDirError(Exception):
    """The data directory cannot be created or written."""


@dataclass(frozen=True, slots=True)
class Paths:
    """Resolved locations for one run of the console or a CLI command."""

    site: Path | None
    config_dir: Path
    data_dir: Path

    @property
    def users_db(self) -> Path:
        return self.data_dir / "veil.db"

    @property
    def audit_db(self) -> Path:
        return self.data_dir / "audit.db"

    @property
    def export_key(self) -> Path:
        """The site's private Ed25519 key that signs every export (`veil keys init`)."""
        return self.data_dir / "export-key.pem"

    @property
    def exports_dir(self) -> Path:
        return self.data_dir / "exports"

    @property
    def logs_dir(self) -> Path:
        return self.data_dir / "logs"


def resolve_paths(
    site: str | Path | None = None,
    data_dir: str | Path | None = None,
    env: Mapping[str, str] = os.environ,
) -> Paths:
    """Apply the precedence rules; nothing is created here."""
    config_dir = Path(
        env.get("VEIL_CONFIG_DIR") or platformdirs.user_config_path(APP_NAME, appauthor=False)
    )
    chosen_site: Path | None = None
    if site is not None:
        chosen_site = Path(site)
    elif env.get("VEIL_SITE"):
        chosen_site = Path(env["VEIL_SITE"])
    else:
        for candidate in (
            platformdirs.site_config_path(APP_NAME, appauthor=False) / "site.toml",
            config_dir / "site.toml",
        ):
            if candidate.is_file():
                chosen_site = candidate
                break
    data = Path(
        data_dir
        or env.get("VEIL_DATA_DIR")
        or platformdirs.user_data_path(APP_NAME, appauthor=False)
    )
    return Paths(chosen_site, config_dir, data)


def demo_paths() -> Paths:
    """A throw-away data dir for `veil --demo`, so demo users never mix with a real site.

    It is removed when the console ends, however it ends (see `scratch`): a demo's users,
    audit trail and exports are not worth keeping, and a folder per run would pile up.
    """
    scratch = throwaway_dir("veil-demo-")
    return Paths(DEMO_SITE, scratch / "config", scratch / "data")


def ensure_data_dir(paths: Paths) -> None:
    """Create the data dir (0700, see `private`) and prove it is writable, or raise
    DataDirError saying why."""
    try:
        private_dir(paths.data_dir)
        with tempfile.NamedTemporaryFile(dir=paths.data_dir, prefix=".probe-"):
            pass
    except OSError as error:
        reason = error.strerror or str(error)
        raise DataDirError(
            f"data directory {paths.data_dir} is not writable ({reason}). "
            "Point --data-dir or VEIL_DATA_DIR at a writable folder."
        ) from None

"""Subcommands of `veil`, one module each; each exposes `register(subparsers)`.

`veil` builds its whole parser, so every verb module is imported on every start, while
only one verb runs. A verb module therefore imports at top level only what `register`
needs (argparse, light standard-library modules, the helpers in this package); its
handlers import the core modules and libraries they use when they run, and names used
only in annotations come in under `if TYPE_CHECKING:`. Otherwise `veil render` would
load the audit database, the keyring, the export and login stacks it never uses, and
its start-up time is part of what it is measured on (wall time against chafa).
`tests/core/test_verb_imports.py` holds every verb to this.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from console.verbs import (
    anchor,
    audit,
    credential,
    db,
    deploy,
    export,
    keys,
    lifts,
    masks,
    render,
    search,
    site,
    still,
    user,
    verify_export,
)

Register = Callable[["argparse._SubParsersAction[Any]"], None]

VERBS: tuple[Register, ...] = (
    site.register,
    still.register,
    masks.register,
    render.register,
    export.register,
    search.register,
    verify_export.register,
    keys.register,
    user.register,
    audit.register,
    lifts.register,
    anchor.register,
    credential.register,
    db.register,
    deploy.register,
)
"""Every subcommand, in the order `veil --help` lists them."""

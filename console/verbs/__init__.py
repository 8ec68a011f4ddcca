"""Subcommands of `veil`, one module each; each exposes `register(subparsers)`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from console.verbs import audit, credential, export, render, site, still, user

Register = Callable[["argparse._SubParsersAction[Any]"], None]

VERBS: tuple[Register, ...] = (
    site.register,
    still.register,
    render.register,
    export.register,
    user.register,
    audit.register,
    credential.register,
)
"""Every subcommand, in the order `veil --help` lists them."""

"""Subcommands of `veil`, one module each; each exposes `register(subparsers)`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from console.verbs import site, still

Register = Callable[["argparse._SubParsersAction[Any]"], None]

VERBS: tuple[Register, ...] = (site.register, still.register)
"""Every subcommand, in the order `veil --help` lists them."""

"""`python -m console` is the same as `veil`."""

from console.cli import entry

entry()

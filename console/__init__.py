"""Veil: a terminal operator console for video-surveillance privacy masking."""

import logging

__version__ = "0.1.0"

# Modules log under "console"; only the console itself writes a log (console.verbs.logs).
# Without a handler, Python would print warnings to stderr, over a verb's output.
logging.getLogger(__name__).addHandler(logging.NullHandler())

"""The console's log: what a console did, for its administrator, in ``logs/`` of the data dir.

The audit is the record of who saw what; this log is how an administrator finds out
what a console went through: its start and end, every audit record written or refused
(logins, logouts, lifts and their end, exports), and each camera source going live,
being lost, reconnecting or failing. Modules log to their own `logging` logger under
``console``; `open_console_log` configures it once, when the console starts
(`console.verbs.run`). Other verbs leave it unconfigured, and the package's
`NullHandler` (`console/__init__.py`) keeps their logging off the terminal.

What goes in, and what never does:

- one line per event, UTC, with every control character made visible
  (`console.text.visible`), so a name holding a newline cannot forge a line;
- no secret: no password (failed logins name a user only when the name is one,
  `UserStore.recorded_name`), no camera credential (URLs are logged redacted), no lift
  reason (it may name a person; the audit keeps it);
- files ``console.log``, ``console.log.1``.. rotated at `MAX_BYTES`, created 0600 in a
  0700 folder, as the databases are. Consoles sharing a data dir share the file; a
  rotation by one may leave another writing to the renamed file until it rotates too.

A log that cannot be written costs the console nothing: the console says so once on
stderr before it starts, and a write that fails later (a full disk) is dropped rather
than printed over the console's screen.
"""

from __future__ import annotations

import io
import logging
import os
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from console.text import visible
from console.verbs.output import say

LOGGER = "console"
"""The logger every Veil module logs under (`logging.getLogger(__name__)`)."""
FILE = "console.log"
MAX_BYTES = 1024 * 1024
"""A file is rotated at this size."""
BACKUPS = 5
"""Rotated files kept besides the current one."""
FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


class OneLineFormatter(logging.Formatter):
    """UTC times, and every line one line: control characters (newlines too) visible."""

    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"

    def __init__(self) -> None:
        super().__init__(FORMAT)
        self.converter = time.gmtime

    def format(self, record: logging.LogRecord) -> str:
        return visible(super().format(record))


class PrivateRotatingFileHandler(RotatingFileHandler):
    """Rotating files created 0600, that never print their own failures."""

    def _open(self) -> io.TextIOWrapper:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a file made by an older version, or by hand
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115

    def handleError(self, record: logging.LogRecord) -> None:
        """Drop the line: logging's default prints a traceback, onto the console's screen."""

    def emit(self, record: logging.LogRecord) -> None:
        """Write the line and close the file again, as the audit does with its database:
        a file held open for writing keeps the data dir's disk from being remounted
        read-only under a running console (and the audit then from refusing lifts)."""
        super().emit(record)
        if self.stream is not None:
            self.stream.close()
            self.stream = None


def open_console_log(logs_dir: Path) -> logging.Handler | None:
    """Log the ``console`` loggers to `logs_dir` from now on; `close_console_log` ends it.

    Returns the handler, or None (having said why on stderr) when the log cannot be opened.
    """
    try:
        logs_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        logs_dir.chmod(0o700)
        handler = PrivateRotatingFileHandler(
            logs_dir / FILE, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    except OSError as error:
        say(f"veil: cannot write a log in {logs_dir} ({error.strerror or error})", err=True)
        return None
    handler.setFormatter(OneLineFormatter())
    logger = logging.getLogger(LOGGER)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # nothing to the root logger, which may print to the terminal
    return handler


def close_console_log(handler: logging.Handler | None) -> None:
    """Stop logging to the file `open_console_log` opened (None: there was none)."""
    if handler is None:
        return
    logger = logging.getLogger(LOGGER)
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)
    logger.propagate = True
    handler.close()

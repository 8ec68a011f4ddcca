"""Throw-away folders that vanish when the process that made them ends, however it ends.

`veil --demo` keeps its users, audit trail and exports in a fresh temporary folder, and
must not leave one behind per run. A `finally` or an atexit hook is not enough: after a
hang-up the session guard ends the console with `os._exit` (no cleanup runs), and SIGKILL
or a crash in native code run nothing at all. So the folder is handed to a small watcher
process in a session of its own (the terminal's hang-up does not reach it). It waits on a
pipe whose only writer is the process that made the folder, and removes the folder when
the pipe reports end of file: the kernel closes that pipe however the process ends.

The write end is not inheritable (Python's default), so no program the console starts can
keep the folder alive by holding it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_watchers: list[tuple[subprocess.Popen[bytes], int]] = []
"""Each watcher and the write end it waits on, held open for as long as this process lives."""


def throwaway_dir(prefix: str) -> Path:
    """A new private temporary folder, removed soon after this process ends."""
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    read_end, write_end = os.pipe()
    try:
        watcher = subprocess.Popen(
            [sys.executable, "-m", __name__, str(folder)],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except BaseException:
        os.close(write_end)
        shutil.rmtree(folder, ignore_errors=True)
        raise
    finally:
        os.close(read_end)
    _watchers.append((watcher, write_end))
    return folder


def _remove_when_stdin_closes(folder: Path) -> None:
    sys.stdin.buffer.read()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    _remove_when_stdin_closes(Path(sys.argv[1]))

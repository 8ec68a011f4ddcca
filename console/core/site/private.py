"""Folders and files only the console's own account may open.

The data dir holds scrypt hashes (`veil.db`), the audit trail and, later, signing keys.
Anyone else on the machine who can read them can guess passwords offline or read who
watched what, and anyone who can write them can forge history. So the data dir is 0700
and every database and key file in it 0600, whatever the umask of whoever started the
console. Modes are given when a file is created (never created loose, then tightened),
and a folder or file found looser than that (made by an older Veil, or by hand) is
tightened when the account owning it opens it.

SQLite creates a database's `-wal`, `-shm` and `-journal` files with the database file's
own mode, so creating the database file 0600 before SQLite first opens it keeps those
private too; left-over ones are tightened with it.
"""

from __future__ import annotations

import os
import stat
from contextlib import suppress
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")
"""Files SQLite keeps beside a database, with the same contents' secrecy."""


def private_dir(path: Path) -> None:
    """Create `path` (and missing parents, with the default mode) as a 0700 folder, or
    tighten an existing one. Raises `OSError` when that cannot be done."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    tighten(path, DIR_MODE)


def private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it is missing, else tighten it.

    `O_EXCL` and `O_NOFOLLOW` make creation safe against a file or link planted there
    at the same moment: whatever is there already is only tightened, never followed.
    A file root creates in a folder belonging to another account (an administrator's
    `sudo veil user add` in the `veil` account's data dir) is given to that account, as
    SQLite does with its `-wal` files, so the console is not locked out of its own data.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        handle = os.open(path, flags, FILE_MODE)
    except FileExistsError:
        tighten(path, FILE_MODE)
        return
    try:
        folder = path.parent.stat()
        if os.geteuid() == 0 and folder.st_uid != 0:
            os.fchown(handle, folder.st_uid, folder.st_gid)
    finally:
        os.close(handle)


def private_database(path: Path) -> None:
    """A SQLite database and the files SQLite keeps beside it, private (see above)."""
    private_dir(path.parent)
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        # Another process's SQLite deletes these when its last connection closes, at any
        # moment: one gone is one that needs no tightening.
        with suppress(FileNotFoundError):
            tighten(path.with_name(path.name + suffix), FILE_MODE)


def tighten(path: Path, mode: int) -> None:
    """Take away every permission beyond `mode` from a folder or file this account owns.

    One owned by someone else (root's, read by an administrator's `veil audit show`) is
    left alone: changing it is not ours to do, and reading it must still work. So is one
    that cannot be changed (a read-only disk): refusing to read it would not make it any
    less readable to others, only stop the console.
    """
    found = path.stat()
    loose = stat.S_IMODE(found.st_mode) & ~mode
    if loose and found.st_uid == os.geteuid():
        with suppress(OSError):
            path.chmod(stat.S_IMODE(found.st_mode) & mode)

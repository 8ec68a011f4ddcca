"""A real PostgreSQL server for the tests and the benchmark: initdb + pg_ctl in a temp dir.

initdb and postgres refuse to run as root, and the tests run as root (CI does), so the
server runs as a system account made for it (`ACCOUNT`, reused when it exists; useradd
needs root). It listens on a Unix socket only, in its own temporary folder, so servers
of tests running at the same time on one machine never meet, and nothing listens on a
port. Authentication is scram-sha-256 even on the socket, so the tests exercise the
password path a site uses: the passwords are in a PGPASSFILE (0600) that this module
writes and points ``PGPASSFILE`` at, which libpq reads for every connection, in the test
process and in every process it starts.

Every test gets a database of its own (`PostgresServer.database`), made with
`veil db init` semantics (`console.core.storage.migrations`), so tests never share rows.
The roles are the server's, shared by its databases: the owner and the console role.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg

from console.core.storage import migrations

BIN = Path("/usr/lib/postgresql/15/bin")
"""Debian's PostgreSQL 15 (package postgresql-15; not on PATH)."""
ACCOUNT = "veil-pgtest"
"""The system account the test servers run as."""
SUPERUSER = "postgres"
OWNER = "veil_owner"
CONSOLE = "veil-console"


def _account() -> pwd.struct_passwd:
    """The server's account, made when missing (another test run may be making it too)."""
    try:
        return pwd.getpwnam(ACCOUNT)
    except KeyError:
        pass
    if os.geteuid() != 0:
        raise RuntimeError("starting PostgreSQL as another account needs root (CI runs as root)")
    subprocess.run(
        ["useradd", "--system", "--user-group", "--no-create-home",
         "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", ACCOUNT],
        capture_output=True, timeout=30,
    )  # fmt: skip
    return pwd.getpwnam(ACCOUNT)


@dataclass
class PostgresServer:
    folder: Path
    socket_dir: Path
    data: Path
    passfile: Path
    password: str
    """The superuser's and the console role's password (they are in `passfile`)."""

    def url(self, user: str = CONSOLE, database: str = "postgres") -> str:
        """A libpq URL for `user` on the socket; no password in it."""
        return f"postgresql://{quote(user)}@/{database}?host={quote(str(self.socket_dir), safe='')}"

    def admin(self, database: str = "postgres") -> psycopg.Connection[tuple[object, ...]]:
        return psycopg.connect(self.url(SUPERUSER, database), autocommit=True)

    def database(self) -> str:
        """A new database with the Veil schema and roles in place; its console URL."""
        name = f"veil_{secrets.token_hex(6)}"
        with self.admin() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        with self.admin(name) as connection:
            migrations.create_roles(connection, OWNER, CONSOLE)
            migrations.upgrade(connection, OWNER, CONSOLE)
        return self.url(CONSOLE, name)

    def pg_ctl(self, *argv: str) -> None:
        subprocess.run(
            ["runuser", "-u", ACCOUNT, "--", str(BIN / "pg_ctl"), "-D", str(self.data),
             "-w", "-t", "60", *argv],
            check=True, capture_output=True, timeout=90,
        )  # fmt: skip

    def stop(self) -> None:
        self.pg_ctl("stop", "-m", "fast")

    def start(self) -> None:
        self.pg_ctl("start", "-l", str(self.folder / "server.log"), "-o", self._options())

    def _options(self) -> str:
        # fsync off: the tests prove behaviour, not durability across power cuts, and
        # the machine is shared; the benchmark turns it back on (`durable`).
        return f"-k {self.socket_dir} -c listen_addresses='' -c max_connections=100"


@contextmanager
def running_server(durable: bool = False) -> Iterator[PostgresServer]:
    """Start a fresh server; stop it and remove everything afterwards."""
    account = _account()
    folder = Path(tempfile.mkdtemp(prefix="veil-pg-"))
    folder.chmod(0o755)
    os.chown(folder, account.pw_uid, account.pw_gid)
    password = secrets.token_urlsafe(18)
    pwfile = folder / "pw"
    pwfile.write_text(password + "\n")
    os.chown(pwfile, account.pw_uid, account.pw_gid)
    pwfile.chmod(0o600)
    socket_dir = folder / "socket"
    socket_dir.mkdir()
    os.chown(socket_dir, account.pw_uid, account.pw_gid)
    data = folder / "data"
    subprocess.run(
        ["runuser", "-u", ACCOUNT, "--", str(BIN / "initdb"), "-D", str(data),
         "-U", SUPERUSER, "--pwfile", str(pwfile), "--auth=scram-sha-256",
         "--no-sync", "-E", "UTF8", "--locale=C"],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    pwfile.unlink()
    if not durable:
        with (data / "postgresql.conf").open("a") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
    passfile = Path(tempfile.mkdtemp(prefix="veil-pgpass-")) / "pgpass"
    passfile.write_text(f"*:*:*:{SUPERUSER}:{password}\n*:*:*:{CONSOLE}:{password}\n")
    passfile.chmod(0o600)
    server = PostgresServer(folder, socket_dir, data, passfile, password)
    before = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(passfile)
    try:
        server.start()
        with server.admin() as connection:
            migrations.create_roles(connection, OWNER, CONSOLE)
            connection.execute(
                psycopg.sql.SQL("ALTER ROLE {} PASSWORD {}").format(
                    psycopg.sql.Identifier(CONSOLE), psycopg.sql.Literal(password)
                )
            )
        yield server
    finally:
        if before is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = before
        for _ in range(2):
            try:
                server.stop()
                break
            except subprocess.CalledProcessError:
                time.sleep(0.5)  # stopped by a fault test and starting again
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(passfile.parent, ignore_errors=True)

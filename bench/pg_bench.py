"""The shared PostgreSQL audit: appends per second from 4 writer processes, and the time
`AuditLog.verify` takes over 100,000 records (issue 14: >= 300 appends/s, <= 2 s).

The server is a real one started for the run (`tests.support.postgres_server`) with
fsync on, as a site runs it: each append is one committed, durable transaction. These
are absolute goals from the issue, not ratios: no reference tool appends to a Veil chain.

    python -m bench.pg_bench
"""

from __future__ import annotations

import subprocess
import sys
import time

from bench.table import Row, print_table
from console.core.audit.trail import GENESIS_HASH, AuditLog, Event, canonical_details, record_hash
from console.core.storage.postgres import PostgresDatabase
from tests.support.postgres_server import running_server

WRITERS = 4
APPENDS = 500
"""Per writer."""
VERIFIED = 100_000
BATCH = 500
"""Records filled per transaction."""

_WRITER = """
import sys
from console.core.audit.trail import AuditLog, Event
from console.core.storage.postgres import PostgresDatabase
log = AuditLog(PostgresDatabase(sys.argv[1]))
for index in range(int(sys.argv[2])):
    log.append(Event.LOGIN_OK, operator="bench", details={"n": index})
"""


def _append_rate(url: str) -> float:
    started = time.perf_counter()
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, url, str(APPENDS)]) for _ in range(WRITERS)
    ]
    if any(writer.wait(timeout=600) for writer in writers):
        raise RuntimeError("a writer failed")
    return WRITERS * APPENDS / (time.perf_counter() - started)


def _fill(url: str, count: int) -> None:
    """`count` records, linked as `AuditLog` links them, through the same insert trigger,
    `BATCH` to a transaction: the trigger rewrites the high-water row at every insert,
    and one transaction of 100,000 would leave a chain of row versions no one can prune
    while it runs, each insert walking it (minutes, and nothing a console ever does)."""
    database = PostgresDatabase(url)
    details = canonical_details({"n": 1})
    while count > 0:
        with database.write("audit") as connection:
            seq = database.high_water(connection, "audit")
            last = connection.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
            prev = str(last[0]) if last else GENESIS_HASH
            for _ in range(min(count, BATCH)):
                seq += 1
                fields = (seq, "2026-01-01T00:00:00Z", str(Event.LOGIN_OK), "bench", "", "",
                          "ok", details, prev)  # fmt: skip
                prev = record_hash(*fields)
                connection.execute(
                    "INSERT INTO audit (seq, time, event, operator, authorizer, reason, "
                    "outcome, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*fields, prev),
                )
        count -= BATCH
    database.close()


def rows() -> list[Row]:
    try:
        with running_server(durable=True) as server:
            url = server.database()
            rate = _append_rate(url)
            log = AuditLog(PostgresDatabase(url))
            _fill(url, VERIFIED - len(log.records()))
            started = time.perf_counter()
            result = log.verify()
            verify = time.perf_counter() - started
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:
        return [Row("PostgreSQL audit", "", "", None, "", None, note=str(error))]
    return [
        Row(f"PostgreSQL audit appends ({WRITERS} writers)", f"{rate:.0f}/s", "", rate,
            ">= 300/s", rate >= 300),
        Row(f"PostgreSQL audit verify ({result.records} records)", f"{verify:.2f} s", "",
            verify, "<= 2 s", result.ok and result.records == VERIFIED and verify <= 2.0),
    ]  # fmt: skip


if __name__ == "__main__":
    print_table(rows())

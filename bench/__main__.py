"""Run every benchmark, print one table and write bench/out/results.json.

Exit status 1 when a measured row is over its budget. Rows that cannot be measured (a
missing tool) are listed with the reason and do not fail the run.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from bench import (
    app_bench,
    export_bench,
    graphics_bench,
    pg_bench,
    render_bench,
    rtsp_bench,
    search_bench,
    sixel_bench,
)
from bench.frames import demo_frames
from bench.table import Row, print_table, write_json
from bench.tools import ensure_tools

OUT = Path(__file__).resolve().parent / "out"


def whole_app_rows(scratch: Path) -> list[Row]:
    """The wall benchmark: 16 demo tiles (4x4) in a 240x67 pty, truecolor, 20 s."""
    return app_bench.rows(scratch)


def ratio_rows(measured: list[dict[str, object]]) -> list[Row]:
    """Rows of the benches that report seconds against a reference tool's seconds."""
    return [
        Row(
            str(row["name"]),
            "" if row.get("ours") is None else f"{row['ours']} s",
            "" if row.get("reference") is None else f"{row['reference']} s",
            None if row.get("ratio") is None else float(str(row["ratio"])),
            f"<= {row['budget']}x",
            None if row.get("ours") is None else bool(row["ok"]),
            note=str(row.get("error", "")),
        )
        for row in measured
    ]


def main() -> int:
    missing = ensure_tools()
    pictures = demo_frames(OUT / "frames")
    with tempfile.TemporaryDirectory(prefix="veil-bench-") as scratch:
        rows = render_bench.run(OUT / "frames", pictures, Path(scratch), missing)
        rows += whole_app_rows(Path(scratch))
        rows += graphics_bench.rows(Path(scratch), pictures)
        rows += sixel_bench.rows(Path(scratch))
        rows += rtsp_bench.rows(pictures, Path(scratch))
    rows += ratio_rows(export_bench.run())
    rows += ratio_rows(search_bench.run())
    rows += pg_bench.rows()
    print_table(rows)
    write_json(rows, OUT / "results.json")
    print(f"\nresults: {OUT / 'results.json'}")
    return 1 if any(row.ok is False for row in rows) else 0


if __name__ == "__main__":
    sys.exit(main())

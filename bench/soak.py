"""Soak and load runs of the whole console in a pty (`make soak`; not in CI).

Two modes, both against a throw-away site built from the demo clips (4 clips, each on
several cameras) and a throw-away data dir:

- ``soak`` (default): the 16-camera wall for ``--minutes`` (10), reporting RSS, CPU,
  fps per tile and bytes per second every ``--interval`` (30 s). Budget: RSS growth
  under 10 % from the end of the first minute to the end, and every tile's fps steady
  (each window within 20 % of that tile's median).
- ``keys``: the 64-camera wall (8x8); moves the focus and opens the command palette
  ``--presses`` times each and reports key-to-screen latency (see `press_keys`).
  Budget: p95 under 150 ms for each.

What is measured: fps per tile is the console's own count of frames each tile presented
(its tile stats, written once a second to the file named by ``VEIL_STATS_FILE``), over
each reporting window. Key-to-screen is the time from writing Ctrl+P to the pty until
the palette's placeholder text arrives, and from an arrow key until the newly focused
tile's border is drawn in the focus colour.
RSS and CPU are the console process's own (all its threads), from /proc.

Exit status: 0 within budget, 1 over budget or the console died, 3 when the run could
not be set up (no demo clips, `veil user add` failed, no login screen or wall).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from console.core.site.paths import DEMO_SITE
from console.ui.widgets.tile_stats import STATS_FILE_ENV

DEMO = DEMO_SITE.parent
OUT = Path(__file__).resolve().parent / "out"
VEIL = Path(sys.executable).with_name("veil")

USER = "soak"
PASSWORD = "soak-password-not-secret"
"""A throw-away supervisor in a throw-away data dir."""

LOGIN_TEXT = b"Log in to view cameras"
PALETTE_TEXT = b"Search for commands"
CTRL_P, CTRL_Q, ESCAPE = b"\x10", b"\x11", b"\x1b"

RSS_GROWTH_BUDGET = 0.10
FPS_STEADY_BUDGET = 0.20
KEY_P95_BUDGET = 0.150
MISSED_AFTER = 5.0
"""Seconds after which a key press whose palette has not appeared counts as missed."""
WARM_UP = 60.0
"""Seconds after the wall appears before the RSS baseline is taken."""

_CSI = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]")
_CARRY = 64
"""Bytes kept back between reads so no awaited text or CSI sequence is cut in two."""


class SetupError(Exception):
    """The run could not start; the message says what to fix."""


# -- the site -------------------------------------------------------------------------------


def build_site(directory: Path, cameras: int) -> Path:
    """A site with `cameras` cameras cycling over the demo site's four, masks and all.

    The demo site.toml is split into its camera blocks, which are repeated with new ids
    and names ``camNN <demo id>``; the names are what the fps counter looks for. Clips and
    recordings are symlinked, so relative paths in the blocks still resolve.
    """
    text = (DEMO / "site.toml").read_text(encoding="utf-8")
    head, *blocks = text.split("[[cameras]]")
    if not blocks:
        raise SetupError(f"{DEMO / 'site.toml'}: no [[cameras]] to copy")
    blocks[-1] = blocks[-1].split("[[carousels]]")[0]
    parts = [head]
    for number in range(1, cameras + 1):
        block = blocks[(number - 1) % len(blocks)]
        found = re.search(r'^id = "([^"]+)"', block, re.MULTILINE)
        if found is None:
            raise SetupError(f"{DEMO / 'site.toml'}: a camera block without an id")
        demo_id = found.group(1)
        block = _replace_first(block, "id", f"{demo_id}-{number}")
        block = _replace_first(block, "name", f"cam{number:02d} {demo_id}")
        parts.append("[[cameras]]" + block)
    for name in ("clips", "recordings"):
        (directory / name).symlink_to(DEMO / name, target_is_directory=True)
    site = directory / "site.toml"
    site.write_text("".join(parts), encoding="utf-8")
    return site


def _replace_first(block: str, key: str, value: str) -> str:
    """Set the camera's own `key` (the first at the start of a line, before its masks)."""
    return re.sub(rf'^{key} = "[^"]+"', f'{key} = "{value}"', block, count=1, flags=re.MULTILINE)


def add_user(site: Path, data_dir: Path) -> None:
    command = [str(VEIL), "user", "add", USER, "--role", "supervisor", "--password-stdin"]
    command += ["--site", str(site), "--data-dir", str(data_dir)]
    done = subprocess.run(
        command, input=PASSWORD + "\n", text=True, capture_output=True, check=False
    )
    if done.returncode != 0:
        raise SetupError(f"veil user add failed ({done.returncode}): {done.stderr.strip()}")


# -- the console in a pty -------------------------------------------------------------------


@dataclass
class Tally:
    """What arrived from the console since the last reset."""

    bytes: int = 0


class Console:
    """`veil --site SITE` in a pty of a fixed size; a thread reads everything it writes.

    The reader must never stop: a console whose pty buffer fills blocks on its next
    write, which would measure the reader instead of the console.
    """

    def __init__(
        self, site: Path, data_dir: Path, columns: int, rows: int, render: str = "auto"
    ) -> None:
        command = [str(VEIL), "--site", str(site), "--data-dir", str(data_dir)]
        command += ["--render", render]
        self.stats_file = data_dir.parent / "tile-stats.jsonl"
        """Where the console writes its tile stats, a JSON line a second."""
        environment = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor"}
        environment.setdefault("VEIL_CELL_PX", "10x20")  # nobody answers the pty's probe
        environment[STATS_FILE_ENV] = str(self.stats_file)
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the pty, then become the console
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
            os.execve(command[0], command, environment)
        self.pid = pid
        self.fd = fd
        self.exit_status: int | None = None
        self._lock = threading.Lock()
        self._tally = Tally()
        self._tail = b""
        """The last few KB of output without escape sequences, for error reports."""
        self._raw = b""
        """The end of the output as written, escape sequences included: a pattern may
        straddle two reads."""
        self._wanted: bytes | re.Pattern[bytes] | None = None
        self._seen_at: float | None = None
        self._arrived = threading.Event()
        self.listener: Callable[[float, bytes], None] | None = None
        """Given every chunk read, with the time it arrived, on the reader's thread."""
        self._reader = threading.Thread(target=self._read, name="pty reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        pending = b""
        while True:
            try:
                ready, _, _ = select.select([self.fd], [], [], 0.5)
                chunk = os.read(self.fd, 1 << 16) if ready else b""
            except OSError:  # EIO: the console closed the pty (it exited)
                return
            if ready and not chunk:
                return
            received = time.monotonic()
            listener = self.listener
            if listener is not None:
                listener(received, chunk)
            pending += chunk
            cut = max(0, len(pending) - _CARRY)
            block, pending = pending[:cut], pending[cut:]
            plain = _CSI.sub(b"", block)
            with self._lock:
                self._tally.bytes += len(chunk)
                self._tail = (self._tail + plain)[-4096:]
                raw, self._raw = self._raw + chunk, (self._raw + chunk)[-512:]
                # The carried bytes are searched too: the awaited text may be the last
                # thing the console writes for a while.
                wanted = self._wanted
                if wanted is None:
                    continue
                if (
                    wanted.search(raw)
                    if isinstance(wanted, re.Pattern)
                    else (wanted in self._tail + pending)
                ):
                    self._wanted = None
                    self._seen_at = received
                    self._arrived.set()

    def send(self, keys: bytes) -> None:
        os.write(self.fd, keys)

    def press_and_wait(
        self, keys: bytes, text: bytes | re.Pattern[bytes], timeout: float
    ) -> float | None:
        """Seconds from writing `keys` until `text` arrives, or None after `timeout`.

        Plain `text` is looked for in the output without escape sequences; a pattern is
        matched against the output as written, for effects that are only a colour.
        """
        with self._lock:
            self._tail = b""
            self._raw = b""
            self._wanted = text
            self._seen_at = None
            self._arrived.clear()
        pressed = time.monotonic()
        self.send(keys)
        if not self._arrived.wait(timeout):
            with self._lock:
                self._wanted = None
            return None
        assert self._seen_at is not None
        return self._seen_at - pressed

    def wait_for(self, text: bytes, timeout: float) -> bool:
        with self._lock:
            if text in self._tail:
                return True
            self._wanted = text
            self._arrived.clear()
        found = self._arrived.wait(timeout)
        with self._lock:
            self._wanted = None
        return found

    def take(self) -> Tally:
        """What arrived since the last call."""
        with self._lock:
            tally, self._tally = self._tally, Tally()
        return tally

    def tail(self) -> str:
        with self._lock:
            return self._tail.decode("utf-8", "replace")

    def alive(self) -> bool:
        if self.exit_status is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.exit_status = os.waitstatus_to_exitcode(status)
        return self.exit_status is None

    def rss_bytes(self) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        """Ctrl+Q, then SIGTERM, then SIGKILL: whatever ends it first."""
        endings: tuple[tuple[Callable[[], None], float], ...] = (
            (self._quit, 5.0),
            (self._term, 3.0),
        )
        for action, grace in endings:
            if not self.alive():
                break
            try:
                action()
            except OSError:
                pass  # gone in the meantime
            deadline = time.monotonic() + grace
            while self.alive() and time.monotonic() < deadline:
                time.sleep(0.05)
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        os.close(self.fd)

    def _quit(self) -> None:
        self.send(CTRL_Q)

    def _term(self) -> None:
        os.kill(self.pid, signal.SIGTERM)


def stats_lines(path: Path) -> list[dict[str, Any]]:
    """The tile stats lines written so far (the last one may be half-written: skipped)."""
    if not path.exists():
        return []
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            lines.append(json.loads(line))
        except ValueError:
            break
    return lines


def tile_frames(line: dict[str, Any]) -> dict[str, int]:
    """Frames each tile has presented since it appeared, from one stats line."""
    return {name: int(tile["frames"]) for name, tile in line["tiles"].items()}


def start_console(
    scratch: Path, cameras: int, columns: int, rows: int, render: str = "auto"
) -> Console:
    """Site, user and console; logs in if the console asks; returns once tiles draw."""
    site_dir = scratch / "site"
    site_dir.mkdir()
    site = build_site(site_dir, cameras)
    data_dir = scratch / "data"
    add_user(site, data_dir)
    console = Console(site, data_dir, columns, rows, render)
    if console.wait_for(LOGIN_TEXT, 30.0):
        time.sleep(0.5)  # let the name field take focus
        console.send(USER.encode() + b"\r")
        time.sleep(0.3)
        console.send(PASSWORD.encode() + b"\r")
    console.take()
    deadline = time.monotonic() + 30.0
    while time.monotonic() < deadline and console.alive():
        time.sleep(0.5)
        lines = stats_lines(console.stats_file)
        drawing = [n for n in tile_frames(lines[-1]).values() if n > 0] if lines else []
        if len(drawing) >= min(cameras, 4):
            return console
    tail = console.tail()[-600:]
    console.stop()
    raise SetupError(f"no camera wall within 30 s after login; the screen ended with:\n{tail}")


# -- soak -----------------------------------------------------------------------------------


@dataclass
class Sample:
    """One reporting window."""

    at: float
    """Seconds since the wall appeared, at the end of the window."""
    rss_mb: float
    cpu_cores: float
    bytes_per_second: float
    fps: dict[str, float]
    """Frames presented per second, per tile (see the module docstring)."""
    load: float
    """The machine's 1-minute load average: other work on the machine skews every figure."""


def soak(minutes: float, interval: float, cameras: int, columns: int, rows: int) -> int:
    with tempfile.TemporaryDirectory(prefix="veil-soak-") as scratch:
        console = start_console(Path(scratch), cameras, columns, rows)
        try:
            samples = _sample(console, minutes * 60, interval, cameras)
        finally:
            died = not console.alive()
            tail = console.tail()[-1500:]
            console.stop()
    if died:
        print(f"\nthe console exited ({console.exit_status}) during the soak:\n{tail}")
        return 1
    ok = _soak_verdict(samples, cameras)
    _write_json(
        "soak",
        {"cameras": cameras, "size": f"{columns}x{rows}", "samples": [asdict(s) for s in samples]},
    )
    return 0 if ok else 1


def _sample(console: Console, duration: float, interval: float, cameras: int) -> list[Sample]:
    print(
        f"soak: {cameras} cameras for {duration / 60:g} min, a line every {interval:g} s; "
        "fps = frames each tile presented per second (the console's tile stats)"
    )
    print(
        f"{'time':>6} {'RSS MB':>8} {'cores':>6} {'KB/s':>8} {'load':>5}   "
        "fps per tile: min / median / max"
    )
    samples: list[Sample] = []
    started = last = time.monotonic()
    cpu = console.cpu_seconds()
    console.take()
    counted = (stats_lines(console.stats_file) or [{"time": 0.0, "tiles": {}}])[-1]
    end, finish = started, started + duration
    while end < finish:
        end = min(end + interval, finish)
        time.sleep(max(0.0, end - time.monotonic()))
        if not console.alive():
            break
        now = time.monotonic()
        tally, used = console.take(), console.cpu_seconds()
        span = now - last
        line = stats_lines(console.stats_file)[-1]
        before, after = tile_frames(counted), tile_frames(line)
        counted_span = max(1e-6, float(line["time"]) - float(counted["time"]))
        fps = {name: (after[name] - before.get(name, 0)) / counted_span for name in sorted(after)}
        counted = line
        sample = Sample(
            round(now - started, 1),
            console.rss_bytes() / 2**20,
            (used - cpu) / span,
            tally.bytes / span,
            fps,
            os.getloadavg()[0],
        )
        samples.append(sample)
        rates = sorted(fps.values())
        print(
            f"{_clock(sample.at):>6} {sample.rss_mb:8.1f} {sample.cpu_cores:6.2f} "
            f"{sample.bytes_per_second / 1024:8.0f} {sample.load:5.2f}   "
            f"{rates[0]:.1f} / {statistics.median(rates):.1f} / {rates[-1]:.1f}",
            flush=True,
        )
        if cameras <= 16:
            print("       " + " ".join(f"{rate:4.1f}" for rate in fps.values()), flush=True)
        last, cpu = now, used
    return samples


def _soak_verdict(samples: list[Sample], cameras: int) -> bool:
    if len(samples) < 2:
        print("\ntoo short to judge: run at least two intervals")
        return False
    settled = [s for s in samples if s.at >= WARM_UP] or samples
    warm_note = "" if settled[0].at >= WARM_UP else " (run shorter than the warm-up minute)"
    baseline = settled[0].rss_mb
    growth = (samples[-1].rss_mb - baseline) / baseline
    rss_ok = growth < RSS_GROWTH_BUDGET
    print(
        f"\nRSS: {baseline:.1f} MB at {_clock(settled[0].at)}{warm_note} -> "
        f"{samples[-1].rss_mb:.1f} MB at the end: {growth:+.1%} "
        f"(budget < {RSS_GROWTH_BUDGET:.0%}) {'ok' if rss_ok else 'OVER BUDGET'}"
    )
    windows = [s for s in samples if s.at > WARM_UP] or samples
    worst_name, worst = "", 0.0
    for name in samples[-1].fps:
        rates = [s.fps[name] for s in windows]
        middle = statistics.median(rates)
        spread = max(abs(rate - middle) for rate in rates) / middle if middle else 1.0
        if spread >= worst:
            worst_name, worst = name, spread
    steady = worst <= FPS_STEADY_BUDGET
    level = statistics.median(rate for s in windows for rate in s.fps.values())
    print(
        f"fps: median {level:.1f} frames/s per tile; least steady {worst_name}, "
        f"{worst:.0%} off its median (budget {FPS_STEADY_BUDGET:.0%}) "
        f"{'ok' if steady else 'NOT STEADY'}"
    )
    return rss_ok and steady


# -- key-to-screen --------------------------------------------------------------------------


KEY_NAMES = {"focus": "arrow key (focus move)", "palette": "Ctrl+P (palette open)"}
"""The keys timed, by what the operator sees them do."""
ARROWS = (b"\x1b[C", b"\x1b[D")
"""Right, then Left: the focus goes back and forth between the first two tiles."""
FOCUS_BORDER = re.compile(rb"\x1b\[38;2;25[45];16[5-7];4[2-4][0-9;]*m\xe2\x95\xad")
"""A tile's top-left corner drawn in the focus colour (the default theme's accent,
#ffa62b, give or take Textual's blending)."""
KEY_EVERY = 1.5
"""Seconds from one press to the next: the wall is back to its normal load."""


def press_keys(console: Console, presses: int) -> dict[str, list[float | None]]:
    """Seconds from each press to its effect on screen (None: missed), per key.

    An arrow key's effect is the newly focused tile's border in the focus colour (the
    operator's most common key); Ctrl+P's is the palette's placeholder text (the
    heaviest common key: a whole screen is pushed and drawn), closed again before the
    next press.
    """
    times: dict[str, list[float | None]] = {"focus": [], "palette": []}
    for press in range(presses):
        pressed = time.monotonic()
        arrow = ARROWS[press % 2]
        times["focus"].append(console.press_and_wait(arrow, FOCUS_BORDER, MISSED_AFTER))
        time.sleep(max(0.0, pressed + KEY_EVERY - time.monotonic()))
    for _ in range(presses):
        pressed = time.monotonic()
        took = console.press_and_wait(CTRL_P, PALETTE_TEXT, MISSED_AFTER)
        times["palette"].append(took)
        time.sleep(0.3)
        console.send(ESCAPE)
        # A late palette from a missed press must not be taken for the next press's.
        time.sleep(max(0.0, pressed + KEY_EVERY - time.monotonic()) if took else MISSED_AFTER)
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] if ordered else float("nan")


def keys(presses: int, cameras: int, columns: int, rows: int) -> int:
    with tempfile.TemporaryDirectory(prefix="veil-keys-") as scratch:
        console = start_console(Path(scratch), cameras, columns, rows)
        try:
            time.sleep(3.0)  # every tile connected and drawing
            times = press_keys(console, presses)
        finally:
            died = not console.alive()
            console.stop()
    if died:
        print(f"the console exited ({console.exit_status}) while keys were pressed")
        return 1
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    ok = True
    for key, measured in times.items():
        seen = sorted(t for t in measured if t is not None)
        missed = len(measured) - len(seen)
        worst = p95(seen) if seen and not missed else float("inf")
        ok = ok and worst < KEY_P95_BUDGET
        median = statistics.median(seen) * 1000 if seen else float("nan")
        print(
            f"key-to-screen, {KEY_NAMES[key]}, {cameras} cameras, {len(seen)} presses: "
            f"median {median:.0f} ms, p95 {worst * 1000:.0f} ms, missed {missed} "
            f"(budget p95 < {KEY_P95_BUDGET * 1000:.0f} ms) "
            f"{'ok' if worst < KEY_P95_BUDGET else 'OVER BUDGET'}"
        )
    _write_json("keys", {"cameras": cameras, "seconds": times})
    return 0 if ok else 1


# -- output ---------------------------------------------------------------------------------


def _clock(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def _write_json(mode: str, result: dict[str, object]) -> None:
    OUT.mkdir(exist_ok=True)
    path = OUT / f"soak-{mode}.json"
    path.write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"results: {path}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.soak", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--mode", choices=("soak", "keys"), default="soak")
    parser.add_argument("--minutes", type=float, default=10.0, help="soak length (default 10)")
    parser.add_argument("--interval", type=float, default=30.0, help="seconds between reports")
    parser.add_argument("--cameras", type=int, help="default 16 (soak) or 64 (keys)")
    parser.add_argument("--presses", type=int, default=40, help="presses of each key (keys mode)")
    parser.add_argument("--size", default="240x67", help="pty COLUMNSxROWS (default 240x67)")
    args = parser.parse_args(argv)
    columns, rows = (int(part) for part in args.size.split("x"))
    if not (DEMO / "clips").is_dir() or shutil.which(str(VEIL)) is None:
        print(f"needs the demo clips in {DEMO / 'clips'} and {VEIL}; run make first")
        return 3
    try:
        if args.mode == "keys":
            return keys(args.presses, args.cameras or 64, columns, rows)
        return soak(args.minutes, args.interval, args.cameras or 16, columns, rows)
    except SetupError as error:
        print(f"soak: {error}")
        return 3


if __name__ == "__main__":
    sys.exit(main())

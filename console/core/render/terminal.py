"""What the terminal can show, decided once before the app starts, with reasons.

Explicit choices win (command-line flags, then environment variables); only what is
left open is asked of the terminal itself. The probe sends its queries with the
Device Attributes request (DA1) last: every terminal answers DA1, so its reply marks the
end of the answers and nothing is waited for longer than needed. A terminal that
answers nothing costs the probe budget once, never a hang, and the tty's settings are
restored whatever happens.

Every decision records a sentence in `TerminalCaps.reasons`, so the Diagnostics command
can tell an operator why their tiles look the way they do.
"""

from __future__ import annotations

import os
import re
import select
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from console.core.render.modes import RENDER_MODES, RenderMode
from console.core.render.tile import ColorDepth

KITTY_QUERY = b"\x1b_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\x1b\\"
"""Kitty's graphics query: a 1x1 picture to check, never to show (`a=q`)."""

QUERY = b"\x1b[16t\x1b[14t" + KITTY_QUERY + b"\x1b[?2;1;0S\x1b[?1;1;0S\x1b[c"
"""Cell size in pixels, text area in pixels, kitty graphics, the sixel size in force and
the colour registers (XTSMGRAPHICS), then DA1 as the sentinel."""

PROBE_BUDGET = 0.5
"""Seconds to wait for the answers; SSH round trips regularly exceed 100 ms."""

DEFAULT_CELL_PX = (10, 20)
"""VT340-like cell size assumed when nothing better is known."""

_DA1 = re.compile(rb"\x1b\[\?([0-9;]*)c")
_CELL = re.compile(rb"\x1b\[6;([0-9]+);([0-9]+)t")
_WINDOW = re.compile(rb"\x1b\[4;([0-9]+);([0-9]+)t")
_CELL_PX = re.compile(r"\s*([0-9]+)\s*[xX]\s*([0-9]+)\s*")
_KITTY = re.compile(rb"\x1b_Gi=31;OK\x1b\\")
_SIXEL_GEOMETRY = re.compile(rb"\x1b\[\?2;0;([0-9]+);([0-9]+)S")
_REGISTERS = re.compile(rb"\x1b\[\?1;0;([0-9]+)S")
_SIXEL_ATTRIBUTE = 4


@dataclass(frozen=True, slots=True)
class ProbeReply:
    """What a terminal said in reply to QUERY (parsed, so garbage is simply absent)."""

    da1: tuple[int, ...] | None = None
    """The DA1 parameters: the conformance level, then the supported extensions."""
    cell_px: tuple[int, int] | None = None
    """Cell width and height in pixels (CSI 16 t)."""
    window_px: tuple[int, int] | None = None
    """Text area width and height in pixels (CSI 14 t)."""
    kitty: bool = False
    """The terminal accepted kitty's graphics query."""
    sixel_max_px: tuple[int, int] | None = None
    """The largest sixel image the terminal shows now (XTSMGRAPHICS 2;1), w x h."""
    color_registers: int | None = None
    """Sixel colour registers (XTSMGRAPHICS 1;1)."""

    @property
    def sixel(self) -> bool:
        """DA1 lists extension 4. Any position counts: Konsole says `ESC[?62;1;4c`."""
        return self.da1 is not None and _SIXEL_ATTRIBUTE in self.da1[1:]


@dataclass(frozen=True, slots=True)
class Probe:
    """The result of asking the tty: its replies (None if none came) and its size."""

    reply: ProbeReply | None
    size: tuple[int, int] | None = None
    """Columns and rows (TIOCGWINSZ)."""
    size_px: tuple[int, int] | None = None
    """Text area in pixels from TIOCGWINSZ, when the terminal fills it in."""


@dataclass(frozen=True, slots=True)
class TerminalCaps:
    """The rendering decision for this session."""

    render: RenderMode
    colors: ColorDepth
    cell_px: tuple[int, int]
    sixel: bool
    """The terminal said it draws sixel (or the user said so)."""
    tmux: bool
    kitty: bool = False
    """The terminal accepted kitty's graphics query (or the user chose kitty)."""
    sixel_max_px: tuple[int, int] | None = None
    """The largest sixel image the terminal shows, when it said so."""
    color_registers: int | None = None
    """Sixel colour registers, when the terminal said so."""
    reasons: list[str] = field(default_factory=list)
    """One human sentence per decision, for Diagnostics."""

    @classmethod
    def plain(cls) -> TerminalCaps:
        """Truecolor half-blocks and no probing: for tests and headless runs."""
        return cls(
            "halfblock", ColorDepth.TRUECOLOR, (10, 20), False, False, reasons=["not detected"]
        )


def parse_replies(data: bytes) -> ProbeReply:
    """Pick the answers out of whatever bytes arrived; anything else is ignored."""
    da1 = _DA1.search(data)
    cell = _CELL.search(data)
    window = _WINDOW.search(data)
    geometry = _SIXEL_GEOMETRY.search(data)
    registers = _REGISTERS.search(data)
    return ProbeReply(
        da1=tuple(int(p) for p in da1.group(1).split(b";") if p) if da1 else None,
        cell_px=(int(cell.group(2)), int(cell.group(1))) if cell else None,
        window_px=(int(window.group(2)), int(window.group(1))) if window else None,
        kitty=_KITTY.search(data) is not None,
        sixel_max_px=(int(geometry.group(1)), int(geometry.group(2))) if geometry else None,
        color_registers=int(registers.group(1)) if registers else None,
    )


def parse_cell_px(text: str) -> tuple[int, int] | None:
    """`WxH` (e.g. `10x20`) as a cell size, or None when it is not one."""
    match = _CELL_PX.fullmatch(text)
    if match is None:
        return None
    width, height = int(match.group(1)), int(match.group(2))
    return (width, height) if 0 < width <= 200 and 0 < height <= 400 else None


def probe_tty(budget: float = PROBE_BUDGET, path: str = "/dev/tty") -> Probe | None:
    """Ask the controlling terminal; None when there is none to ask."""
    import fcntl
    import struct
    import termios

    try:
        fd = os.open(path, os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return None
    try:
        rows, cols, width_px, height_px = struct.unpack(
            "HHHH", fcntl.ioctl(fd, termios.TIOCGWINSZ, b"\0" * 8)
        )
        saved = termios.tcgetattr(fd)
        try:
            raw = termios.tcgetattr(fd)
            raw[3] &= ~(termios.ICANON | termios.ECHO)
            raw[6][termios.VMIN] = 0
            raw[6][termios.VTIME] = 0
            termios.tcsetattr(fd, termios.TCSANOW, raw)
            data = exchange(fd, QUERY, budget)
        finally:
            termios.tcflush(fd, termios.TCIFLUSH)  # late or stray answers must not leak
            termios.tcsetattr(fd, termios.TCSANOW, saved)
    except (OSError, termios.error):
        return None
    finally:
        os.close(fd)
    return Probe(
        reply=parse_replies(data) if _DA1.search(data) else None,
        size=(cols, rows) if cols and rows else None,
        size_px=(width_px, height_px) if width_px and height_px else None,
    )


def exchange(fd: int, query: bytes, budget: float) -> bytes:
    """Write `query`, then read until a DA1 reply arrives or `budget` seconds pass."""
    os.write(fd, query)
    deadline = time.monotonic() + budget
    data = b""
    while (remaining := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        data += chunk
        if _DA1.search(data):
            break
    return data


def resolve_colors(requested: str | None, env: Mapping[str, str]) -> tuple[ColorDepth, str]:
    """The colour depth and why: --colors, then NO_COLOR, then COLORTERM and TERM."""
    if requested and requested != "auto":
        return ColorDepth(requested), f"colours: {requested} (--colors)"
    if env.get("NO_COLOR"):
        return ColorDepth.MONO, "colours: mono (NO_COLOR is set)"
    colorterm = env.get("COLORTERM", "").lower()
    if colorterm in ("truecolor", "24bit"):
        return ColorDepth.TRUECOLOR, f"colours: truecolor (COLORTERM={colorterm})"
    term = env.get("TERM", "")
    if "256color" in term:
        return ColorDepth.COLOR256, f"colours: 256 (TERM={term}, COLORTERM not truecolor)"
    if term in ("", "dumb"):
        return ColorDepth.MONO, f"colours: mono (TERM={term or 'unset'})"
    return ColorDepth.COLOR16, f"colours: 16 (TERM={term} names no more)"


def detect_terminal(
    render: str | None = None,
    colors: str | None = None,
    env: Mapping[str, str] | None = None,
    probe: Callable[[], Probe | None] = probe_tty,
) -> TerminalCaps:
    """Decide renderer, colours and cell size; `probe` runs only if something is still open."""
    env = os.environ if env is None else env
    reasons: list[str] = []
    depth, why = resolve_colors(colors, env)
    reasons.append(why)
    tmux = bool(env.get("TMUX"))
    if tmux:
        reasons.append("inside tmux: its own answers count (sixel needs tmux >= 3.4 with sixel)")

    mode: RenderMode | None = None
    if render and render != "auto":
        mode = _as_mode(render)
        reasons.append(f"render: {render} (--render)")
    elif env.get("VEIL_RENDER", "auto") != "auto":
        value = env["VEIL_RENDER"]
        if value in RENDER_MODES:
            mode = _as_mode(value)
            reasons.append(f"render: {value} (VEIL_RENDER)")
        else:
            reasons.append(f"VEIL_RENDER={value!r} ignored: expected one of {RENDER_MODES}")

    cell_px: tuple[int, int] | None = None
    if "VEIL_CELL_PX" in env:
        cell_px = parse_cell_px(env["VEIL_CELL_PX"])
        if cell_px is None:
            reasons.append(f"VEIL_CELL_PX={env['VEIL_CELL_PX']!r} ignored: expected WxH")
        else:
            reasons.append(f"cell size: {cell_px[0]}x{cell_px[1]} px (VEIL_CELL_PX)")

    answer: Probe | None = None
    if mode is None or (mode in ("sixel", "kitty") and cell_px is None):
        answer = probe()
        if answer is None:
            reasons.append("no terminal to ask (not a tty)")
        elif answer.reply is None:
            reasons.append(f"the terminal did not answer within {PROBE_BUDGET:.1f} s")
    reply = answer.reply if answer is not None else None
    sixel = reply is not None and reply.sixel
    kitty = reply is not None and reply.kitty
    if reply is not None and reply.da1 is not None:
        listed = ";".join(map(str, reply.da1))
        reasons.append(f"DA1 {listed}: sixel {'supported' if sixel else 'not listed (no 4)'}")
        reasons.append(f"kitty graphics: {'accepted' if kitty else 'no answer to the query'}")
    if reply is not None and reply.sixel_max_px is not None:
        width, height = reply.sixel_max_px
        reasons.append(f"sixel images up to {width}x{height} px (XTSMGRAPHICS)")
    if reply is not None and reply.color_registers is not None:
        reasons.append(f"{reply.color_registers} sixel colour registers (XTSMGRAPHICS)")

    if cell_px is None:
        cell_px, why = _cell_size(answer)
        reasons.append(why)

    if mode is None:
        if depth is ColorDepth.MONO:
            mode = "ascii"
            reasons.append("render: ascii (no colour)")
        elif kitty and not tmux:
            mode = "kitty"
            reasons.append("render: kitty (true-colour pictures)")
        elif sixel:
            mode = "sixel"
            reasons.append("render: sixel (the terminal draws it)")
        else:
            mode = "halfblock"
            reasons.append("render: halfblock (no sixel or kitty graphics)")
    elif mode == "sixel" and reply is not None and not sixel:
        reasons.append("sixel forced although the terminal did not list it")
    return TerminalCaps(
        render=mode,
        colors=depth,
        cell_px=cell_px,
        sixel=sixel or mode == "sixel",
        tmux=tmux,
        kitty=kitty or mode == "kitty",
        sixel_max_px=reply.sixel_max_px if reply is not None else None,
        color_registers=reply.color_registers if reply is not None else None,
        reasons=reasons,
    )


def _as_mode(value: str) -> RenderMode:
    if value not in RENDER_MODES:
        raise ValueError(f"render mode must be one of {RENDER_MODES}, got {value!r}")
    return value


def _cell_size(answer: Probe | None) -> tuple[tuple[int, int], str]:
    """Cell pixels from CSI 16 t, else text-area pixels over the size in cells."""
    reply = answer.reply if answer is not None else None
    if reply is not None and reply.cell_px is not None and min(reply.cell_px) > 0:
        width, height = reply.cell_px
        return (width, height), f"cell size: {width}x{height} px (CSI 16 t)"
    if answer is not None and answer.size is not None:
        cols, rows = answer.size
        for area, source in (
            (reply.window_px if reply else None, "CSI 14 t"),
            (answer.size_px, "TIOCGWINSZ"),
        ):
            if area is not None and area[0] >= cols and area[1] >= rows:
                width, height = area[0] // cols, area[1] // rows
                return (width, height), f"cell size: {width}x{height} px ({source} / {cols}x{rows})"
    width, height = DEFAULT_CELL_PX
    return DEFAULT_CELL_PX, f"cell size: {width}x{height} px (assumed; the terminal did not say)"

"""Terminal detection: overrides first, then the probe; parsing, budget and tty hygiene."""

from __future__ import annotations

import os
import pty
import termios
import threading
import tty
from collections.abc import Callable

import pytest

from console.core.render.terminal import (
    DEFAULT_CELL_PX,
    QUERY,
    Probe,
    ProbeReply,
    detect_terminal,
    exchange,
    parse_cell_px,
    parse_replies,
    probe_tty,
)
from console.core.render.tile import ColorDepth

KITTY_LIKE = b"\x1b[6;20;10t\x1b[4;480;800t\x1b[?62;4;22c"


@pytest.mark.parametrize(
    ("data", "da1", "sixel"),
    [
        (b"\x1b[?62;4;22c", (62, 4, 22), True),
        (b"\x1b[?62;1;4c", (62, 1, 4), True),
        (b"\x1b[?65;1;9c", (65, 1, 9), False),
        (b"\x1b[?1;2c", (1, 2), False),
        (b"\x1b[?4;6c", (4, 6), False),  # a VT132: class 4, not the sixel extension
    ],
)
def test_da1_replies(data: bytes, da1: tuple[int, ...], sixel: bool) -> None:
    reply = parse_replies(data)
    assert reply.da1 == da1
    assert reply.sixel is sixel


def test_size_replies_and_garbage() -> None:
    reply = parse_replies(b"junk\x1b[6;20;10t\x07\x1b[4;600;1000tmore\x1b[?64;4c")
    assert reply == ProbeReply(da1=(64, 4), cell_px=(10, 20), window_px=(1000, 600))
    assert parse_replies(b"\x1b[6;20;10t") == ProbeReply(cell_px=(10, 20))
    assert parse_replies(b"") == ProbeReply()
    assert parse_replies(b"\x1b[?62;4\x1b[6;x;10t garbage \x00\xff") == ProbeReply()


def test_cell_px_text() -> None:
    assert parse_cell_px("10x20") == (10, 20)
    assert parse_cell_px(" 9 X 18 ") == (9, 18)
    assert parse_cell_px("10") is None
    assert parse_cell_px("0x20") is None
    assert parse_cell_px("axb") is None


def fixed(probe: Probe | None) -> Callable[[], Probe | None]:
    def ask() -> Probe | None:
        return probe

    return ask


def never() -> Probe | None:
    raise AssertionError("nothing was left to probe")


def test_flags_win_and_skip_the_probe() -> None:
    caps = detect_terminal("halfblock", "256", {"COLORTERM": "truecolor"}, never)
    assert (caps.render, caps.colors) == ("halfblock", ColorDepth.COLOR256)
    assert caps.cell_px == DEFAULT_CELL_PX
    assert "render: halfblock (--render)" in caps.reasons
    assert "colours: 256 (--colors)" in caps.reasons


def test_environment_overrides() -> None:
    env = {"VEIL_RENDER": "sixel", "VEIL_CELL_PX": "8x16", "TERM": "xterm-256color"}
    caps = detect_terminal(None, None, env, never)
    assert (caps.render, caps.cell_px, caps.colors) == ("sixel", (8, 16), ColorDepth.COLOR256)
    assert caps.sixel
    assert "render: sixel (VEIL_RENDER)" in caps.reasons
    assert "cell size: 8x16 px (VEIL_CELL_PX)" in caps.reasons


def test_bad_environment_values_are_reported_and_ignored() -> None:
    env = {"VEIL_RENDER": "braille", "VEIL_CELL_PX": "big", "COLORTERM": "truecolor"}
    caps = detect_terminal(None, None, env, fixed(Probe(parse_replies(KITTY_LIKE))))
    assert caps.render == "sixel" and caps.cell_px == (10, 20)
    assert any("VEIL_RENDER='braille' ignored" in reason for reason in caps.reasons)
    assert any("VEIL_CELL_PX='big' ignored" in reason for reason in caps.reasons)


def test_no_color_means_mono_ascii() -> None:
    caps = detect_terminal(None, None, {"NO_COLOR": "1", "COLORTERM": "truecolor"}, fixed(None))
    assert (caps.render, caps.colors) == ("ascii", ColorDepth.MONO)
    assert "colours: mono (NO_COLOR is set)" in caps.reasons
    # An explicit flag still wins over NO_COLOR, and an empty NO_COLOR means nothing.
    assert detect_terminal(None, "16", {"NO_COLOR": "1"}, fixed(None)).colors is ColorDepth.COLOR16
    assert detect_terminal(None, None, {"NO_COLOR": "", "TERM": "xterm"}, fixed(None)).colors is (
        ColorDepth.COLOR16
    )


def test_probe_decides_sixel_and_cell_size() -> None:
    caps = detect_terminal(
        None, None, {"COLORTERM": "24bit"}, fixed(Probe(parse_replies(KITTY_LIKE)))
    )
    assert (caps.render, caps.colors, caps.cell_px) == ("sixel", ColorDepth.TRUECOLOR, (10, 20))
    assert "DA1 62;4;22: sixel supported" in caps.reasons
    assert "cell size: 10x20 px (CSI 16 t)" in caps.reasons


KITTY = b"\x1b[6;20;10t\x1b_Gi=31;OK\x1b\\\x1b[?62;22c"
XTERM_VT340 = b"\x1b[6;20;10t\x1b[?2;0;1000;850S\x1b[?1;0;256S\x1b[?63;1;2;4;6;9;15;22c"


def test_a_terminal_that_accepts_kittys_query_gets_kitty_pictures() -> None:
    caps = detect_terminal(
        None, None, {"COLORTERM": "truecolor"}, fixed(Probe(parse_replies(KITTY)))
    )
    assert (caps.render, caps.kitty, caps.sixel) == ("kitty", True, False)
    assert "kitty graphics: accepted" in caps.reasons
    assert parse_replies(KITTY_LIKE).kitty is False  # sixel's answer alone says nothing of it


def test_inside_tmux_kitty_pictures_are_not_chosen() -> None:
    """tmux passes kitty pictures only with passthrough, and places them wrong without
    Unicode placeholders, which Debian 12's kitty lacks."""
    env = {"COLORTERM": "truecolor", "TMUX": "/tmp/tmux-0/default,1,0"}
    caps = detect_terminal(None, None, env, fixed(Probe(parse_replies(KITTY))))
    assert caps.render == "halfblock"


def test_xtsmgraphics_gives_the_sixel_limit_and_registers() -> None:
    caps = detect_terminal(None, None, {"TERM": "xterm"}, fixed(Probe(parse_replies(XTERM_VT340))))
    assert (caps.render, caps.sixel_max_px, caps.color_registers) == ("sixel", (1000, 850), 256)
    assert "sixel images up to 1000x850 px (XTSMGRAPHICS)" in caps.reasons
    assert "256 sixel colour registers (XTSMGRAPHICS)" in caps.reasons
    assert parse_replies(b"\x1b[?2;3;0S\x1b[?62c").sixel_max_px is None  # an error status


def test_the_query_asks_kitty_and_xtsmgraphics_before_the_da1_sentinel() -> None:
    assert QUERY.endswith(b"\x1b[c")
    assert QUERY.index(b"a=q") < QUERY.index(b"\x1b[c")
    assert b"\x1b[?2;1;0S" in QUERY and b"\x1b[?1;1;0S" in QUERY


def test_cell_size_from_window_pixels_when_16t_is_missing() -> None:
    reply = parse_replies(b"\x1b[4;600;1000t\x1b[?65;1;9c")
    caps = detect_terminal(None, None, {"TERM": "xterm"}, fixed(Probe(reply, size=(100, 30))))
    assert caps.render == "halfblock" and caps.cell_px == (10, 20)
    assert "cell size: 10x20 px (CSI 14 t / 100x30)" in caps.reasons
    from_ioctl = Probe(parse_replies(b"\x1b[?65c"), size=(100, 30), size_px=(900, 540))
    assert detect_terminal(None, None, {}, fixed(from_ioctl)).cell_px == (9, 18)


def test_silent_terminal_and_no_terminal() -> None:
    silent = detect_terminal(None, None, {"TERM": "xterm"}, fixed(Probe(None, size=(80, 24))))
    assert silent.render == "halfblock" and not silent.sixel
    assert "the terminal did not answer within 0.5 s" in silent.reasons
    none = detect_terminal(None, None, {"TERM": "xterm"}, fixed(None))
    assert "no terminal to ask (not a tty)" in none.reasons
    assert none.cell_px == DEFAULT_CELL_PX


def test_tmux_is_noted_and_forced_sixel_is_explained() -> None:
    reply = parse_replies(b"\x1b[?65;1;9c")
    caps = detect_terminal("sixel", None, {"TMUX": "/tmp/tmux-0/default,1,0"}, fixed(Probe(reply)))
    assert caps.tmux and caps.render == "sixel"
    assert "sixel forced although the terminal did not list it" in caps.reasons


class FakeTerminal:
    """The far side of a pty: reads the query and answers (or not)."""

    def __init__(self, answer: bytes | None) -> None:
        self.master, self.slave = pty.openpty()
        self.answer = answer
        self.heard = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while len(self.heard) < len(QUERY):
            self.heard += os.read(self.master, 100)
        if self.answer is not None:
            os.write(self.master, self.answer)

    def close(self) -> None:
        self.thread.join(2)
        os.close(self.master)
        os.close(self.slave)


def test_probe_over_a_pty_restores_the_tty() -> None:
    terminal = FakeTerminal(b"noise\x1b[6;18;9t\x1b[?62;1;4c")
    try:
        before = termios.tcgetattr(terminal.slave)
        probe = probe_tty(budget=5.0, path=os.ttyname(terminal.slave))
        assert probe is not None and probe.reply is not None
        assert probe.reply.sixel and probe.reply.cell_px == (9, 18)
        assert terminal.heard == QUERY
        assert termios.tcgetattr(terminal.slave) == before
    finally:
        terminal.close()


def test_probe_without_answer_gives_up_and_restores_the_tty() -> None:
    terminal = FakeTerminal(None)
    try:
        before = termios.tcgetattr(terminal.slave)
        probe = probe_tty(budget=0.05, path=os.ttyname(terminal.slave))
        assert probe is not None and probe.reply is None
        assert termios.tcgetattr(terminal.slave) == before
    finally:
        terminal.close()


def test_exchange_stops_at_the_sentinel() -> None:
    master, slave = pty.openpty()
    try:
        tty.setraw(slave)
        os.write(master, b"\x1b[?62;4c")
        # Returns on the sentinel; without it this would sit out the whole budget.
        assert exchange(slave, b"\x1b[c", 60.0) == b"\x1b[?62;4c"
        assert os.read(master, 10) == b"\x1b[c"
    finally:
        os.close(master)
        os.close(slave)


def test_no_controlling_terminal() -> None:
    assert probe_tty(path="/nonexistent/tty") is None

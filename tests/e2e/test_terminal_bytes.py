"""Bytes that are not UTF-8 from the terminal do not end the console.

A terminal or SSH client set to Latin-1, a binary paste or line noise sends bytes such
as ``\\xff\\xfe``. Textual's input thread decoded them strictly and the console died. Here
`veil --demo` runs on a pseudo-terminal of its own (its controlling terminal, as under a
terminal emulator or sshd) and gets those bytes at the login screen: it shows them as
U+FFFD in the field, the supervisor still logs in, and Ctrl+Q leaves with status 0. The
data dir's log then has the session in it, and not the password that was typed.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import struct
import termios
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .harness import demo
from .harness.cli import audit_records, demo_data_dir
from .harness.env import VEIL
from .harness.process import alive

pytestmark = pytest.mark.e2e

WAIT = 30.0
_ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-_])")


class PtyConsole:
    """`veil` on a pseudo-terminal it has as its controlling terminal; output kept as text."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: size the terminal, then become veil
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        self._output = bytearray()
        self._lock = threading.Lock()
        self.status: int | None = None
        threading.Thread(target=self._drain, daemon=True).start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self._output += chunk

    def text(self) -> str:
        """Everything written so far, terminal sequences removed."""
        with self._lock:
            raw = bytes(self._output)
        return _ESCAPES.sub(b"", raw).decode("utf-8", "replace")

    def wait_for(self, text: str) -> None:
        deadline = time.monotonic() + WAIT
        while text not in self.text():
            assert alive(self.pid), f"the console ended waiting for {text!r}"
            assert time.monotonic() < deadline, f"no {text!r} within {WAIT:g}s"
            time.sleep(0.1)

    def send(self, data: bytes) -> None:
        os.write(self.fd, data)

    def wait_exit(self) -> int:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
                return self.status
            time.sleep(0.05)
        raise AssertionError(f"the console did not exit within {WAIT:g}s")

    def close(self) -> None:
        if self.status is None and alive(self.pid):
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        os.close(self.fd)


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    folder = tmp_path / "tmp"
    folder.mkdir()
    return folder


@pytest.fixture
def console(scratch: Path, veil_env: dict[str, str]) -> Iterator[PtyConsole]:
    env = {**veil_env, "TMPDIR": str(scratch)}
    started = PtyConsole([str(VEIL), "--demo", "--render", "ascii"], env, (100, 30))
    try:
        yield started
    finally:
        started.close()


def test_bytes_that_are_not_utf8_are_typed_as_replacement_characters(
    console: PtyConsole, scratch: Path, veil_env: dict[str, str]
) -> None:
    console.wait_for("Log in to view cameras")
    console.send(b"\xff\xfe")
    console.wait_for("\ufffd\ufffd")  # in the user-name field, as what was typed
    console.send(b"\x7f\x7f")  # backspace them away, then pause as a person would:
    time.sleep(1)  # Textual acts on Backspace after the printable keys of the same burst
    name, password = demo.SUPERVISOR
    console.send(name.encode() + b"\t" + password.encode() + b"\r")
    console.wait_for("Lobby entrance")
    assert alive(console.pid)
    # The demo removes its data dir when it ends, so it is read while the demo runs.
    data = demo_data_dir(scratch)
    events = [(record["event"], record["operator"]) for record in audit_records(veil_env, data)]
    assert ("login_ok", name) in events
    logged = (data / "logs" / "console.log").read_text()
    assert f": login_ok, operator '{name}'" in logged
    for file in (data / "logs").iterdir():
        assert password.encode() not in file.read_bytes()
    console.send(b"\x11")  # ctrl+q
    assert console.wait_exit() == 0
    assert "Traceback" not in console.text() and "UnicodeDecodeError" not in console.text()

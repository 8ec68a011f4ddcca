"""Camera credentials in a keyring: an in-memory test backend, never the real one."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail as failing
from keyring.backends import null
from keyring.backends.chainer import ChainerBackend
from keyrings.alt.file import PlaintextKeyring

from console.core.video import credentials
from console.core.video.credentials import CredentialError
from tests.support.admin_cli import run_veil

SECRET = "s3cr:et pass"


class MemoryKeyring(KeyringBackend):
    """Holds secrets in a dict for one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise keyring.errors.PasswordDeleteError("not found")


@pytest.fixture
def memory() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


def test_store_resolve_delete(memory: MemoryKeyring) -> None:
    credentials.store("gate", "viewer", SECRET)
    assert memory.entries == {("veil", "camera:gate"): f"viewer:{SECRET}"}
    assert credentials.resolve("gate") == ("viewer", SECRET)
    credentials.delete("gate")
    assert memory.entries == {}
    with pytest.raises(CredentialError, match="no credential 'gate' is stored; run: veil"):
        credentials.resolve("gate")
    with pytest.raises(CredentialError, match="no credential 'gate' is stored"):
        credentials.delete("gate")


def test_invalid_entries_are_refused(memory: MemoryKeyring) -> None:
    with pytest.raises(CredentialError, match="contain no ':'"):
        credentials.store("gate", "a:b", SECRET)
    with pytest.raises(CredentialError, match="invalid credential name"):
        credentials.store("the gate", "viewer", SECRET)
    memory.entries[("veil", "camera:gate")] = "no separator"
    with pytest.raises(CredentialError, match="not in the form user:password") as caught:
        credentials.resolve("gate")
    assert "no separator" not in str(caught.value)


@pytest.fixture
def select() -> Iterator[Callable[[KeyringBackend], None]]:
    """Make a given backend the keyring's choice for one test."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


def test_missing_backend_gives_a_clear_error_without_secrets(
    select: Callable[[KeyringBackend], None],
) -> None:
    select(failing.Keyring())
    for action in (
        lambda: credentials.store("gate", "viewer", SECRET),
        lambda: credentials.resolve("gate"),
    ):
        with pytest.raises(CredentialError, match="keyring.backends.fail.Keyring is no keyring"):
            action()


@pytest.mark.parametrize(
    "backend",
    [PlaintextKeyring, null.Keyring, failing.Keyring],
    ids=["plaintext", "null", "fail"],
)
def test_insecure_backends_are_refused_naming_them_and_the_fix(
    backend: type[KeyringBackend],
    select: Callable[[KeyringBackend], None],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))  # where PlaintextKeyring would write
    select(backend())
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert run_veil("credential", "set", "gate", "--user", "viewer", "--password-stdin") == 3
    err = capsys.readouterr().err
    assert f"keyring backend {backend.__module__}.{backend.__qualname__} " in err
    assert "PYTHON_KEYRING_BACKEND=keyring.backends.SecretService.Keyring" in err
    assert SECRET not in err
    assert list(tmp_path.rglob("*")) == [], "nothing was written anywhere"
    with pytest.raises(CredentialError, match="only in a secure keyring"):
        credentials.resolve("gate")


def test_a_chain_is_used_through_the_backend_it_stores_in(
    select: Callable[[KeyringBackend], None], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A chain reads from every member: Veil uses only the first, and judges that one."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    secure, plaintext = MemoryKeyring(), PlaintextKeyring()
    plaintext.set_password("veil", "camera:gate", f"planted:{SECRET}")
    members = [secure, plaintext]
    monkeypatch.setattr(ChainerBackend, "backends", members)
    select(ChainerBackend())
    assert credentials.backend_name() == f"{__name__}.MemoryKeyring"
    with pytest.raises(CredentialError, match="no credential 'gate' is stored"):
        credentials.resolve("gate")
    credentials.store("gate", "viewer", SECRET)
    assert secure.entries == {("veil", "camera:gate"): f"viewer:{SECRET}"}
    members.reverse()
    with pytest.raises(CredentialError, match="PlaintextKeyring keeps secrets unencrypted"):
        credentials.resolve("gate")


def test_backend_failures_are_wrapped_without_their_text(memory: MemoryKeyring) -> None:
    def broken(service: str, username: str, password: str) -> None:
        raise RuntimeError(f"leaky backend saw {password}")

    memory.set_password = broken  # type: ignore[method-assign]
    with pytest.raises(CredentialError) as caught:
        credentials.store("gate", "viewer", SECRET)
    assert str(caught.value).endswith("failed for credential 'gate': RuntimeError")
    assert SECRET not in str(caught.value)


def test_cli_set_and_delete(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET + "\n"))
    assert run_veil("credential", "set", "gate", "--user", "viewer", "--password-stdin") == 0
    out = capsys.readouterr().out
    assert out == f"stored credential gate in {__name__}.MemoryKeyring\n"
    assert credentials.resolve("gate") == ("viewer", SECRET)
    assert run_veil("credential", "delete", "gate") == 0
    assert run_veil("credential", "delete", "gate") == 3
    assert capsys.readouterr().err == "veil: no credential 'gate' is stored\n"


def test_cli_prompts_for_user_and_password_twice(
    memory: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = [SECRET, SECRET]
    monkeypatch.setattr("builtins.input", lambda prompt: "viewer")
    monkeypatch.setattr("getpass.getpass", lambda prompt: answers.pop(0))
    assert run_veil("credential", "set", "gate") == 0
    assert answers == []
    assert credentials.resolve("gate") == ("viewer", SECRET)


def test_cli_stdin_password_needs_user_option(
    memory: MemoryKeyring, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_veil("credential", "set", "gate", "--password-stdin") == 1
    assert "--user" in capsys.readouterr().err
    assert memory.entries == {}

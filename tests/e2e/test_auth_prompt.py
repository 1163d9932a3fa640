"""The last source: a prompt, only on a real terminal, never under --no-input (pexpect pty);
and keyrings that crash are reported once, then skipped."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pexpect
import pytest

from pipkey.auth import Authenticator, AuthSettings, CredentialsMissing, IndexAuth
from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "pr0mpt-Pa55"


@pytest.fixture
def pypi(packages_dir: Path, pypiserver_factory: Callable[..., Any]) -> Any:
    build_wheel(packages_dir, "pkg0", "1.0")
    return pypiserver_factory(packages_dir, users={"alice": PASSWORD})


def spawn_install(venv: Path, index_url: str, *extra: str) -> pexpect.spawn:
    """``pipkey install pkg0`` on a real pseudo-terminal."""
    args = [
        "-m",
        "pipkey",
        "install",
        "--python",
        str(venv),
        "--no-cache",
        *extra,
        "--index-url",
        index_url,
        "pkg0",
    ]
    return pexpect.spawn(sys.executable, args, env=dict(os.environ), encoding="utf-8", timeout=60)


def test_prompt_on_a_terminal_then_save_to_the_store(
    pypi: Any, venv: Path, no_keyring_backend: None
) -> None:
    """pip prompts and offers to save; pipkey saves to its own store once the index accepts."""
    child = spawn_install(venv, pypi.url)
    transcript: list[str] = []
    child.logfile_read = _Collect(transcript)
    child.expect("Username: ")
    child.sendline("alice")
    child.expect("Password: ")
    child.sendline(PASSWORD)
    child.expect(r"Save these credentials .*\? \[y/N\] ")
    child.sendline("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, "".join(transcript)
    assert_no_secret(PASSWORD, "".join(transcript), username="alice")
    listed = run_pipkey("auth", "list")
    assert pypi.url in listed.stdout and "alice" in listed.stdout


def test_no_input_never_prompts_even_on_a_terminal(
    pypi: Any, venv: Path, no_keyring_backend: None
) -> None:
    child = spawn_install(venv, pypi.url, "--no-input")
    index = child.expect(["Username: ", pexpect.EOF])
    output = child.before or ""
    child.close()
    assert index == 1, "prompted despite --no-input"
    assert child.exitstatus != 0
    assert "prompt: skipped (--no-input)" in output


def test_without_a_terminal_there_is_no_prompt(
    pypi: Any, venv: Path, no_keyring_backend: None
) -> None:
    result = run_pipkey("install", "--python", venv, "--no-cache", "--index-url", pypi.url, "pkg0")
    assert result.returncode != 0
    assert "prompt: skipped (not a terminal)" in result.stderr


class _Collect:
    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    def write(self, data: str) -> None:
        self.sink.append(data)

    def flush(self) -> None:
        pass


# -- crashing keyrings --------------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["import", "subprocess"])
def test_a_crashing_keyring_is_reported_once_and_skipped(
    provider: str,
    pypi: Any,
    tmp_path: Path,
    pypiserver_factory: Callable[..., Any],
    json_keyring: Any,
    keyring_cli: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """keyring CLI rc 1 with a traceback is a broken backend, not a miss: asked once, and said
    in the error of the request that needed it — no separate warning (issue 21: the warning
    only when keyring was needed, and then as the reason the credentials are missing)."""
    monkeypatch.setenv("PIPKEY_TEST_KEYRING_RAISE", "1")
    warnings: list[str] = []
    (tmp_path / "other").mkdir()
    other = pypiserver_factory(tmp_path / "other", users={"bob": PASSWORD})
    second = IndexAuth(other.url)
    engine = Authenticator(
        AuthSettings(
            indexes=(IndexAuth(pypi.url), second),
            keyring_provider=provider,  # type: ignore[arg-type]
            keyring_path=str(keyring_cli.path),
            no_input=True,
        ),
        warn=warnings.append,
    )
    with engine.client() as client:
        for url in (pypi.url, second.url):
            with pytest.raises(CredentialsMissing) as info:
                client.get(url)
            rendered = info.value.render()
            assert "keyring: error" in rendered or "skipped" in rendered
            assert "crash requested" in rendered or "broken backend" in rendered, rendered
    assert warnings == []
    assert len(json_keyring.calls()) == 1

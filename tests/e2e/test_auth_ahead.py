"""Credentials looked up ahead for an index whose keyring answered last run (auth/ahead.py):
nginx ``auth_basic`` in front of pypiserver, the real keyring CLI in its own venv with the
logging test backend, a new venv per run."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-ahead"
AHEAD = "looking up credentials ahead"


def _venv(where: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where)], check=True)
    return where


def _install(tmp_path: Path, name: str, url: str, keyring_cli: Any, *extra: str) -> Any:
    venv = _venv(tmp_path / name)
    return run_pipkey(
        "install", "-v", "--python", venv, "--cache-dir", tmp_path / "cache",
        "--index-url", url, "--keyring-provider", "subprocess", "app", *extra,
        env={**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path)},
    )  # fmt: skip


def _lookups(json_keyring: Any) -> int:
    return len(json_keyring.calls("get_credential") + json_keyring.calls("get_password"))


@pytest.fixture
def packages(packages_dir: Path) -> Path:
    build_wheel(packages_dir, "app", "1.0", requires=["lib"])
    build_wheel(packages_dir, "lib", "1.0")
    return packages_dir


@pytest.fixture
def private(
    packages: Path,
    pypiserver_factory: Callable[..., Any],
    nginx_factory: Callable[..., Any],
    json_keyring: Any,
) -> Any:
    """nginx auth_basic in front of pypiserver; alice's password in the keyring."""
    proxy = nginx_factory(pypiserver_factory(packages).root, {"alice": PASSWORD})
    json_keyring.set(proxy.url, "alice", PASSWORD)
    return proxy


def test_an_index_whose_keyring_answered_is_looked_up_ahead_with_the_same_requests(
    tmp_path: Path, private: Any, json_keyring: Any, keyring_cli: Any
) -> None:
    """pip and uv ask the keyring only after a 401; so does the first run. The second starts
    the lookup before its first request, yet authenticates as the first run did (the first page
    anonymously, refused, then every request with the keyring's credentials; the second run is
    warm, so it makes fewer requests), and asks the keyring once, as before."""
    proxy = private
    first = _install(tmp_path, "first", proxy.url, keyring_cli)
    assert first.returncode == 0, first.stderr
    assert AHEAD not in first.stderr
    assert _lookups(json_keyring) == 1
    hints = list((tmp_path / "cache" / "auth-hints-v1").iterdir())
    assert len(hints) == 1 and hints[0].read_bytes() == b""  # a hash of the URL, no content
    seen = proxy.access_log_entries()

    second = _install(tmp_path, "second", proxy.url, keyring_cli)
    assert second.returncode == 0, second.stderr
    assert AHEAD in second.stderr
    assert _lookups(json_keyring) == 2  # one per run
    again = proxy.access_log_entries()[len(seen) :]
    for run in (seen, again):  # the first page anonymously, refused; then every request with
        assert (run[0]["uri"], run[0]["status"], run[0]["user"]) == ("/simple/app/", "401", "")
        assert all(e["user"] == "alice" and e["status"] != "401" for e in run[1:]), run
    for result in (first, second):
        assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")
    for path in (tmp_path / "cache").rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path
    assert "alice" not in hints[0].name


def test_an_index_that_no_longer_asks_is_forgotten_after_one_unused_look_ahead(
    tmp_path: Path,
    private: Any,
    packages: Path,
    pypiserver_factory: Callable[..., Any],
    json_keyring: Any,
    keyring_cli: Any,
) -> None:
    """The index went public (same URL, no auth_basic now): one run looks up ahead for
    nothing, sees every request answered without a challenge and drops the hint; the run after
    asks the keyring nothing, as pip and uv would."""
    assert _install(tmp_path, "first", private.url, keyring_cli).returncode == 0
    hints = tmp_path / "cache" / "auth-hints-v1"
    (hint,) = hints.iterdir()

    public = pypiserver_factory(packages, authenticate="")
    (hints / _hash(public.url)).write_bytes(b"")  # as if the public URL had asked last time
    before = _lookups(json_keyring)
    looked = _install(tmp_path, "second", public.url, keyring_cli)
    assert looked.returncode == 0, looked.stderr
    assert AHEAD in looked.stderr
    assert not (hints / _hash(public.url)).exists()
    assert hint.exists()  # the other index's hint is its own

    after = _lookups(json_keyring)
    plain = _install(tmp_path, "third", public.url, keyring_cli)
    assert plain.returncode == 0, plain.stderr
    assert AHEAD not in plain.stderr
    assert _lookups(json_keyring) == after
    assert after > before  # the one look-ahead walked the keyring's service names


def test_no_cache_keeps_no_hints(tmp_path: Path, private: Any, keyring_cli: Any) -> None:
    for name in ("first", "second"):
        result = _install(tmp_path, name, private.url, keyring_cli, "--no-cache")
        assert result.returncode == 0, result.stderr
        assert AHEAD not in result.stderr
    assert not (tmp_path / "cache" / "auth-hints-v1").exists()


def _hash(url: str) -> str:
    import hashlib

    from pipkey.auth.urls import split_credentials

    return hashlib.sha256(split_credentials(url)[0].encode()).hexdigest()

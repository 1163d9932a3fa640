"""``pipkey auth …`` and auth failures at the command line, against real servers and keyrings.

Issue 4 Done-when 4 (login → install → logout, Secret Service and file store), 5 (doctor's
first line names the cause), 6 (Bazel helper); issue 2 Done-when 5 at the CLI (exit status,
no secret in any output, verbose logs included).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-cli-Pa55"
WRONG = "wr0ng-cli-Pa55"


@pytest.fixture
def pypi(packages_dir: Path, pypiserver_factory: Callable[..., Any]) -> Any:
    build_wheel(packages_dir, "pkg0", "1.0")
    return pypiserver_factory(packages_dir, users={"alice": PASSWORD})


def install(
    venv: Path, index_url: str, *args: str, verbose: bool = False, env: Any = None
) -> subprocess.CompletedProcess[str]:
    """``pipkey [-vv] install pkg0`` from ``index_url`` into ``venv``, no cache."""
    return run_pipkey(
        *(["-vv"] if verbose else []),
        "install",
        "--python",
        venv,
        "--no-cache",
        "--index-url",
        index_url,
        *args,
        "pkg0",
        env=env,
    )


def login(url: str, *args: str, secret: str = PASSWORD) -> subprocess.CompletedProcess[str]:
    return run_pipkey(
        "auth", "login", url, "--username", "alice", "--password-stdin", *args, input=secret + "\n"
    )


def store_file() -> Path:
    return Path(run_pipkey("auth", "dir").stdout.strip()) / "credentials.toml"


# -- login / install / logout ----------------------------------------------------------------------


def test_login_to_file_store_then_install_then_logout(
    pypi: Any, venv: Path, no_keyring_backend: None
) -> None:
    done = login(pypi.url, "--check")
    assert done.returncode == 0, done.stderr
    path = store_file()
    assert (path.stat().st_mode & 0o777) == 0o600
    assert "alice" in path.read_text()
    listed = run_pipkey("auth", "list")
    assert pypi.url in listed.stdout and "[file]" in listed.stdout
    result = install(venv, pypi.url, "--keyring-provider", "disabled")
    assert result.returncode == 0, result.stderr
    assert_no_secret(
        PASSWORD,
        done.stdout,
        done.stderr,
        listed.stdout,
        result.stdout,
        result.stderr,
        username="alice",
    )
    assert run_pipkey("auth", "logout", pypi.url).returncode == 0
    assert "alice" not in path.read_text()
    again = install(venv, pypi.url, "--reinstall", "--keyring-provider", "disabled")
    assert again.returncode != 0 and "no credentials found" in again.stderr


def test_login_to_the_secret_service_then_install_then_logout(
    pypi: Any, venv: Path, secret_service: Any
) -> None:
    done = login(pypi.url)
    assert done.returncode == 0, done.stderr
    assert "OS keyring" in done.stdout
    # Stored under the index URL: the first service name pip and uv ask for too.
    assert keyring.get_password(pypi.url, "alice") == PASSWORD
    assert PASSWORD not in store_file().read_text()
    result = install(venv, pypi.url, "--keyring-provider", "disabled")
    assert result.returncode == 0, result.stderr
    assert run_pipkey("auth", "logout", pypi.url).returncode == 0
    assert keyring.get_password(pypi.url, "alice") is None


def test_login_check_refuses_wrong_credentials_and_saves_nothing(
    pypi: Any, no_keyring_backend: None
) -> None:
    done = login(pypi.url, "--check", secret=WRONG)
    assert done.returncode != 0
    assert "rejected user 'alice'" in done.stderr and "403" in done.stderr
    assert not store_file().exists()
    assert_no_secret(WRONG, done.stdout, done.stderr, username="alice")


def test_token_prints_the_secret_only_when_asked(pypi: Any, no_keyring_backend: None) -> None:
    login(pypi.url)
    assert run_pipkey("auth", "token", pypi.url).stdout.strip() == PASSWORD
    assert_no_secret(PASSWORD, run_pipkey("auth", "list", "--json").stdout)


# -- failures at the command line (issue 2, Done-when 5) ---------------------------------------


def test_wrong_password_in_keyring_fails_clearly_with_no_secret_anywhere(
    pypi: Any, venv: Path, json_keyring: Any, keyring_cli: Any
) -> None:
    json_keyring.set(pypi.url, "alice", WRONG)
    result = install(
        venv,
        pypi.url.replace("http://", "http://alice@"),
        "--keyring-provider",
        "subprocess",
        verbose=True,
        env={**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path)},
    )
    assert result.returncode != 0
    assert pypi.url in result.stderr
    assert "403" in result.stderr and "keyring CLI" in result.stderr
    assert "user 'alice'" in result.stderr
    assert "Traceback" not in result.stderr
    assert_no_secret(WRONG, result.stdout, result.stderr, username="alice")


# -- doctor (issue 4, Done-when 5) -----------------------------------------------------------------


def doctor(url: str, *args: str, env: dict[str, str] | None = None) -> Any:
    return run_pipkey("auth", "doctor", url, *args, env=env)


def test_doctor_on_a_working_index(pypi: Any, json_keyring: Any, keyring_cli: Any) -> None:
    json_keyring.set(pypi.url, "alice", PASSWORD)
    env = {**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path)}
    result = doctor(pypi.url, "--keyring-provider", "subprocess", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    first = result.stdout.splitlines()[0]
    assert first.startswith("OK ") and "200" in first and "user 'alice'" in first
    assert "keyring: hit" in result.stdout
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_doctor_on_a_wrong_password(pypi: Any, json_keyring: Any, keyring_cli: Any) -> None:
    json_keyring.set(pypi.url, "alice", WRONG)
    env = {**os.environ, "PIPKEY_KEYRING_PATH": str(keyring_cli.path)}
    result = doctor(pypi.url, "--keyring-provider", "subprocess", env=env)
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("FAIL ") and "403" in first and "refused" in first
    assert "keyring CLI" in first
    assert_no_secret(WRONG, result.stdout, result.stderr, username="alice")


def test_doctor_when_keyring_is_only_in_local_bin(
    pypi: Any, json_keyring: Any, keyring_cli: Any, home: Path
) -> None:
    local_bin = home / ".local" / "bin"
    local_bin.mkdir(parents=True)
    (local_bin / "keyring").symlink_to(keyring_cli.path)
    json_keyring.set(pypi.url, "alice", PASSWORD)
    result = doctor(pypi.url, "--keyring-provider", "subprocess")
    assert result.returncode == 0, result.stdout
    first = result.stdout.splitlines()[0]
    assert "~/.local/bin" in first and "not on PATH" in first


def test_doctor_when_keyring_is_absent(pypi: Any, json_keyring: Any) -> None:
    json_keyring.set(pypi.url, "alice", PASSWORD)
    result = doctor(pypi.url, "--keyring-provider", "subprocess")
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith("FAIL ") and "no keyring executable" in first
    assert "~/.local/bin" in first


def test_doctor_on_a_server_answering_403_without_credentials(
    packages_dir: Path, programmable_index_factory: Callable[..., Any]
) -> None:
    build_wheel(packages_dir, "pkg0", "1.0")
    index = programmable_index_factory(projects={"pkg0": list(packages_dir.iterdir())})
    index.auth = lambda header: 403
    result = doctor(index.url, "--keyring-provider", "disabled", "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)[0]
    assert report["status"] == 403
    assert report["headline"].startswith("FAIL ") and "no credentials found" in report["headline"]
    assert "403" in report["headline"]


# -- Bazel credential helper (issue 4, Done-when 6) ------------------------------------------------


def test_bazel_helper_returns_the_header_for_a_configured_index(pypi: Any) -> None:
    env = {
        **os.environ,
        "PIPKEY_INDEX_PRIVATE_USERNAME": "alice",
        "PIPKEY_INDEX_PRIVATE_PASSWORD": PASSWORD,
    }
    result = run_pipkey(
        "auth",
        "helper",
        "--protocol",
        "bazel",
        "get",
        "--index",
        f"private={pypi.url}",
        "--keyring-provider",
        "disabled",
        input=json.dumps({"uri": pypi.url + "pkg0/"}),
        env=env,
    )
    assert result.returncode == 0, result.stderr
    header = json.loads(result.stdout)["headers"]["Authorization"][0]
    assert base64.b64decode(header.removeprefix("Basic ")).decode() == f"alice:{PASSWORD}"


def test_bazel_helper_answers_an_empty_object_for_an_unknown_host(pypi: Any) -> None:
    result = run_pipkey(
        "auth",
        "helper",
        "--protocol",
        "bazel",
        "get",
        "--keyring-provider",
        "disabled",
        input=json.dumps({"uri": "https://unknown.example/x.whl"}),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {}


def test_bazel_helper_rejects_malformed_input() -> None:
    result = run_pipkey("auth", "helper", "--protocol", "bazel", "get", input="not json")
    assert result.returncode == 2 and "uri" in result.stderr


def test_password_in_the_index_url_never_reaches_verbose_logs(pypi: Any, venv: Path) -> None:
    """-vv turns on httpx's request log; URLs carrying a password must still be redacted."""
    url = pypi.url.replace("http://", f"http://alice:{PASSWORD}@")
    result = install(venv, url, "--keyring-provider", "disabled", verbose=True)
    assert result.returncode == 0, result.stderr
    assert "HTTP Request" in result.stderr  # the verbose log really was on
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_direct_url_install_with_credentials_leaves_none_in_the_environment(
    pypi: Any, venv: Path
) -> None:
    """PEP 610: direct_url.json must not record credentials; nor may any other file."""
    wheel = pypi.root.replace("http://", f"http://alice:{PASSWORD}@") + (
        "/packages/pkg0-1.0-py3-none-any.whl"
    )
    result = run_pipkey("install", "--python", venv, "--keyring-provider", "disabled", wheel)
    assert result.returncode == 0, result.stderr
    written = [p.read_text(errors="replace") for p in venv.rglob("*") if p.is_file()]
    cache = [
        p.read_text(errors="replace") for p in Path(os.environ["HOME"]).rglob("*") if p.is_file()
    ]
    assert_no_secret(PASSWORD, result.stdout, result.stderr, *written, *cache, username="alice")

"""The keyring fixtures are real keyrings that behave as the design brief says keyring does."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest

from tests.support.keyrings import JsonKeyring, KeyringCLI, PlaintextKeyring, SecretService

pytestmark = pytest.mark.e2e

SERVICE = "https://pkgs.example.test/simple/"


def test_keyring_cli_is_not_on_path_and_newer_than_25_2_1(keyring_cli: KeyringCLI) -> None:
    assert shutil.which("keyring") is None
    assert keyring_cli.path.is_file()
    assert tuple(int(part) for part in keyring_cli.version.split(".")[:3]) >= (25, 2, 1)


def test_keyring_cli_creds_mode_answers_a_username_less_get_as_json(
    keyring_cli: KeyringCLI, json_keyring: JsonKeyring
) -> None:
    json_keyring.set(SERVICE, "oauth2accesstoken", "tok-1")
    result = keyring_cli.run("--mode", "creds", "--output", "json", "get", SERVICE)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"username": "oauth2accesstoken", "password": "tok-1"}


def test_keyring_cli_get_of_a_missing_password_exits_1_silently(
    keyring_cli: KeyringCLI, json_keyring: JsonKeyring
) -> None:
    result = keyring_cli.run("get", SERVICE, "nobody")
    assert (result.returncode, result.stdout) == (1, "")


def test_keyring_cli_25_1_reports_creds_mode_after_get_as_unrecognized_arguments(
    keyring_cli_old: KeyringCLI, json_keyring: JsonKeyring
) -> None:
    assert keyring_cli_old.version == "25.1.0"
    result = keyring_cli_old.run("get", SERVICE, "--mode", "creds", "--output", "json")
    assert result.returncode == 2
    assert "unrecognized arguments: --mode creds --output json" in result.stderr


def test_keyring_cli_25_1_reports_creds_mode_before_get_as_an_invalid_operation(
    keyring_cli_old: KeyringCLI, json_keyring: JsonKeyring
) -> None:
    """argparse reads the unknown ``--mode`` as a flag and ``creds`` as the operation.

    So the order the CLI is called with decides the message: a fallback must key on exit
    status 2 (argparse usage error), not on the words "unrecognized arguments".
    """
    result = keyring_cli_old.run("--mode", "creds", "--output", "json", "get", SERVICE)
    assert result.returncode == 2
    assert "invalid choice: 'creds'" in result.stderr


def test_json_keyring_logs_every_call_with_the_calling_process(
    keyring_cli: KeyringCLI, json_keyring: JsonKeyring
) -> None:
    json_keyring.set(SERVICE, "alice", "s3cret")
    assert keyring.get_password(SERVICE, "alice") == "s3cret"
    keyring_cli.run("--mode", "creds", "--output", "json", "get", SERVICE)
    calls = json_keyring.calls()
    assert [(c["op"], c["service"], c["username"]) for c in calls] == [
        ("get_password", SERVICE, "alice"),
        ("get_credential", SERVICE, None),
    ]
    assert calls[0]["pid"] == os.getpid() != calls[1]["pid"]


def test_json_keyring_reads_the_file_on_every_call(json_keyring: JsonKeyring) -> None:
    json_keyring.set(SERVICE, "aws", "token-1")
    first = keyring.get_credential(SERVICE, None)
    json_keyring.set(SERVICE, "aws", "token-2")
    second = keyring.get_credential(SERVICE, None)
    assert (first.password, second.password) == ("token-1", "token-2")  # type: ignore[union-attr]


def test_json_keyring_crashes_on_request(
    json_keyring: JsonKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIPKEY_TEST_KEYRING_RAISE", "1")
    with pytest.raises(RuntimeError, match="crash requested"):
        keyring.get_password(SERVICE, "alice")
    assert len(json_keyring.calls("get_password")) == 1


def test_json_keyring_stays_out_of_the_way_when_not_configured(keyring_cli: KeyringCLI) -> None:
    probe = "import keyring; print(type(keyring.get_keyring()).__name__)"
    result = subprocess.run(
        [str(keyring_cli.venv / "bin" / "python"), "-c", probe],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() != "JsonKeyring"


def test_json_keyring_is_picked_by_priority_in_the_cli_venv(
    keyring_cli: KeyringCLI, json_keyring: JsonKeyring
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHON_KEYRING_BACKEND", "PYTHONPATH"}}
    json_keyring.set(SERVICE, "alice", "s3cret")
    result = keyring_cli.run("get", SERVICE, "alice", env=env)
    assert (result.returncode, result.stdout) == (0, "s3cret\n")


def test_plaintext_keyring_stores_under_the_test_data_home(
    plaintext_keyring: PlaintextKeyring,
) -> None:
    plaintext_keyring.set(SERVICE, "alice", "s3cret")
    assert plaintext_keyring.file.is_relative_to(os.environ["XDG_DATA_HOME"])
    probe = f"import keyring; print(keyring.get_password({SERVICE!r}, 'alice'))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout == "s3cret\n", result.stderr


def test_no_keyring_backend_finds_nothing(no_keyring_backend: None) -> None:
    probe = f"import keyring; print(keyring.get_credential({SERVICE!r}, None))"
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout == "None\n", result.stderr


def test_secret_service_answers_a_username_less_lookup_in_another_process(
    secret_service: SecretService,
) -> None:
    secret_service.set(SERVICE, "__token__", "glpat-1")
    probe = (
        f"import keyring; c = keyring.get_credential({SERVICE!r}, None); "
        "print(c.username, c.password)"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.stdout == "__token__ glpat-1\n", result.stderr


def test_netrc_file_is_written_private_in_home(netrc_file: Callable[[str], Path]) -> None:
    path = netrc_file("machine pkgs.example.test login alice password s3cret\n")
    assert path == Path(os.environ["HOME"]) / ".netrc"
    assert path.stat().st_mode & 0o777 == 0o600

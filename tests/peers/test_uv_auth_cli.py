"""uv's ``crates/uv/tests/it/auth.rs`` (``uv auth login/logout/token`` and the Bazel helper) as
``pipkey auth …`` runs: a real subprocess, the file store (keyring's ``fail`` backend)."""

from __future__ import annotations

import base64
import json

import pytest

from tests.support.cli import run_pipkey

pytestmark = pytest.mark.e2e
URL = "https://example.com/simple/"


def _login(url: str, user: str, secret: str) -> None:
    done = run_pipkey("auth", "login", url, "-u", user, "--password-stdin", input=secret + "\n")
    assert done.returncode == 0, done.stderr


def _helper(uri: str) -> dict[str, object]:
    done = run_pipkey("auth", "helper", "--protocol", "bazel", "get", "--keyring-provider",
                      "disabled", input=json.dumps({"uri": uri}))  # fmt: skip
    assert done.returncode == 0, done.stderr
    answer: dict[str, object] = json.loads(done.stdout)
    return answer


def test_logout_text_store_multiple_usernames(no_keyring_backend: None) -> None:
    """Also uv's ``login_password_stdin`` and ``token_text_store_username``."""
    _login(URL, "user1", "pass1")
    _login(URL, "user2", "pass2")
    token = run_pipkey("auth", "token", "https://user2@example.com/simple/")
    assert token.stdout.strip() == "pass2", token.stderr
    assert run_pipkey("auth", "logout", URL, "-u", "user1").returncode == 0
    listed = run_pipkey("auth", "list").stdout
    assert "user2" in listed and "user1" not in listed


def test_bazel_helper_basic_auth_and_username_in_uri(no_keyring_backend: None) -> None:
    """uv's ``bazel_helper_basic_auth``, ``bazel_helper_username_in_uri``,
    ``bazel_helper_unknown_username_in_uri`` and ``bazel_helper_no_credentials``."""
    _login("https://test.example.com/", "specificuser", "specificpass")
    basic = "Basic " + base64.b64encode(b"specificuser:specificpass").decode()
    assert _helper("https://test.example.com/pkg.whl") == {"headers": {"Authorization": [basic]}}
    named = _helper("https://specificuser@test.example.com/pkg.whl")
    assert named == {"headers": {"Authorization": [basic]}}
    assert _helper("https://unknownuser@test.example.com/pkg.whl") == {}
    assert _helper("https://other.example.com/pkg.whl") == {}


def test_bazel_helper_token(no_keyring_backend: None) -> None:
    """uv's ``bazel_helper_token`` and ``login_token_stdin``."""
    done = run_pipkey("auth", "login", "https://token.example.com/", "--token-stdin",
                      input="secret-token\n")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert _helper("https://token.example.com/x") == {
        "headers": {"Authorization": ["Bearer secret-token"]}
    }

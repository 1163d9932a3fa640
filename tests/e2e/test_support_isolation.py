"""Every test starts cut off from this machine's pip, uv and keyring configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.isolation import MACHINE_ENV

pytestmark = pytest.mark.e2e


def test_no_keyring_executable_is_on_path() -> None:
    assert shutil.which("keyring") is None


def test_pip_sees_no_machine_config_or_find_links() -> None:
    assert os.environ["PIP_CONFIG_FILE"] == os.devnull
    assert os.environ["PIP_FIND_LINKS"] == ""
    listed = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=True
    )
    assert listed.stdout.splitlines() == [":env:.config-file='/dev/null'", ":env:.find-links=''"]


def test_home_and_xdg_dirs_are_fresh_and_private() -> None:
    home = Path(os.environ["HOME"])
    assert home != Path(MACHINE_ENV.get("HOME", "/root"))
    assert [path for path in home.rglob("*") if not path.is_dir()] == []
    runtime = Path(os.environ["XDG_RUNTIME_DIR"])
    assert runtime.is_relative_to(home) and runtime.stat().st_mode & 0o777 == 0o700
    assert not any(key.startswith(("UV_", "PIPKEY_", "KEYRING_")) for key in os.environ)
    assert "PYTHON_KEYRING_BACKEND" not in os.environ


def test_run_pipkey_runs_this_checkout_with_the_isolated_env() -> None:
    result = run_pipkey("--version")
    assert result.returncode == 0, result.stderr
    assert "pipkey" in result.stdout.lower()


def test_assert_no_secret_catches_the_basic_header_form() -> None:
    leaked = "Authorization: Basic YWxpY2U6czNjcmV0"
    assert_no_secret("s3cret", leaked)
    with pytest.raises(AssertionError, match="basic credentials leaked"):
        assert_no_secret("s3cret", leaked, username="alice")

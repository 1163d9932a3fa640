"""Issue 21, Output: a plugin's own subprocess chatter (gcloud's ``ERROR:`` line) stays out of
``auth doctor`` unless -v; a broken keyring backend is said where it matters, not as a warning
on a run that may never need keyring."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipkey.auth import plugin_output
from pipkey.auth.keyrings import SubprocessProvider

GCLOUD_SAYS = "ERROR: (gcloud.config.config-helper) You do not currently have an active account"


def test_a_child_process_s_stderr_is_captured_not_shown(capfd: pytest.CaptureFixture[str]) -> None:
    lines: list[str] = []
    with plugin_output.fd_captured(lines):
        code = f"import sys; sys.stderr.write({GCLOUD_SAYS + chr(10)!r})"
        subprocess.run([sys.executable, "-c", code], check=True)
        os.write(2, b"token https://u:hunter2@host/simple/\n")
    shown = capfd.readouterr()
    assert GCLOUD_SAYS not in shown.err and "hunter2" not in shown.err
    assert lines[0] == GCLOUD_SAYS
    assert "hunter2" not in lines[1]
    os.write(2, b"after\n")
    assert capfd.readouterr().err == "after\n"  # fd 2 is back


def test_a_broken_keyring_cli_is_no_warning_and_its_reason_is_the_answer(
    keyring_cli: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PIPKEY_TEST_KEYRING_RAISE", "1")
    warnings: list[str] = []
    provider = SubprocessProvider(
        str(keyring_cli.path), timeout=30, warn=warnings.append, environ=dict(os.environ)
    )
    answer = provider.get("https://pkgs.example/simple/", "alice")
    assert answer.outcome == "error"
    assert "broken backend" in answer.detail
    again = provider.get("https://other.example/simple/", "alice")
    assert again.outcome == "skipped" and "broken backend" in again.detail
    assert warnings == []

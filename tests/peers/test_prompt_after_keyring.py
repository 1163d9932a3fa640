"""Issue 18 bug 1: an in-process keyring miss does not switch the terminal prompt off.

pip prompts after keyring found nothing (``tests/unit/test_network_auth.py::
test_prompt_for_authentication``, ``test_prompt_for_keyring_if_needed``); pipkey's plugin-output
router (which keeps keyring plugins' stderr chatter out of the way) must keep saying that
``sys.stderr`` is the terminal it is. A real pseudo-terminal (pexpect), a real keyring backend
in-process (the JSON test backend, which misses), nginx asking for credentials.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pexpect
import pytest

from tests.peers.conftest import PASSWORD, Server
from tests.support.cli import assert_no_secret

pytestmark = pytest.mark.e2e


def test_keyring_miss_then_prompt_on_a_terminal(
    nginx: Server, json_keyring: Any, tmp_path: Path
) -> None:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "pipkey", "download", "--no-cache", "--keyring-provider", "import",
         "--index-url", nginx.url, "-d", str(tmp_path / "out"), "pkg0"],
        env=dict(os.environ), encoding="utf-8", timeout=60,
    )  # fmt: skip
    transcript: list[str] = []
    child.logfile_read = _Collect(transcript)
    child.expect(["Username: ", pexpect.EOF])
    assert "Username: " in "".join(transcript), "".join(transcript)
    child.sendline("alice")
    child.expect("Password: ")
    child.sendline(PASSWORD)
    child.expect(r"Save these credentials .*\? \[y/N\] ")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, "".join(transcript)
    assert json_keyring.calls(), "the in-process keyring was never asked"
    assert (tmp_path / "out" / "pkg0-1.0-py3-none-any.whl").is_file()
    assert_no_secret(PASSWORD, "".join(transcript), username="alice")


class _Collect:
    def __init__(self, sink: list[str]) -> None:
        self.sink = sink

    def write(self, data: str) -> None:
        self.sink.append(data)

    def flush(self) -> None:
        pass

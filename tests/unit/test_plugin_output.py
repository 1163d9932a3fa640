"""What in-process keyring plugins write to sys.stderr is kept per thread (artifacts-keyring
copies its credential provider's stderr onto ours), everything else passes through."""

from __future__ import annotations

import io
import sys
import threading

import pytest

from pipkey.auth import plugin_output


def test_only_the_capturing_threads_writes_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    real = io.StringIO()
    monkeypatch.setattr(sys, "stderr", real)
    said: list[str] = []
    with plugin_output.captured(said):
        sys.stderr.write("[Warning] [CredentialProvider]Warning: plain-text token cache\n")
        other = threading.Thread(target=lambda: sys.stderr.write("pipkey progress\n"))
        other.start()
        other.join()
        sys.stderr.write("token for https://user:hunter2@example.org/simple/\n")
    sys.stderr.write("after\n")
    assert real.getvalue() == "pipkey progress\nafter\n"
    assert said[0] == "[Warning] [CredentialProvider]Warning: plain-text token cache"
    assert "hunter2" not in said[1]  # redacted before it is logged or shown


def test_error_line_is_the_last_error_marked_line() -> None:
    lines = ["[Error] [CredentialProvider]first", "[Warning] x", "[Error] [CredentialProvider]last"]
    assert plugin_output.error_line(lines) == "[Error] [CredentialProvider]last"
    assert plugin_output.error_line(["[Warning] only a warning"]) is None

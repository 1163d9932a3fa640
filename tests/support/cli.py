"""Run pipkey the way a user does: a separate process, so env, PATH and stdin are real."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_pipkey(
    *args: str | os.PathLike[str],
    env: Mapping[str, str] | None = None,
    input: str | None = None,
    cwd: str | os.PathLike[str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m pipkey`` with the interpreter running pytest.

    ``sys.executable`` rather than a ``pipkey`` script on PATH: the isolated PATH has no
    Python tool directories, and the test must exercise the code in this checkout.
    """
    return subprocess.run(
        [sys.executable, "-m", "pipkey", *map(str, args)],
        env=dict(os.environ if env is None else env),
        input=input,
        cwd=Path(cwd) if cwd is not None else None,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        stdin=None if input is not None else subprocess.DEVNULL,
    )


def assert_no_secret(secret: str, *texts: str, username: str | None = None) -> None:
    """Fail when ``secret`` (or the Basic header value it would make) shows up in any text.

    The base64 form matters: a leaked ``Authorization`` header does not contain the secret
    in clear.
    """
    assert secret, "assert_no_secret needs a non-empty secret"
    needles = {"secret": secret}
    if username is not None:
        needles["basic credentials"] = base64.b64encode(f"{username}:{secret}".encode()).decode()
    for index, text in enumerate(texts):
        for label, needle in needles.items():
            if needle in text:
                shown = text.replace(needle, f"<{label.upper()}>")
                raise AssertionError(f"{label} leaked in text #{index}: {shown!r}")

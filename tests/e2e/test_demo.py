"""``scripts/demo``, the README's first command, runs end to end and keeps its password secret.

It starts a real pypiserver with a random htpasswd password, stores the password in a real
keyring backend and installs through ``pipkey install``; the only place the password may appear
is ``.demo/password``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import assert_no_secret
from tests.support.isolation import MACHINE_ENV, TRUST_VARIABLES

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "scripts" / "demo"


def test_demo_installs_from_the_private_index_and_never_prints_the_password() -> None:
    # The demo installs its tools from the package registry the way a user would: with the
    # machine's trust settings (this machine's egress intercepts TLS), which tests otherwise drop.
    trust = {k: v for k, v in MACHINE_ENV.items() if k in TRUST_VARIABLES}
    env = {**os.environ, **trust, "PYTHON": sys.executable}
    proc = subprocess.run(
        [str(DEMO)],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=240,
        check=False,
    )
    output = proc.stdout
    print(output)
    assert proc.returncode == 0, output[-2000:]
    assert "hello from a private index" in output
    assert "+ hello-private==1.0" in output
    assert "OK http://127.0.0.1:" in output
    assert "200 OK: credentials accepted" in output
    password_file = ROOT / ".demo" / "password"
    assert password_file.stat().st_mode & 0o077 == 0
    password = password_file.read_text().strip()
    assert_no_secret(password, output, username="alice")

"""Issue 18 bug 3: a token in the URL's username slot is sent.

pip (``tests/unit/test_network_auth.py::test_get_credentials_uses_pypirc`` family and its docs,
"https://TOKEN@host/") sends ``TOKEN:``; uv (``crates/uv-auth`` ``credentials.rs``
``test_password_only``/``authenticated_url_with_password_only``) also sends ``https://:TOKEN@host/``
as ``:TOKEN``. pipkey asks keyring for the URL's username first (a username alone is the
documented way to point keyring at a password), and only then sends the username with an empty
password. Real pip and real uv run as controls.
"""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipkey.auth import CredentialsRejected, IndexAuth
from tests.peers.conftest import PASSWORD, TOKEN, Server, make_engine, walk
from tests.support.programmable import ProgrammableIndex, require_basic
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e


def test_token_as_url_username_is_sent_with_an_empty_password(nginx: Server) -> None:
    url = nginx.with_userinfo(TOKEN)
    engine, _ = make_engine(IndexAuth(url))
    assert walk(engine, nginx.url) == [200, 200, 200]
    assert TOKEN in nginx.users_seen()[-3:]


def test_username_alone_finds_its_password_in_keyring_first(
    nginx: Server, json_keyring: Any
) -> None:
    json_keyring.set(nginx.url, "alice", PASSWORD)
    engine, _ = make_engine(IndexAuth(nginx.with_userinfo("alice")), keyring_provider="import")
    assert walk(engine, nginx.url) == [200, 200, 200]
    assert [(c["username"]) for c in json_keyring.calls()] == ["alice"]


def test_empty_password_refused_says_which_source_sent_it(pypi: Server) -> None:
    """pypiserver answers 403 to ``user:`` (DESIGN.md): the error names the URL username."""
    engine, _ = make_engine(IndexAuth(pypi.with_userinfo("alice")))
    with pytest.raises(CredentialsRejected) as info:
        walk(engine, pypi.url)
    text = info.value.render()
    assert "403" in text and "username alone, empty password" in text


@pytest.fixture(scope="module")
def password_only_index(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Basic ``:TOKEN`` only: no real server here takes an empty username (htpasswd cannot)."""
    wheel = build_wheel(tmp_path_factory.mktemp("po-wheels"), "pkg0", "1.0")
    with ProgrammableIndex(projects={"pkg0": [wheel]}) as index:
        index.auth = require_basic({"": TOKEN})
        yield index


def test_uv_password_only_url_is_sent_as_empty_username(password_only_index: Any) -> None:
    index = password_only_index
    index.clear()
    url = index.url.replace("http://", f"http://:{TOKEN}@")
    engine, _ = make_engine(IndexAuth(url))
    assert walk(engine, index.url) == [200, 200, 200]
    expected = "Basic " + base64.b64encode(f":{TOKEN}".encode()).decode()
    assert {r.authorization for r in index.requests} == {expected}


# -- controls: the peers themselves -----------------------------------------------------------


def test_control_real_pip_sends_the_url_token(nginx: Server, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "-q",
         "-d", str(tmp_path), "--index-url", nginx.with_userinfo(TOKEN), "pkg0"],
        env={**os.environ, "PIP_CONFIG_FILE": os.devnull}, capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert TOKEN in nginx.users_seen()


def test_control_real_uv_sends_the_password_only_url(
    password_only_index: Any, tmp_path: Path
) -> None:
    index = password_only_index
    index.clear()
    uv = Path(sys.executable).with_name("uv")
    url = index.url.replace("http://", f"http://:{TOKEN}@")
    done = subprocess.run(
        [str(uv), "pip", "compile", "-", "--no-cache", "--quiet", "--index-url", url],
        input="pkg0\n", env={**os.environ, "UV_NO_CONFIG": "1"}, capture_output=True,
        text=True, check=False, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pkg0==1.0" in done.stdout
    expected = "Basic " + base64.b64encode(f":{TOKEN}".encode()).decode()
    assert expected in {r.authorization for r in index.requests}

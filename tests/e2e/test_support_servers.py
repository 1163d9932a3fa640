"""The server fixtures behave like the real registries they stand for."""

from __future__ import annotations

import base64
import re
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from tests.support.servers import (
    NginxFactory,
    ProgrammableIndex,
    ProgrammableIndexFactory,
    PyPIServerFactory,
    require_basic,
    token_sequence,
)
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

USERS = {"alice": "s3cret"}


def _request(url: str, auth: tuple[str, str] | None = None) -> urllib.request.Request:
    request = urllib.request.Request(url)
    if auth is not None:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    return request


def _get(url: str, auth: tuple[str, str] | None = None) -> tuple[int, Message, bytes]:
    try:
        with urllib.request.urlopen(_request(url, auth), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_pypiserver_without_credentials_answers_401_with_pypi_realm(
    packages_dir: Path, pypiserver_factory: PyPIServerFactory
) -> None:
    server = pypiserver_factory(packages_dir, users=USERS)
    status, headers, _ = _get(server.url)
    assert (status, headers.get("WWW-Authenticate")) == (401, 'Basic realm="pypi"')


def test_pypiserver_with_wrong_password_answers_403(
    packages_dir: Path, pypiserver_factory: PyPIServerFactory
) -> None:
    server = pypiserver_factory(packages_dir, users=USERS)
    assert _get(server.url, ("alice", "wrong"))[0] == 403


def test_pypiserver_with_right_password_lists_a_wheel_added_after_start(
    packages_dir: Path, pypiserver_factory: PyPIServerFactory
) -> None:
    server = pypiserver_factory(packages_dir, users=USERS)
    build_wheel(packages_dir, "Demo.Pkg", "1.0")
    status, _, body = _get(f"{server.url}demo-pkg/", ("alice", "s3cret"))
    assert status == 200
    assert b"demo_pkg-1.0-py3-none-any.whl" in body


def test_nginx_answers_401_with_its_realm_without_credentials(
    packages_dir: Path, pypiserver_factory: PyPIServerFactory, nginx_factory: NginxFactory
) -> None:
    proxy = nginx_factory(pypiserver_factory(packages_dir).root, USERS, realm="corp")
    status, headers, _ = _get(proxy.url)
    assert (status, headers.get("WWW-Authenticate")) == (401, 'Basic realm="corp"')


def test_nginx_answers_401_not_403_for_a_wrong_password(
    packages_dir: Path, pypiserver_factory: PyPIServerFactory, nginx_factory: NginxFactory
) -> None:
    proxy = nginx_factory(pypiserver_factory(packages_dir).root, USERS)
    assert _get(proxy.url, ("alice", "wrong"))[0] == 401


def test_nginx_serves_files_through_relative_links_and_logs_the_user(
    packages_dir: Path, pypiserver_factory: PyPIServerFactory, nginx_factory: NginxFactory
) -> None:
    wheel = build_wheel(packages_dir, "demo", "1.0")
    proxy = nginx_factory(pypiserver_factory(packages_dir).root, USERS)
    status, _, page = _get(f"{proxy.url}demo/", ("alice", "s3cret"))
    href = re.search(rb'href="([^"#]+)', page)
    assert status == 200 and href is not None
    file_url = urllib.parse.urljoin(f"{proxy.url}demo/", href.group(1).decode())
    assert file_url.startswith(proxy.root)
    status, _, body = _get(file_url, ("alice", "s3cret"))
    assert (status, body) == (200, wheel.read_bytes())
    assert proxy.access_log_entries() == [
        {"user": "alice", "status": "200", "uri": "/simple/demo/"},
        {"user": "alice", "status": "200", "uri": file_url.removeprefix(proxy.root)},
    ]


def test_nginx_keeps_pypiserver_name_redirects_on_its_own_port(
    packages_dir: Path, pypiserver_factory: PyPIServerFactory, nginx_factory: NginxFactory
) -> None:
    build_wheel(packages_dir, "Demo.Pkg", "1.0")
    proxy = nginx_factory(pypiserver_factory(packages_dir).root, USERS)
    request = _request(f"{proxy.url}Demo.Pkg/", ("alice", "s3cret"))
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.url == f"{proxy.url}demo-pkg/"


def test_programmable_index_rotates_tokens_after_the_given_number_of_uses(
    tmp_path: Path, programmable_index_factory: ProgrammableIndexFactory
) -> None:
    index: ProgrammableIndex = programmable_index_factory(
        projects={"demo": [build_wheel(tmp_path, "demo", "1.0")]}
    )
    index.auth = token_sequence("oauth2accesstoken", ["t1", "t2"], uses=2)
    token1, token2 = ("oauth2accesstoken", "t1"), ("oauth2accesstoken", "t2")
    statuses = [_get(index.url, auth)[0] for auth in (token1, token1, token1, token2, None)]
    assert statuses == [200, 200, 401, 200, 401]
    assert [r.authorization is not None for r in index.requests] == [True] * 4 + [False]


def test_programmable_index_redirects_files_to_another_index(
    tmp_path: Path, programmable_index_factory: ProgrammableIndexFactory
) -> None:
    wheel = build_wheel(tmp_path, "demo", "1.0", requires_python=">=3.8")
    target = programmable_index_factory(projects={"demo": [wheel]})
    index = programmable_index_factory(projects={"demo": [wheel]})
    index.redirect_files_to = target.root
    index.auth = require_basic(USERS)
    _, _, page = _get(f"{index.url}demo/", ("alice", "s3cret"))
    assert b'data-requires-python="&gt;=3.8"' in page
    status, _, body = _get(f"{index.root}/files/{wheel.name}", ("alice", "s3cret"))
    assert (status, body) == (200, wheel.read_bytes())
    assert [r.path for r in target.requests] == [f"/files/{wheel.name}"]

"""One shared server of each kind for the whole peers' suite (issue 18), started once per session.

- ``pypi``: pypiserver 2.4 with an htpasswd file (no credentials → 401, wrong ones → 403), users
  for the registries' conventions (``__token__``, ``oauth2accesstoken``, ``aws``,
  ``VssSessionToken``) besides ``alice`` and ``bob``.
- ``nginx``: nginx ``auth_basic`` in front of an open pypiserver (401 for every failure), whose
  access log says which user each request carried — the proof of what was *sent*.

Cloud registries are recognised by host name (``*.pkg.dev``, CodeArtifact's, Azure's): for
in-process engine tests :class:`Routed` sends such a URL to the local server, the way an
``/etc/hosts`` entry would, leaving the request (its Host, its Authorization) untouched.
"""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from pipkey.auth import Authenticator, AuthSettings, IndexAuth
from tests.support.servers import NginxAuth, PyPIServer
from tests.support.wheels import build_wheel

PASSWORD = "s3cret-peer-Pa55"
BOB_PASSWORD = "b0b-peer-Pa55"
TOKEN = "tok-peer-0123456789"
USERS = {
    "alice": PASSWORD,
    "bob": BOB_PASSWORD,
    "__token__": TOKEN,
    "gitlab-ci-token": TOKEN,
    "oauth2accesstoken": TOKEN,
    "aws": TOKEN,
    "VssSessionToken": TOKEN,
    # A token in the username slot with an empty password (pip: https://TOKEN@host/).
    TOKEN: "",
    # pip's test_network_auth fixtures: accepted, so no case pays for a refused refresh.
    "saved-user1": "pw1",
    "saved-user2": "pw2",
    "user": "user!netloc",
    "user2": "user2!netloc",
    "foo": "foo!url",
    "username": "hunter2",
}
HREF = re.compile(r'href="([^"#]+)')


@dataclass(frozen=True)
class Server:
    """A running index: ``root`` (scheme://host:port) and ``url`` (its ``/simple/``)."""

    root: str
    url: str
    service: Any

    @property
    def netloc(self) -> str:
        return self.root.split("://", 1)[1]

    def with_userinfo(self, userinfo: str, path: str = "/simple/") -> str:
        return f"http://{userinfo}@{self.netloc}{path}"

    def users_seen(self) -> list[str]:
        """Usernames nginx saw, one per request ("" for anonymous): nginx only."""
        return [entry["user"] for entry in self.service.access_log_entries()]

    def mark(self) -> int:
        """How many requests nginx logged so far (the server is shared by the session)."""
        return len(self.service.access_log_entries())

    def entries_since(self, mark: int) -> list[dict[str, str]]:
        return list(self.service.access_log_entries()[mark:])


@pytest.fixture(scope="session")
def peer_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("peer-wheels")
    for name in ("pkg0", "pkg1"):
        build_wheel(out, name, "1.0")
    return out


@pytest.fixture(scope="session")
def pypi(peer_wheels: Path) -> Iterator[Server]:
    with PyPIServer(peer_wheels, users=USERS) as server:
        yield Server(server.root, server.url, server)


@pytest.fixture(scope="session")
def open_pypi(peer_wheels: Path) -> Iterator[Server]:
    with PyPIServer(peer_wheels) as server:
        yield Server(server.root, server.url, server)


@pytest.fixture(scope="session")
def nginx(open_pypi: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    workdir = tmp_path_factory.mktemp("peer-nginx")
    workdir.chmod(0o755)
    with NginxAuth(open_pypi.root, USERS, realm="peers", workdir=workdir) as server:
        yield Server(server.root, server.url, server)


class Routed(httpx.BaseTransport):
    """Send requests for ``routes`` (``scheme://host`` + path prefix → local base URL) to the local
    server; the request keeps its own Host header and Authorization (an ``/etc/hosts`` stand-in)."""

    def __init__(self, routes: Mapping[str, str]) -> None:
        # Longest prefix first; every routed origin also maps whole (files under /packages/).
        table = dict(routes)
        for prefix, base in routes.items():
            parts = urlsplit(prefix)
            table.setdefault(f"{parts.scheme}://{parts.netloc}/", base)
        self.routes = dict(sorted(table.items(), key=lambda kv: -len(kv[0])))
        self.inner = httpx.HTTPTransport()
        self.sent: list[tuple[str, str | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        self.sent.append((url, _basic_user(request.headers.get("Authorization"))))
        for prefix, base in self.routes.items():
            if url.startswith(prefix):
                rest = url[len(prefix) :]
                headers = httpx.Headers(request.headers)
                headers["Host"] = urlsplit(base).netloc
                local = httpx.Request(
                    request.method,
                    base.rstrip("/") + "/" + rest.lstrip("/"),
                    headers=headers,
                    content=request.content,
                )
                response = self.inner.handle_request(local)
                return httpx.Response(
                    response.status_code,
                    headers=response.headers,
                    stream=response.stream,
                    request=request,
                )
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def _basic_user(header: str | None) -> str | None:
    if header is None or not header.startswith("Basic "):
        return None
    return base64.b64decode(header[6:]).decode().partition(":")[0]


def make_engine(*indexes: IndexAuth | str, **kwargs: Any) -> tuple[Authenticator, list[str]]:
    """An engine for ``indexes`` with no prompt (unless ``no_input=False``) and warnings kept."""
    warnings: list[str] = []
    kwargs.setdefault("no_input", True)
    kwargs.setdefault("keyring_provider", "disabled")
    items = tuple(IndexAuth(i) if isinstance(i, str) else i for i in indexes)
    return Authenticator(AuthSettings(indexes=items, **kwargs), warn=warnings.append), warnings


def get(engine: Authenticator, url: str, transport: httpx.BaseTransport | None = None) -> int:
    """One GET through the engine's client; the status (auth errors propagate)."""
    with engine.client(timeout=30, transport=transport) as client:
        return client.get(url).status_code


def walk(
    engine: Authenticator, index_url: str, transport: httpx.BaseTransport | None = None
) -> list[int]:
    """The index page, one project page and its first file: what an install fetches."""
    with engine.client(timeout=30, transport=transport) as client:
        top = client.get(index_url)
        statuses = [top.status_code]
        project = str(top.url.join(HREF.findall(top.text)[0]))
        page = client.get(project)
        statuses.append(page.status_code)
        statuses.append(client.get(str(page.url.join(HREF.findall(page.text)[0]))).status_code)
    return statuses


@dataclass(frozen=True)
class TLSServer:
    """nginx with ``ssl`` from a CA made here, asking for a client certificate from that CA."""

    ca: Any
    service: Any
    client_pem: Path

    @property
    def port(self) -> int:
        return int(self.service.port)

    def url(self, userinfo: str = f"alice:{PASSWORD}") -> str:
        return f"https://{userinfo}@127.0.0.1:{self.port}/simple/"


@pytest.fixture(scope="session")
def mtls(open_pypi: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSServer]:
    from tests.support.tls import TestCA

    ca = TestCA(tmp_path_factory.mktemp("peer-ca"))
    tls = ca.server(name="peer-mtls", client_ca=ca.bundle)
    workdir = tmp_path_factory.mktemp("peer-nginx-mtls")
    workdir.chmod(0o755)
    with NginxAuth(open_pypi.root, USERS, workdir=workdir, tls=tls) as server:
        yield TLSServer(ca, server, ca.client_pem("peer-client"))


class ScriptedPrompter:
    """The user at the terminal, scripted: answers the credential prompt and the save question
    (the real terminal prompt is exercised on a pty in test_prompt_after_keyring.py)."""

    def __init__(self, answer: tuple[str, str], save: bool = True) -> None:
        self.answer = answer
        self.save = save
        self.asked: list[str] = []
        self.save_offers: list[str] = []

    def available(self) -> bool:
        return True

    def ask(self, what: str, username: str | None) -> tuple[str, str] | None:
        self.asked.append(what)
        return self.answer

    def confirm_save(self, where: str) -> bool:
        self.save_offers.append(where)
        return self.save


class Recorder(httpx.BaseTransport):
    """The real transport, noting the Basic credentials of every request as it leaves pipkey:
    what was *sent* is the observable the peers' unit tests assert on."""

    def __init__(self, inner: httpx.BaseTransport | None = None) -> None:
        self.inner = inner or httpx.HTTPTransport()
        self.sent: list[tuple[str, tuple[str, str] | None]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.sent.append((str(request.url), _basic_pair(request.headers.get("Authorization"))))
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()

    def first_credentials(self) -> tuple[str, str] | None:
        return next((pair for _url, pair in self.sent if pair is not None), None)


def _basic_pair(header: str | None) -> tuple[str, str] | None:
    if header is None or not header.startswith("Basic "):
        return None
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return user, password


def sent_for(
    engine: Authenticator, *urls: str, transport: httpx.BaseTransport | None = None
) -> Recorder:
    """GET each URL through the engine (auth failures are answers too), recording what left."""
    from pipkey.auth import AuthError

    recorder = Recorder(transport)
    with engine.client(timeout=30, transport=recorder) as client:
        for url in urls:
            with contextlib.suppress(AuthError):
                client.get(url)
    return recorder

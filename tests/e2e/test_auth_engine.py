"""The auth engine against real servers and real keyrings (issue: the auth engine, Done-when 1-12).

Requests go through ``Authenticator.client()``, the same httpx wiring the installer uses; the
keyring is the real library in-process or the real ``keyring`` CLI in its own venv, with a test
backend that logs every lookup so lookups can be counted.
"""

from __future__ import annotations

import base64
import os
import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from pipkey.auth import (
    Authenticator,
    AuthSettings,
    CredentialsMissing,
    CredentialsRejected,
    IndexAuth,
)
from tests.support.cli import assert_no_secret
from tests.support.programmable import require_basic, require_bearer, token_sequence
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55"
HREF = re.compile(r'href="([^"#]+)')


@dataclass
class Private:
    """A password-protected index: ``root`` + ``/simple/``; wheels ``pkg0``…``pkgN``."""

    root: str
    kind: str

    @property
    def url(self) -> str:
        return self.root + "/simple/"

    def with_user(self, user: str) -> str:
        return self.url.replace("http://", f"http://{user}@")


def _wheels(packages_dir: Path, count: int = 4) -> list[Path]:
    return [build_wheel(packages_dir, f"pkg{i}", "1.0") for i in range(count)]


@pytest.fixture(params=["pypiserver", "nginx"])
def private_index(
    request: pytest.FixtureRequest,
    packages_dir: Path,
    pypiserver_factory: Callable[..., Any],
    nginx_factory: Callable[..., Any],
) -> Private:
    _wheels(packages_dir)
    if request.param == "pypiserver":
        server = pypiserver_factory(packages_dir, users={"alice": PASSWORD})
        return Private(server.root, "pypiserver")
    upstream = pypiserver_factory(packages_dir)
    proxy = nginx_factory(upstream.root, {"alice": PASSWORD})
    return Private(proxy.root, "nginx")


def fetch(engine: Authenticator, index_url: str, requests: int) -> list[int]:
    """Fetch the project list, project pages and files until ``requests`` were made."""
    statuses: list[int] = []
    with engine.client(timeout=30) as client:
        top = client.get(index_url)
        statuses.append(top.status_code)
        projects = [str(top.url.join(h)) for h in HREF.findall(top.text)]
        while len(statuses) < requests:
            for project in projects:
                page = client.get(project)
                statuses.append(page.status_code)
                for href in HREF.findall(page.text):
                    if len(statuses) >= requests:
                        break
                    statuses.append(client.get(str(page.url.join(href))).status_code)
                if len(statuses) >= requests:
                    break
    return statuses


def engine_for(*indexes: IndexAuth, **kwargs: Any) -> tuple[Authenticator, list[str]]:
    warnings: list[str] = []
    settings = AuthSettings(indexes=indexes, no_input=True, **kwargs)
    return Authenticator(settings, warn=warnings.append), warnings


def cli_settings(cli: Any) -> dict[str, Any]:
    return {"keyring_provider": "subprocess", "keyring_path": str(cli.path)}


# -- 1, 2: keyring through the CLI, one lookup per run ------------------------------------------


def test_username_in_url_password_from_keyring_cli_costs_one_lookup(
    private_index: Private, json_keyring: Any, keyring_cli: Any
) -> None:
    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, _ = engine_for(IndexAuth(private_index.with_user("alice")), **cli_settings(keyring_cli))
    statuses = fetch(engine, private_index.url, 20)
    assert statuses == [200] * 20
    calls = json_keyring.calls()
    assert len(calls) == 1, calls
    assert calls[0]["service"] == private_index.url and calls[0]["username"] == "alice"


def test_no_username_anywhere_uses_keyring_creds_mode(
    private_index: Private, json_keyring: Any, keyring_cli: Any
) -> None:
    """pip needs keyring >= 25.2.1 for this; uv only does it under authenticate = always."""
    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, _ = engine_for(IndexAuth(private_index.url), **cli_settings(keyring_cli))
    assert fetch(engine, private_index.url, 6) == [200] * 6
    calls = json_keyring.calls()
    assert [(c["op"], c["username"]) for c in calls] == [("get_credential", None)]


def test_credentials_stored_for_pip_under_the_bare_netloc_are_found(
    private_index: Private, json_keyring: Any, keyring_cli: Any
) -> None:
    netloc = private_index.root.removeprefix("http://")
    json_keyring.set(netloc, "alice", PASSWORD)
    engine, _ = engine_for(IndexAuth(private_index.url), **cli_settings(keyring_cli))
    assert fetch(engine, private_index.url, 3) == [200] * 3


# -- 3: keyring CLI older than 25.2.1 --------------------------------------------------------------


def test_old_keyring_cli_with_username_from_url(
    private_index: Private, json_keyring: Any, keyring_cli_old: Any
) -> None:
    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, _ = engine_for(
        IndexAuth(private_index.with_user("alice")), **cli_settings(keyring_cli_old)
    )
    assert fetch(engine, private_index.url, 5) == [200] * 5
    assert [c["op"] for c in json_keyring.calls()] == ["get_password"]


def test_old_keyring_cli_with_configured_username(
    private_index: Private, json_keyring: Any, keyring_cli_old: Any
) -> None:
    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, _ = engine_for(
        IndexAuth(private_index.url, username="alice"), **cli_settings(keyring_cli_old)
    )
    assert fetch(engine, private_index.url, 3) == [200] * 3


def test_old_keyring_cli_without_any_username_says_it_needs_one(
    private_index: Private, json_keyring: Any, keyring_cli_old: Any
) -> None:
    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, _ = engine_for(IndexAuth(private_index.url), **cli_settings(keyring_cli_old))
    with pytest.raises(CredentialsMissing) as info:
        fetch(engine, private_index.url, 1)
    assert "needs a username" in info.value.render()


# -- 4: a 403 for a username-only request ----------------------------------------------------------


def test_403_for_username_with_empty_password_still_consults_keyring(
    packages_dir: Path, pypiserver_factory: Callable[..., Any], json_keyring: Any, keyring_cli: Any
) -> None:
    """pypiserver answers `alice:` (empty password) with 403; pip 26.3 then gives up without
    asking keyring. pipkey drops the rejected credentials and asks the next source."""
    _wheels(packages_dir, 1)
    server = pypiserver_factory(packages_dir, users={"alice": PASSWORD})
    json_keyring.set(server.url, "alice", PASSWORD)
    index = IndexAuth(server.url.replace("http://", "http://alice:@"))
    engine, _ = engine_for(index, **cli_settings(keyring_cli))
    assert fetch(engine, server.url, 4) == [200] * 4
    assert len(json_keyring.calls()) == 1


# -- 5: wrong password -----------------------------------------------------------------------------


def test_wrong_password_names_index_source_and_status_without_the_secret(
    private_index: Private, json_keyring: Any, keyring_cli: Any
) -> None:
    wrong = "wr0ng-Secret-Value"
    json_keyring.set(private_index.url, "alice", wrong)
    engine, _ = engine_for(IndexAuth(private_index.with_user("alice")), **cli_settings(keyring_cli))
    with pytest.raises(CredentialsRejected) as info:
        fetch(engine, private_index.url, 1)
    text = info.value.render()
    expected_status = "403" if private_index.kind == "pypiserver" else "401"
    assert private_index.url in text and expected_status in text
    assert "keyring CLI" in text and "user 'alice'" in text
    assert_no_secret(wrong, text, repr(info.value), username="alice")


# -- 6: keyring executable discovery ---------------------------------------------------------------


def test_keyring_only_in_local_bin_is_found(
    private_index: Private, json_keyring: Any, keyring_cli: Any, home: Path
) -> None:
    local_bin = home / ".local" / "bin"
    local_bin.mkdir(parents=True)
    (local_bin / "keyring").symlink_to(keyring_cli.path)
    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, warnings = engine_for(IndexAuth(private_index.url), keyring_provider="subprocess")
    assert fetch(engine, private_index.url, 2) == [200, 200]
    assert engine.discovery is not None and engine.discovery.how == "~/.local/bin"
    assert warnings == []


def test_keyring_absent_everywhere_warns_once_with_places_and_fix(
    private_index: Private, json_keyring: Any
) -> None:
    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, warnings = engine_for(IndexAuth(private_index.url), keyring_provider="subprocess")
    with pytest.raises(CredentialsMissing) as info:
        fetch(engine, private_index.url, 1)
    assert len(warnings) == 1
    assert "PATH" in warnings[0] and "~/.local/bin" in warnings[0]
    assert "PIPKEY_KEYRING_PATH" in warnings[0]
    assert "no keyring backend or executable found" in info.value.render()


# -- 7: token expiry mid-run -----------------------------------------------------------------------


def test_expired_token_is_refreshed_from_keyring_and_the_run_completes(
    packages_dir: Path,
    programmable_index_factory: Callable[..., Any],
    json_keyring: Any,
    keyring_cli: Any,
) -> None:
    wheels = _wheels(packages_dir, 3)
    index = programmable_index_factory(projects={f"pkg{i}": [w] for i, w in enumerate(wheels)})
    index.auth = token_sequence("oauth2accesstoken", ["T1-token", "T2-token"], uses=4)
    json_keyring.set(index.url, "oauth2accesstoken", "T1-token")
    engine, _ = engine_for(IndexAuth(index.url), **cli_settings(keyring_cli))
    with engine.client() as client:
        assert client.get(index.url).status_code == 200
        json_keyring.set(index.url, "oauth2accesstoken", "T2-token")  # the plugin refreshed
        statuses = [client.get(index.url + f"pkg{i % 3}/").status_code for i in range(10)]
    assert statuses == [200] * 10
    assert len(json_keyring.calls()) == 2


# -- 8: cross-origin redirects ---------------------------------------------------------------------


def _redirecting_pair(packages_dir: Path, factory: Callable[..., Any]) -> tuple[Any, Any, Path]:
    wheel = _wheels(packages_dir, 1)[0]
    files = factory(projects={"pkg0": [wheel]})
    index = factory(projects={"pkg0": [wheel]})
    index.auth = require_basic({"alice": PASSWORD})
    index.redirect_files_to = files.root
    return index, files, wheel


def test_cross_origin_redirect_carries_no_authorization(
    packages_dir: Path, programmable_index_factory: Callable[..., Any]
) -> None:
    index, files, wheel = _redirecting_pair(packages_dir, programmable_index_factory)
    engine, _ = engine_for(
        IndexAuth(index.url.replace("http://", f"http://alice:{PASSWORD}@")),
        keyring_provider="disabled",
    )
    with engine.client() as client:
        response = client.get(index.root + f"/files/{wheel.name}")
    assert response.status_code == 200 and response.content == wheel.read_bytes()
    assert [r.authorization for r in files.requests] == [None]
    assert index.requests[-1].authorization is not None


def test_redirect_target_gets_its_own_credentials_when_it_asks(
    packages_dir: Path,
    programmable_index_factory: Callable[..., Any],
    json_keyring: Any,
    keyring_cli: Any,
) -> None:
    index, files, wheel = _redirecting_pair(packages_dir, programmable_index_factory)
    files.auth = require_bearer({"file-host-token"})
    json_keyring.set(index.url, "alice", PASSWORD)
    engine, _ = engine_for(
        IndexAuth(index.url),
        IndexAuth(files.root + "/files/", name="files"),
        environ={**os.environ, "PIPKEY_INDEX_FILES_TOKEN": "file-host-token"},
        **cli_settings(keyring_cli),
    )
    with engine.client() as client:
        response = client.get(index.root + f"/files/{wheel.name}")
    assert response.status_code == 200 and response.content == wheel.read_bytes()
    seen = {r.authorization for r in files.requests}
    assert seen <= {"Bearer file-host-token"}
    assert all(r.authorization is None or "Basic" in r.authorization for r in index.requests)


def test_http_to_https_upgrade_is_a_change_of_origin(packages_dir: Path) -> None:
    """httpx keeps Authorization on an http→https redirect to the same host; pipkey does not."""
    from pipkey.auth.flow import _follow

    request = httpx.Request("GET", "http://h/simple/", headers={"Authorization": "Basic eA=="})
    response = httpx.Response(301, headers={"location": "https://h/simple/"}, request=request)
    assert "Authorization" not in _follow(request, response).headers


# -- 9: a keyring that hangs -----------------------------------------------------------------------


@pytest.mark.parametrize("provider", ["import", "subprocess"])
def test_hung_keyring_backend_ends_within_the_timeout(
    provider: str,
    packages_dir: Path,
    pypiserver_factory: Callable[..., Any],
    json_keyring: Any,
    keyring_cli: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _wheels(packages_dir, 1)
    private_index = Private(pypiserver_factory(packages_dir, users={"alice": PASSWORD}).root, "")
    json_keyring.set(private_index.url, "alice", PASSWORD)
    monkeypatch.setenv("PIPKEY_TEST_KEYRING_SLEEP", "600")
    engine, warnings = engine_for(
        IndexAuth(private_index.url),
        keyring_provider=provider,
        keyring_path=str(keyring_cli.path),
        keyring_timeout=1.5,
        environ=dict(os.environ),
    )
    started = time.monotonic()
    with pytest.raises(CredentialsMissing) as info:
        fetch(engine, private_index.url, 1)
    assert time.monotonic() - started < 10
    # said once, in the error of the request that needed keyring (issue 21), not as a warning
    assert "timeout" in info.value.render() and "1.5 s" in info.value.render()
    assert warnings == []


# -- 10: Secret Service in-process -----------------------------------------------------------------


def test_import_provider_reads_the_real_secret_service_without_a_subprocess(
    private_index: Private, secret_service: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret_service.set(private_index.url, "alice", PASSWORD)
    spawned: list[Any] = []
    real_popen = subprocess.Popen

    def recording_popen(*args: Any, **kwargs: Any) -> Any:
        spawned.append(args[0] if args else kwargs.get("args"))
        return real_popen(*args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", recording_popen)
    engine, _ = engine_for(IndexAuth(private_index.url), keyring_provider="import")
    assert fetch(engine, private_index.url, 4) == [200] * 4
    assert spawned == []
    assert engine.keyring_calls == 1


# -- 11: netrc and several indexes on one host -----------------------------------------------------


@pytest.mark.parametrize("entry", ["machine 127.0.0.1 login alice", "default login alice"])
def test_netrc_entries(
    private_index: Private, netrc_file: Callable[[str], Path], entry: str
) -> None:
    netrc_file(f"{entry} password {PASSWORD}\n")
    engine, _ = engine_for(IndexAuth(private_index.url), keyring_provider="disabled")
    assert fetch(engine, private_index.url, 3) == [200] * 3


def test_two_indexes_on_one_host_with_different_credentials(
    packages_dir: Path, programmable_index_factory: Callable[..., Any]
) -> None:
    """Longest path prefix decides; each index keeps its own credentials."""
    wheel = _wheels(packages_dir, 1)[0]
    server = programmable_index_factory(projects={"pkg0": [wheel]})
    team_a = "Basic " + base64.b64encode(b"a-user:a-pass").decode()
    team_b = "Basic " + base64.b64encode(b"b-user:b-pass").decode()
    server.auth = lambda header: None if header in (team_a, team_b) else 401
    # Both "indexes" are prefixes of the one server; the deeper one owns /simple/pkg0/.
    shallow = IndexAuth(server.root + "/", name="team-a")
    deep = IndexAuth(server.root + "/simple/pkg0/", name="team-b")
    env = {
        "PIPKEY_INDEX_TEAM_A_USERNAME": "a-user",
        "PIPKEY_INDEX_TEAM_A_PASSWORD": "a-pass",
        "PIPKEY_INDEX_TEAM_B_USERNAME": "b-user",
        "PIPKEY_INDEX_TEAM_B_PASSWORD": "b-pass",
    }
    engine, _ = engine_for(shallow, deep, environ=env, keyring_provider="disabled")
    with engine.client() as client:
        assert client.get(server.root + "/simple/").status_code == 200
        assert client.get(server.root + "/simple/pkg0/").status_code == 200
    sent = [r.authorization for r in server.requests]
    assert sent == [team_a, team_b]


# -- 12: env vars, encoded URL credentials, bearer tokens ------------------------------------------


@pytest.mark.parametrize("prefix", ["PIPKEY", "UV"])
def test_per_index_env_var_credentials(private_index: Private, prefix: str) -> None:
    env = {
        f"{prefix}_INDEX_PRIVATE_USERNAME": "alice",
        f"{prefix}_INDEX_PRIVATE_PASSWORD": PASSWORD,
    }
    engine, _ = engine_for(
        IndexAuth(private_index.url, name="private"), environ=env, keyring_provider="disabled"
    )
    assert fetch(engine, private_index.url, 3) == [200] * 3


def test_percent_encoded_url_credentials(
    packages_dir: Path, pypiserver_factory: Callable[..., Any]
) -> None:
    _wheels(packages_dir, 1)
    server = pypiserver_factory(packages_dir, users={"me@corp": "p@ss:w/rd"})
    url = server.url.replace("http://", "http://me%40corp:p%40ss%3Aw%2Frd@")
    engine, _ = engine_for(IndexAuth(url), keyring_provider="disabled")
    assert fetch(engine, server.url, 3) == [200] * 3
    with engine.client() as client:
        response = client.get(url)
    assert response.status_code == 200
    assert response.request.url.userinfo == b""  # moved into the header, out of logs


def test_bearer_token_from_env(
    packages_dir: Path, programmable_index_factory: Callable[..., Any]
) -> None:
    wheel = _wheels(packages_dir, 1)[0]
    index = programmable_index_factory(projects={"pkg0": [wheel]})
    index.auth = require_bearer({"glpat-token"})
    engine, _ = engine_for(
        IndexAuth(index.url, name="gitlab"),
        environ={"PIPKEY_INDEX_GITLAB_TOKEN": "glpat-token"},
        keyring_provider="disabled",
    )
    assert fetch(engine, index.url, 3) == [200] * 3
    assert {r.authorization for r in index.requests} == {"Bearer glpat-token"}


# -- async flavour ---------------------------------------------------------------------------------


def test_async_client_shares_one_lookup_across_concurrent_requests(
    private_index: Private, json_keyring: Any, keyring_cli: Any
) -> None:
    import anyio

    json_keyring.set(private_index.url, "alice", PASSWORD)
    engine, _ = engine_for(IndexAuth(private_index.url), **cli_settings(keyring_cli))
    statuses: list[int] = []

    async def main() -> None:
        async with engine.async_client(timeout=30) as client:

            async def one(i: int) -> None:
                statuses.append((await client.get(private_index.url + f"pkg{i % 4}/")).status_code)

            async with anyio.create_task_group() as tg:
                for i in range(12):
                    tg.start_soon(one, i)

    anyio.run(main)
    assert statuses == [200] * 12
    assert len(json_keyring.calls()) == 1


def test_a_redirect_loop_ends_with_a_clear_error(
    programmable_index_factory: Callable[..., Any], packages_dir: Path
) -> None:
    wheel = _wheels(packages_dir, 1)[0]
    index = programmable_index_factory(projects={"pkg0": [wheel]})
    index.redirect_files_to = index.root  # /files/x → /files/x, forever
    engine, _ = engine_for(IndexAuth(index.url), keyring_provider="disabled")
    with engine.client() as client, pytest.raises(httpx.TooManyRedirects):
        client.get(index.root + f"/files/{wheel.name}")
    assert len(index.requests) == 21

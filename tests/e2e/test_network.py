"""Issue 7: pipkey on the networks pip and uv work on — a private CA (nginx ``ssl``), a real
forward proxy (tinyproxy) with Basic proxy auth, client certificates (``ssl_verify_client on``),
and a registry that answers 503 / hangs up before it recovers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.cli import assert_no_secret, run_pipkey
from tests.support.proxies import TinyProxy, tinyproxy_binary
from tests.support.servers import NginxAuth
from tests.support.tls import ServerTLS, TestCA
from tests.support.wheels import build_wheel

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-Pa55-network"
PROXY_PASSWORD = "pr0xy-Pa55-w0rd"


@dataclass
class TLSIndex:
    ca: TestCA
    nginx: NginxAuth

    def url(self, password: str = PASSWORD) -> str:
        return f"https://alice:{password}@127.0.0.1:{self.nginx.port}/simple/"


@pytest.fixture(scope="module")
def tls_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TLSIndex]:
    """nginx with ``ssl`` (cert from a CA made here) + ``auth_basic`` over an open pypiserver."""
    from tests.support.servers import PyPIServer

    packages = tmp_path_factory.mktemp("packages")
    build_wheel(packages, "netpkg", "1.0", requires=["netdep"])
    build_wheel(packages, "netdep", "2.0")
    ca = TestCA(tmp_path_factory.mktemp("ca"))
    with PyPIServer(packages, users=None, authenticate=".") as upstream:
        nginx = NginxAuth(
            upstream.root,
            {"alice": PASSWORD},
            workdir=tmp_path_factory.mktemp("nginx-tls"),
            tls=ca.server(),
        )
        with nginx:
            yield TLSIndex(ca, nginx)


def install(venv: Path, *args: str | Path, env: dict[str, str] | None = None) -> Any:
    return run_pipkey(
        "install", "--python", venv, "--cache-dir", venv.parent / "cache", *args, env=env
    )


def installed(venv: Path) -> set[str]:
    site = next((venv / "lib").glob("python3*/site-packages"))
    return {p.name.split("-")[0] for p in site.glob("*.dist-info")}


def no_traceback(result: Any) -> None:
    assert "Traceback" not in result.stderr + result.stdout


# -- 1. trust ---------------------------------------------------------------------------------


def test_unknown_issuer_is_refused_with_an_explanation(venv: Path, tls_index: TLSIndex) -> None:
    result = install(venv, "netpkg", "--index-url", tls_index.url(), "--retries", "0")
    assert result.returncode != 0
    no_traceback(result)
    assert "not trusted" in result.stderr
    assert "intercepts TLS" in result.stderr and "--cert" in result.stderr
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")
    assert installed(venv) == set()


def test_an_untrusted_certificate_is_not_retried(venv: Path, tls_index: TLSIndex) -> None:
    """Asking again cannot make a certificate trusted: one handshake, not four."""
    before = len(tls_index.nginx.access_log_entries())
    result = install(venv, "netpkg", "--index-url", tls_index.url(), "--retries", "3")
    assert result.returncode != 0
    assert "gave up after" not in result.stderr
    assert len(tls_index.nginx.access_log_entries()) == before


@pytest.mark.parametrize("how", ["--cert", "SSL_CERT_FILE", "PIP_CERT", "REQUESTS_CA_BUNDLE"])
def test_installs_when_the_ca_is_trusted(venv: Path, tls_index: TLSIndex, how: str) -> None:
    env = dict(os.environ)
    args: list[str | Path] = ["netpkg", "--index-url", tls_index.url()]
    if how == "--cert":
        args += ["--cert", tls_index.ca.bundle]
    else:
        env[how] = str(tls_index.ca.bundle)
    result = install(venv, *args, env=env)
    assert result.returncode == 0, result.stderr
    assert installed(venv) == {"netpkg", "netdep"}
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_pip_conf_cert_is_honoured(venv: Path, tls_index: TLSIndex, tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text(f"[global]\ncert = {tls_index.ca.bundle}\n")
    env = {**os.environ, "PIP_CONFIG_FILE": str(conf)}
    result = install(venv, "netpkg", "--index-url", tls_index.url(), env=env)
    assert result.returncode == 0, result.stderr


def _install_from_nginx_with(venv: Path, tls_index: TLSIndex, tls: ServerTLS, workdir: Path) -> Any:
    """A second nginx over the same upstream, with a certificate chosen by the test."""
    upstream = tls_index.nginx.upstream_url_root
    with NginxAuth(upstream, {"alice": PASSWORD}, workdir=workdir, tls=tls) as nginx:
        url = f"https://alice:{PASSWORD}@127.0.0.1:{nginx.port}/simple/"
        return install(venv, "netpkg", "--index-url", url, "--cert", tls_index.ca.bundle)


def test_hostname_mismatch_has_its_own_message(
    venv: Path, tls_index: TLSIndex, tmp_path: Path
) -> None:
    tls = tls_index.ca.server("pypi.other.test", name="other")
    result = _install_from_nginx_with(venv, tls_index, tls, tmp_path / "nginx")
    assert result.returncode != 0
    no_traceback(result)
    assert "not valid for that name" in result.stderr


def test_expired_certificate_has_its_own_message(
    venv: Path, tls_index: TLSIndex, tmp_path: Path
) -> None:
    tls = tls_index.ca.server(name="expired", expired=True)
    result = _install_from_nginx_with(venv, tls_index, tls, tmp_path / "nginx")
    assert result.returncode != 0
    no_traceback(result)
    assert "has expired" in result.stderr


def test_trusted_host_skips_verification_for_that_host_only_with_a_warning(
    venv: Path, tls_index: TLSIndex
) -> None:
    """pip's --trusted-host HOST:PORT / uv's --allow-insecure-host."""
    host = f"127.0.0.1:{tls_index.nginx.port}"
    result = install(venv, "netpkg", "--index-url", tls_index.url(), "--trusted-host", host)
    assert result.returncode == 0, result.stderr
    assert "not verified" in result.stderr
    other = install(venv, "netpkg", "--index-url", tls_index.url(), "--trusted-host", "example")
    assert "not trusted" in other.stderr or other.returncode == 0  # already installed: no fetch


# -- 2. proxy ---------------------------------------------------------------------------------


@pytest.fixture
def tinyproxy(tls_index: TLSIndex) -> Iterator[TinyProxy]:
    if tinyproxy_binary() is None:
        pytest.fail("tinyproxy is not installed; scripts/test installs it")
    with TinyProxy("proxyuser", PROXY_PASSWORD, connect_ports=(tls_index.nginx.port,)) as proxy:
        yield proxy


def _files_under(*roots: Path) -> str:
    texts = []
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file() and path.stat().st_size < 5_000_000:
                texts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(texts)


def install_through_proxy(venv: Path, tls_index: TLSIndex, proxy: TinyProxy, url: str) -> Any:
    """Install netpkg with HTTPS_PROXY=url; it works and went through the proxy's CONNECT."""
    env = {**os.environ, "HTTPS_PROXY": url}
    result = install(
        venv, "netpkg", "--index-url", tls_index.url(), "--cert", tls_index.ca.bundle, "-v",
        env=env,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert installed(venv) == {"netpkg", "netdep"}
    assert any(f"CONNECT 127.0.0.1:{tls_index.nginx.port}" in c for c in proxy.connects())
    return result


def test_install_through_an_authenticating_proxy(
    venv: Path, tls_index: TLSIndex, tinyproxy: TinyProxy, home: Path
) -> None:
    proxy_url = tinyproxy.url_with("proxyuser", PROXY_PASSWORD)
    result = install_through_proxy(venv, tls_index, tinyproxy, proxy_url)
    everything = _files_under(home, venv, venv.parent / "cache")
    assert_no_secret(PROXY_PASSWORD, result.stdout, result.stderr, everything, tinyproxy.log())
    assert_no_secret(PASSWORD, result.stdout, result.stderr, tinyproxy.log(), username="alice")


def test_no_proxy_bypasses_the_proxy(venv: Path, tls_index: TLSIndex, tinyproxy: TinyProxy) -> None:
    env = {
        **os.environ,
        "HTTPS_PROXY": tinyproxy.url_with("proxyuser", PROXY_PASSWORD),
        "NO_PROXY": "localhost,127.0.0.1",
    }
    result = install(
        venv, "netpkg", "--index-url", tls_index.url(), "--cert", tls_index.ca.bundle, env=env
    )
    assert result.returncode == 0, result.stderr
    assert tinyproxy.connects() == []


def test_wrong_proxy_password_is_explained(
    venv: Path, tls_index: TLSIndex, tinyproxy: TinyProxy
) -> None:
    """tinyproxy answers a wrong password with 401 (not 407): still the proxy's refusal."""
    env = {**os.environ, "HTTPS_PROXY": tinyproxy.url_with("proxyuser", "not-the-password")}
    result = install(
        venv, "netpkg", "--index-url", tls_index.url(), "--cert", tls_index.ca.bundle, env=env
    )
    assert result.returncode != 0
    no_traceback(result)
    assert "rejected the proxy credentials" in result.stderr
    assert "http://proxyuser:****@127.0.0.1" in result.stderr
    assert "not-the-password" not in result.stderr
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_missing_proxy_credentials_is_a_clear_407(
    venv: Path, tls_index: TLSIndex, tinyproxy: TinyProxy
) -> None:
    env = {**os.environ, "HTTPS_PROXY": tinyproxy.url}
    result = install(
        venv, "netpkg", "--index-url", tls_index.url(), "--cert", tls_index.ca.bundle, env=env
    )
    assert result.returncode != 0
    no_traceback(result)
    assert "requires credentials (407 Proxy Authentication Required)" in result.stderr


def test_proxy_credentials_from_keyring_for_the_proxy_origin(
    venv: Path, tls_index: TLSIndex, tinyproxy: TinyProxy, json_keyring: Any, home: Path
) -> None:
    """A proxy URL without user info: on its 407, pipkey looks the proxy's origin up once in
    its own sources (here the keyring) and sends them to the proxy only."""
    json_keyring.set(tinyproxy.url, "proxyuser", PROXY_PASSWORD)
    result = install_through_proxy(venv, tls_index, tinyproxy, tinyproxy.url)
    lookups = json_keyring.calls("get_password") + json_keyring.calls("get_credential")
    assert [c["service"].rstrip("/") for c in lookups] == [tinyproxy.url.rstrip("/")]
    everything = _files_under(home, venv, venv.parent / "cache")
    assert_no_secret(PROXY_PASSWORD, result.stdout, result.stderr, everything, tinyproxy.log())


def test_a_user_only_proxy_url_gets_that_user_s_password_from_keyring(
    venv: Path, tls_index: TLSIndex, tinyproxy: TinyProxy, json_keyring: Any, home: Path
) -> None:
    """``http://proxyuser@proxy:PORT`` (the user in the URL, the password not): on the 407
    the password is completed from the keyring for that user, as an index URL's user is —
    not sent empty (found by running docs/network.md's proxy recipe)."""
    json_keyring.set(tinyproxy.url, "proxyuser", PROXY_PASSWORD)
    scheme, _, rest = tinyproxy.url.partition("://")
    result = install_through_proxy(venv, tls_index, tinyproxy, f"{scheme}://proxyuser@{rest}")
    lookups = json_keyring.calls("get_password") + json_keyring.calls("get_credential")
    assert lookups and {c["service"].rstrip("/") for c in lookups} == {tinyproxy.url.rstrip("/")}
    assert {c.get("username") for c in lookups} == {"proxyuser"}
    everything = _files_under(home, venv, venv.parent / "cache")
    assert_no_secret(PROXY_PASSWORD, result.stdout, result.stderr, everything, tinyproxy.log())


def test_stored_proxy_credentials_that_the_proxy_refuses_are_explained(
    venv: Path, tls_index: TLSIndex, tinyproxy: TinyProxy, json_keyring: Any
) -> None:
    json_keyring.set(tinyproxy.url, "proxyuser", "stale-pr0xy-pa55")
    env = {**os.environ, "HTTPS_PROXY": tinyproxy.url}
    result = install(
        venv, "netpkg", "--index-url", tls_index.url(), "--cert", tls_index.ca.bundle, env=env
    )
    assert result.returncode != 0
    no_traceback(result)
    assert "rejected the proxy credentials" in result.stderr
    assert f"pipkey auth login {tinyproxy.url.rstrip('/')}" in result.stderr
    assert_no_secret("stale-pr0xy-pa55", result.stdout, result.stderr)


def test_proxy_flag_beats_env_and_a_refused_proxy_is_explained(
    venv: Path, tls_index: TLSIndex
) -> None:
    from tests.support.servers import free_port

    dead = f"http://127.0.0.1:{free_port()}"
    result = install(
        venv, "netpkg", "--index-url", tls_index.url(), "--cert", tls_index.ca.bundle,
        "--proxy", dead, "--retries", "0",
    )  # fmt: skip
    assert result.returncode != 0
    no_traceback(result)
    assert "could not connect to the proxy" in result.stderr
    assert "[flag --proxy]" in result.stderr


# -- 3. client certificates -------------------------------------------------------------------


@pytest.fixture(scope="module")
def mtls_index(
    tls_index: TLSIndex, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NginxAuth]:
    tls = tls_index.ca.server(name="mtls", client_ca=tls_index.ca.bundle)
    with NginxAuth(
        tls_index.nginx.upstream_url_root,
        {"alice": PASSWORD},
        workdir=tmp_path_factory.mktemp("nginx-mtls"),
        tls=tls,
    ) as nginx:
        yield nginx


def test_client_certificate_index(venv: Path, tls_index: TLSIndex, mtls_index: NginxAuth) -> None:
    url = f"https://alice:{PASSWORD}@127.0.0.1:{mtls_index.port}/simple/"
    common = ["netpkg", "--index-url", url, "--cert", str(tls_index.ca.bundle)]
    without = install(venv, *common, "--retries", "0")
    assert without.returncode != 0
    no_traceback(without)
    assert "--client-cert" in without.stderr
    client = tls_index.ca.client_pem()
    with_cert = install(venv, *common, "--client-cert", client)
    assert with_cert.returncode == 0, with_cert.stderr
    assert installed(venv) == {"netpkg", "netdep"}


def test_pip_client_cert_env(venv: Path, tls_index: TLSIndex, mtls_index: NginxAuth) -> None:
    url = f"https://alice:{PASSWORD}@127.0.0.1:{mtls_index.port}/simple/"
    env = {
        **os.environ,
        "PIP_CLIENT_CERT": str(tls_index.ca.client_pem("envclient")),
        "SSL_CERT_FILE": str(tls_index.ca.bundle),
    }
    result = install(venv, "netpkg", "--index-url", url, env=env)
    assert result.returncode == 0, result.stderr


# -- 4. retries -------------------------------------------------------------------------------


@pytest.fixture
def flaky(programmable_index_factory: Callable[..., Any], packages_dir: Path) -> Any:
    build_wheel(packages_dir, "flaky", "1.0")
    return programmable_index_factory(projects={"flaky": list(packages_dir.glob("flaky-*.whl"))})


def test_503_and_dropped_connections_are_retried(venv: Path, flaky: Any) -> None:
    """pip retries 5 times, uv 3: a registry that stumbles and recovers still installs."""
    flaky.faults = ["503", "drop", "503"]  # the project page
    result = install(venv, "flaky", "--index-url", flaky.url)
    assert result.returncode == 0, result.stderr
    assert installed(venv) == {"flaky"}


def test_a_download_cut_short_is_fetched_again(venv: Path, flaky: Any) -> None:
    flaky.faults = [None, "short"]  # page fine, the wheel's body is cut in half
    result = install(venv, "flaky", "--index-url", flaky.url, "--no-cache")
    assert result.returncode == 0, result.stderr
    wheel_gets = [r for r in flaky.requests if r.path.startswith("/files/")]
    assert len(wheel_gets) == 2


def test_a_download_damaged_in_transit_is_fetched_again(venv: Path, flaky: Any) -> None:
    """A body with the right length and the wrong hash: one fresh copy, then install."""
    flaky.faults = [None, "corrupt"]
    result = install(venv, "flaky", "--index-url", flaky.url, "--no-cache")
    assert result.returncode == 0, result.stderr
    assert len([r for r in flaky.requests if r.path.startswith("/files/")]) == 2


def test_retries_zero_fails_naming_the_index_and_the_answers(venv: Path, flaky: Any) -> None:
    flaky.faults = ["503"]
    result = install(venv, "flaky", "--index-url", flaky.url, "--retries", "0")
    assert result.returncode != 0
    no_traceback(result)
    assert flaky.url in result.stderr and "503" in result.stderr


def test_the_final_error_counts_the_tries(venv: Path, flaky: Any) -> None:
    flaky.faults = ["503", "503", "503"]
    result = install(venv, "flaky", "--index-url", flaky.url, "--retries", "2")
    assert result.returncode != 0
    assert "after 3 tries: 503, 503, 503" in result.stderr


# -- 5. global flags after the subcommand ----------------------------------------------------


def test_quiet_after_the_subcommand_prints_nothing(venv: Path, flaky: Any) -> None:
    result = install(venv, "flaky", "--index-url", flaky.url, "-q")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_verbose_after_the_subcommand(venv: Path, flaky: Any) -> None:
    quiet = install(venv, "flaky", "--index-url", flaky.url, "--no-progress", "--color", "never")
    assert quiet.returncode == 0, quiet.stderr
    result = run_pipkey("list", "--python", venv, "-v")
    assert result.returncode == 0, result.stderr
    assert "flaky" in result.stdout


# -- doctor and config show -------------------------------------------------------------------


def test_doctor_has_a_network_section(tls_index: TLSIndex, tinyproxy: TinyProxy) -> None:
    env = {**os.environ, "HTTPS_PROXY": tinyproxy.url_with("proxyuser", PROXY_PASSWORD)}
    result = run_pipkey("auth", "doctor", tls_index.url(), "--cert", tls_index.ca.bundle, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "network:" in result.stdout
    assert f"certificate bundle {tls_index.ca.bundle} [flag --cert]" in result.stdout
    assert "http://proxyuser:****@127.0.0.1" in result.stdout
    assert "TLS verified" in result.stdout
    assert_no_secret(PROXY_PASSWORD, result.stdout, result.stderr)
    assert_no_secret(PASSWORD, result.stdout, result.stderr, username="alice")


def test_doctor_explains_an_untrusted_certificate(tls_index: TLSIndex) -> None:
    result = run_pipkey("auth", "doctor", tls_index.url(), "--json", "--retries", "0")
    assert result.returncode == 1
    no_traceback(result)
    assert "not trusted" in result.stdout
    assert "operating system's trust store" in result.stdout


def test_config_show_lists_network_settings_with_sources(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\ntimeout = 12\nretries = 7\nproxy = http://u:pw-in-conf@proxy:3128\n")
    env = {**os.environ, "PIP_CONFIG_FILE": str(conf), "UV_NATIVE_TLS": "1"}
    result = run_pipkey("config", "show", env=env)
    assert result.returncode == 0, result.stderr
    assert f"timeout = 12.0  [{conf}:2]" in result.stdout
    assert f"retries = 7  [{conf}:3]" in result.stdout
    assert "native-tls = true  [env UV_NATIVE_TLS]" in result.stdout
    assert "http://u:****@proxy:3128" in result.stdout
    assert "pw-in-conf" not in result.stdout

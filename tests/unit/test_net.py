"""The network layer's decisions, no sockets: retry timing, proxy choice, trust source."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from pipkey.net.proxy import Proxies, ProxyConfigError, bypassed
from pipkey.net.retry import MAX_RETRY_AFTER, RetryPolicy, parse_retry_after, retryable_error
from pipkey.net.tls import TLSConfigError, trust_source

# -- retries ----------------------------------------------------------------------------------


def test_retry_after_seconds_is_honoured() -> None:
    assert RetryPolicy().delay(1, "0", lambda: 0.9) == 0
    assert RetryPolicy().delay(1, "3", lambda: 0.9) == 3


def test_retry_after_is_bounded() -> None:
    assert RetryPolicy().delay(1, "86400", lambda: 0.5) == MAX_RETRY_AFTER


def test_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("soon") is None


def test_backoff_grows_exponentially_with_full_jitter_and_a_cap() -> None:
    policy = RetryPolicy(retries=10, base=0.25, cap=8.0)
    assert [policy.delay(n, None, lambda: 1.0) for n in (1, 2, 3, 4)] == [0.25, 0.5, 1.0, 2.0]
    assert policy.delay(9, None, lambda: 1.0) == 8.0
    assert policy.delay(3, None, lambda: 0.0) == 0.0


def test_may_retry_counts_retries_not_tries() -> None:
    policy = RetryPolicy(retries=2)
    assert [policy.may_retry(n) for n in (1, 2, 3)] == [True, True, False]
    assert not RetryPolicy(retries=0).may_retry(1)


def test_what_is_retried() -> None:
    request = httpx.Request("GET", "https://x.test/")
    assert retryable_error(httpx.ConnectError("refused", request=request))
    assert retryable_error(httpx.ReadTimeout("slow", request=request))
    assert retryable_error(httpx.RemoteProtocolError("closed early", request=request))
    assert not retryable_error(httpx.ProxyError("407 Proxy Authentication Required"))
    untrusted = httpx.ConnectError("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed")
    assert not retryable_error(untrusted)


# -- proxies ----------------------------------------------------------------------------------


def test_scheme_variables_lower_case_first_then_all_proxy() -> None:
    env = {
        "https_proxy": "http://lower:3128",
        "HTTPS_PROXY": "http://upper:3128",
        "ALL_PROXY": "http://all:3128",
    }
    proxies = Proxies.from_settings(None, "default", env)
    assert proxies.for_url("https://index.test/simple/").url == "http://lower:3128"  # type: ignore[union-attr]
    assert proxies.for_url("http://index.test/simple/").url == "http://all:3128"  # type: ignore[union-attr]


def test_proxy_setting_beats_environment_and_gets_a_scheme() -> None:
    """pip's --proxy takes ``[user:passwd@]proxy.server:port``."""
    proxies = Proxies.from_settings("u:p@corp:8080", "flag --proxy", {"HTTPS_PROXY": "http://e:1"})
    choice = proxies.for_url("https://index.test/")
    assert choice is not None
    assert choice.url == "http://u:p@corp:8080" and choice.origin == "flag --proxy"
    assert choice.shown() == "http://u:****@corp:8080"


@pytest.mark.parametrize(
    ("host", "port", "no_proxy", "expected"),
    [
        ("pkg.corp.test", 443, ("corp.test",), True),
        ("pkg.corp.test", 443, (".corp.test",), True),
        ("corp.test", 443, (".corp.test",), True),
        ("notcorp.test", 443, ("corp.test",), False),
        ("pkg.corp.test", 443, ("*",), True),
        ("127.0.0.1", 8443, ("127.0.0.1:8443",), True),
        ("127.0.0.1", 9443, ("127.0.0.1:8443",), False),
        ("10.1.2.3", 443, ("10.0.0.0/8",), True),
        ("11.1.2.3", 443, ("10.0.0.0/8",), False),
    ],
)
def test_no_proxy_forms(host: str, port: int, no_proxy: tuple[str, ...], expected: bool) -> None:
    assert bypassed(host, port, no_proxy) is expected


def test_unsupported_proxy_scheme_is_a_clear_error() -> None:
    with pytest.raises(ProxyConfigError, match="not supported yet"):
        Proxies.from_settings("socks5://corp:1080", "flag --proxy", {})


# -- trust ------------------------------------------------------------------------------------


def test_configured_cert_beats_ssl_cert_file(tmp_path: Path) -> None:
    mine, env_bundle = tmp_path / "mine.pem", tmp_path / "env.pem"
    mine.write_text("x")
    env_bundle.write_text("y")
    source = trust_source(str(mine), "env PIP_CERT", {"SSL_CERT_FILE": str(env_bundle)})
    assert (source.path, source.origin) == (str(mine), "env PIP_CERT")


def test_env_bundles_in_order(tmp_path: Path) -> None:
    bundle = tmp_path / "b.pem"
    bundle.write_text("x")
    env = {"REQUESTS_CA_BUNDLE": str(bundle), "SSL_CERT_DIR": str(tmp_path)}
    source = trust_source(None, "default", env)
    assert (source.kind, source.origin) == ("directory", "env SSL_CERT_DIR")


def test_default_is_the_os_store() -> None:
    assert trust_source(None, "default", {}).kind == "os"


def test_missing_bundle_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TLSConfigError, match=r"flag --cert: certificate bundle .* does not exist"):
        trust_source(str(tmp_path / "nope.pem"), "flag --cert", {})

"""Turn a failed connection into a sentence a user can act on: which certificate problem, which
proxy, which timeout — never a traceback, never a secret."""

from __future__ import annotations

import ssl
from typing import TypeVar
from urllib.parse import urlsplit

import httpx

from pipkey.auth.redact import redact_text
from pipkey.net.bounds import BoundExceeded
from pipkey.net.proxy import ProxyChoice, proxy_origin
from pipkey.net.tls import TrustSource

E = TypeVar("E", bound=BaseException)
# OpenSSL X509 verify codes (x509_vfy.h) worth their own sentence.
_UNKNOWN_ISSUER = {2, 18, 19, 20, 21}
_EXPIRED = 10
_NOT_YET_VALID = 9
_NAME_MISMATCH = {62, 64}  # host name, IP address


def explain(
    exc: BaseException,
    url: str,
    *,
    trust: TrustSource | None,
    proxy: ProxyChoice | None,
    timeout: float | None = None,
) -> str:
    """One line (or two) saying what went wrong with ``url`` and how to fix it."""
    host = urlsplit(url).netloc.rpartition("@")[2]
    verify = _find(exc, ssl.SSLCertVerificationError)
    if verify is not None:
        return _certificate(verify, host, trust)
    alert = _find(exc, ssl.SSLError)
    if alert is not None and "ALERT" in str(alert.reason or ""):
        return (
            f"{host} refused the TLS handshake ({alert.reason}): the server probably requires a "
            "client certificate; pass --client-cert PATH (a PEM file holding the certificate and "
            "its key), PIP_CLIENT_CERT, or client-cert in pip.conf"
        )
    text = redact_text(str(exc))
    if isinstance(exc, BoundExceeded | httpx.DecodingError):
        return text  # says what was bounded, for which URL, and what to change
    if isinstance(exc, httpx.ProxyError):
        return _proxy(text, proxy)
    if proxy is not None and isinstance(exc, httpx.ConnectError):
        return (
            f"could not connect to the proxy {proxy.shown()} [{proxy.origin}]: {text}; "
            "check the proxy address, or list this host in NO_PROXY"
        )
    if isinstance(exc, httpx.TimeoutException):
        limit = f" after {timeout:g}s" if timeout else ""
        return f"{host} did not answer{limit} ({type(exc).__name__}); raise it with --timeout"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def proxy_status(status: int, proxy: ProxyChoice) -> str:
    """A plain-HTTP request answered by the proxy itself (407 is its own, never the index's)."""
    return _proxy(f"{status} Proxy Authentication Required", proxy)


def client_certificate_refused(host: str) -> str:
    """nginx's ``ssl_verify_client on`` answers a request without a certificate with 400."""
    return (
        f"{host} requires a client certificate (it answered 400: no required SSL certificate "
        "was sent); pass --client-cert PATH (a PEM file holding the certificate and its key), "
        "PIP_CLIENT_CERT, or client-cert in pip.conf"
    )


def _proxy(text: str, proxy: ProxyChoice | None) -> str:
    """407 is the standard answer; some proxies (tinyproxy) answer a wrong password with 401."""
    where = f"{proxy.shown()} [{proxy.origin}]" if proxy else "(unknown)"
    if text.startswith(("407", "401")):
        has_creds = proxy is not None and (
            "@" in urlsplit(proxy.url).netloc or proxy.stored_credentials
        )
        problem = "rejected the proxy credentials" if has_creds else "requires credentials"
        origin = proxy_origin(proxy.url) if proxy is not None else "http://PROXY:PORT"
        return (
            f"the proxy {where} {problem} ({text}); put the proxy's user and password in the "
            f"proxy URL (http://USER:PASSWORD@proxy:port), or store them for {origin} "
            f"(`pipkey auth login {origin}`, keyring, netrc)"
        )
    return f"the proxy {where} refused the request: {text}"


def _certificate(err: ssl.SSLCertVerificationError, host: str, trust: TrustSource | None) -> str:
    code = err.verify_code
    message = err.verify_message or str(err.reason)
    using = f" Trusted now: {trust.describe()}." if trust is not None else ""
    if code in _UNKNOWN_ISSUER:
        return (
            f"the certificate of {host} is not trusted ({message}). If your network intercepts "
            "TLS (a corporate proxy or gateway), its CA must be trusted: add it to the operating "
            "system's trust store, or pass --cert PATH (or SSL_CERT_FILE / PIP_CERT) with a bundle "
            f"that holds it.{using}"
        )
    if code in _NAME_MISMATCH:
        return (
            f"the certificate of {host} is not valid for that name ({message}); check the index "
            "URL's host name"
        )
    if code == _EXPIRED:
        return f"the certificate of {host} has expired ({message}); the server must renew it"
    if code == _NOT_YET_VALID:
        return f"the certificate of {host} is not valid yet ({message}); check this machine's clock"
    return f"the certificate of {host} failed verification ({message}).{using}"


def _find(exc: BaseException, kind: type[E]) -> E | None:
    seen: BaseException | None = exc
    hops = 0
    while seen is not None and hops < 10:
        if isinstance(seen, kind):
            return seen
        seen = seen.__cause__ or seen.__context__
        hops += 1
    return None

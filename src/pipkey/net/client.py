"""How pipkey talks HTTP: one :class:`Network` per run builds every client pipkey uses — the
index client, downloads, ``auth doctor`` — with the same trust, proxies, retries and timeouts.

Requests are routed per URL (which proxy, whether the host is ``--trusted-host``) by a small
transport that keeps one connection pool per route; retries wrap the router, so a retried request
goes through the same proxy with the same TLS settings.
"""

from __future__ import annotations

import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import httpx

from pipkey import __version__
from pipkey.net.errors import explain
from pipkey.net.headers_deadline import headers_within
from pipkey.net.headers_deadline import install as install_header_deadline
from pipkey.net.proxy import Proxies, ProxyChoice, proxy_origin
from pipkey.net.retry import RetriesExhausted, RetryPolicy, RetryTransport, retryable_error
from pipkey.net.settings import NetSettings
from pipkey.net.tls import TrustSource, insecure_context, ssl_context, trust_source

T = TypeVar("T")
ProxyLookup = Callable[[str], "tuple[str, str] | None"]  # proxy origin URL → (user, password)
USER_AGENT = f"pipkey/{__version__}"


class Network:
    def __init__(
        self,
        settings: NetSettings | None = None,
        *,
        warn: Callable[[str], None] = lambda _: None,
        proxy_credentials: ProxyLookup | None = None,
    ) -> None:
        self.settings = settings or NetSettings()
        env = self.settings.environ
        self.trust: TrustSource = trust_source(
            self.settings.cert, self.settings.origin("cert"), env
        )
        self.proxies = Proxies.from_settings(
            self.settings.proxy, self.settings.origin("proxy"), env
        )
        self.policy = RetryPolicy(self.settings.retries)
        self._warn = warn
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._contexts: dict[bool, ssl.SSLContext] = {}
        self._proxy_lookup = proxy_credentials
        self._proxy_auth: dict[str, tuple[str, str] | None] = {}

    def client(
        self,
        auth: httpx.Auth | None = None,
        *,
        workers: int = 8,
        follow_redirects: bool | None = None,
    ) -> httpx.Client:
        """A client for this run's settings; with an auth flow, the flow follows redirects
        itself (per-hop credentials), so the client does not."""
        # httpx imports httpcore (h11, anyio) on the first request, in whichever pool thread
        # sends it — while the main thread imports the resolver and installer. Importing it
        # here, before any request is queued, sends the first request sooner.
        import httpcore  # noqa: F401

        return httpx.Client(
            auth=auth,
            follow_redirects=(auth is None) if follow_redirects is None else follow_redirects,
            timeout=httpx.Timeout(self.settings.timeout),
            transport=RetryTransport(_Router(self, workers), self.policy),
            headers={"User-Agent": USER_AGENT},
            trust_env=False,
        )

    def proxy_for(self, url: str) -> ProxyChoice | None:
        choice = self.proxies.for_url(url)
        if choice is not None and self.proxy_auth(choice) is not None:
            return replace(choice, stored_credentials=True)
        return choice

    def proxy_auth(self, proxy: ProxyChoice) -> tuple[str, str] | None:
        """Credentials for a proxy whose URL holds none, once it asked for them."""
        with self._lock:
            return self._proxy_auth.get(proxy.url)

    def learn_proxy_auth(self, proxy: ProxyChoice) -> bool:
        """A proxy without a password in its URL answered 407: look its origin up once in
        pipkey's sources (keyring, credential store, netrc, env) — for the URL's user when it
        names one (``http://jdoe@proxy:3128``, keyring's ``get proxy-origin jdoe``), as an
        index URL's user is completed. True when found (retry)."""
        parts = urlsplit(proxy.url)
        if self._proxy_lookup is None or parts.password:
            return False
        with self._lock:
            if proxy.url in self._proxy_auth:
                return False  # asked already: these credentials were refused, or none exist
        origin = proxy_origin(proxy.url)
        if parts.username:
            scheme, _, rest = origin.partition("://")
            origin = f"{scheme}://{parts.username}@{rest}"
        found = self._proxy_lookup(origin)
        if found is not None and parts.username and found[0] != unquote(parts.username):
            found = None  # the URL names the user: another user's password is not this one's
        if found is not None and not found[1]:
            found = None  # the user alone is what the proxy just refused
        with self._lock:
            self._proxy_auth[proxy.url] = found
        return found is not None

    def insecure(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        netloc = f"{host}:{parts.port}" if parts.port else host
        return any(h.lower() in (host, netloc) for h in self.settings.trusted_hosts)

    def context(self, insecure: bool) -> ssl.SSLContext:
        with self._lock:
            ctx = self._contexts.get(insecure)
            if ctx is None:
                ctx = (
                    insecure_context(self.settings.client_cert)
                    if insecure
                    else ssl_context(self.trust, self.settings.client_cert)
                )
                self._contexts[insecure] = ctx
            return ctx

    def explain(self, exc: BaseException, url: str) -> str:
        return explain(
            exc, url, trust=self.trust, proxy=self.proxy_for(url), timeout=self.settings.timeout
        )

    def note_insecure(self, host: str) -> None:
        with self._lock:
            if host in self._warned:
                return
            self._warned.add(host)
        self._warn(
            f"TLS certificates of {host} are not verified (--trusted-host / "
            "--allow-insecure-host): anyone on the network path can impersonate it"
        )

    def retrying(self, fn: Callable[[], T], request_url: str) -> T:
        """Call ``fn`` (a whole streaming download) again when it fails in a way a retry may fix:
        a cut connection, a body shorter than its Content-Length, a timeout."""
        answers: list[str] = []
        attempt = 0
        while True:
            attempt += 1
            try:
                return fn()
            except httpx.TransportError as exc:
                if not retryable_error(exc) or isinstance(exc, RetriesExhausted):
                    raise
                answers.append(type(exc).__name__)
                if not self.policy.may_retry(attempt):
                    if attempt == 1:
                        raise
                    request = httpx.Request("GET", request_url)
                    raise RetriesExhausted(answers, exc, request) from exc
                time.sleep(self.policy.delay(attempt, None, random.random))

    def probe(self, url: str) -> tuple[bool, str]:
        """Connect to ``url`` without credentials: did TLS and the proxy let us through?"""
        proxy = self.proxy_for(url)
        via = f" via proxy {proxy.shown()}" if proxy else ""
        try:
            with self.client(follow_redirects=False) as client:
                status = client.head(url).status_code
        except httpx.HTTPError as exc:
            return False, self.explain(exc, url)
        if status == 407 and proxy is not None:
            return False, explain(httpx.ProxyError("407"), url, trust=self.trust, proxy=proxy)
        secured = "TLS verified" if url.startswith("https:") else "plain HTTP, no TLS"
        if url.startswith("https:") and self.insecure(url):
            secured = "TLS NOT verified (trusted host)"
        return True, f"connected{via}, {secured}; HTTP {status} without credentials"

    def describe(self) -> list[tuple[str, str]]:
        """(setting, value [source]) rows for ``config show`` and ``auth doctor``."""
        s = self.settings
        rows = [("trust", self.trust.describe())]
        if s.client_cert:
            rows.append(("client-cert", f"{s.client_cert} [{s.origin('client_cert')}]"))
        for scheme in ("https", "http"):
            choice = self.proxies.by_scheme.get(scheme)
            shown = f"{choice.shown()} [{choice.origin}]" if choice else "(none)"
            rows.append((f"{scheme} proxy", shown))
        if self.proxies.no_proxy:
            rows.append(
                ("no-proxy", f"{','.join(self.proxies.no_proxy)} [{self.proxies.no_proxy_origin}]")
            )
        if s.trusted_hosts:
            rows.append(
                ("trusted-host", f"{' '.join(s.trusted_hosts)} [{s.origin('trusted_hosts')}]")
            )
        rows.append(("retries", f"{s.retries} [{s.origin('retries')}]"))
        rows.append(("timeout", f"{s.timeout:g}s [{s.origin('timeout')}]"))
        return rows


class _Router(httpx.BaseTransport):
    """One pooled transport per (proxy, TLS mode), chosen for each request's URL."""

    def __init__(self, network: Network, workers: int) -> None:
        self.network = network
        self.workers = workers
        self._transports: dict[tuple[str | None, str, bool], httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        proxy = self.network.proxy_for(url)
        insecure = self.network.insecure(url)
        if insecure and request.url.scheme == "https":
            self.network.note_insecure(request.url.host)
        tls = request.url.scheme == "https" or (
            proxy is not None and proxy.url.startswith("https:")
        )
        mode = "insecure" if insecure else ("verify" if tls else "plain")
        try:
            response = self._send(self._transport(proxy, mode), request)
        except httpx.ProxyError as exc:  # CONNECT refused: "407 Proxy Authentication Required"
            if proxy is None or not str(exc).startswith(("407", "401")):
                raise
            if not self.network.learn_proxy_auth(proxy):
                raise
            return self._send(self._transport(proxy, mode), request)
        # a plain-HTTP request through the proxy: the 407 comes back as a response
        if response.status_code == 407 and proxy and self.network.learn_proxy_auth(proxy):
            response.close()
            return self._send(self._transport(proxy, mode), request)
        return response

    @staticmethod
    def _send(transport: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
        """The transport call returns once the headers are in: bound how long they may take."""
        timeout = request.extensions.get("timeout")
        read = timeout.get("read") if isinstance(timeout, dict) else None
        with headers_within(read):
            return transport.handle_request(request)

    def _transport(self, proxy: ProxyChoice | None, mode: str) -> httpx.HTTPTransport:
        auth = self.network.proxy_auth(proxy) if proxy else None
        key = (proxy.url if proxy else None, mode, auth is not None)
        transport = self._transports.get(key)  # a dict read is atomic: no lock once made
        if transport is not None:
            return transport
        # Made under the lock: the first requests of a run arrive together, and each used to
        # build (and then drop) a pool of its own — and, for plain HTTP, an SSL context.
        with self._lock:
            transport = self._transports.get(key)
            if transport is None:
                transport = self._transports[key] = self._make(proxy, mode, auth)
            return transport

    def _make(
        self, proxy: ProxyChoice | None, mode: str, auth: tuple[str, str] | None
    ) -> httpx.HTTPTransport:
        # Plain-HTTP routes never load a certificate store (it costs milliseconds per run).
        verify: ssl.SSLContext | bool = (
            self.network.context(mode == "insecure") if mode != "plain" else False
        )
        transport = httpx.HTTPTransport(
            verify=verify,
            # httpx takes user info in a proxy URL over ``auth``: the found password wins.
            proxy=httpx.Proxy(_without_userinfo(proxy.url) if auth else proxy.url, auth=auth)
            if proxy
            else None,
            limits=httpx.Limits(
                max_connections=self.workers, max_keepalive_connections=self.workers
            ),
        )
        install_header_deadline(transport)
        return transport

    def close(self) -> None:
        with self._lock:
            transports = list(self._transports.values())
            self._transports.clear()
        for transport in transports:
            transport.close()


def _without_userinfo(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))

"""Which proxy, if any, a request goes through — decided from settings and env vars, no I/O.

Sources, highest first: ``--proxy`` / ``PIPKEY_PROXY`` / ``PIP_PROXY`` / pip.conf ``proxy`` (one
proxy for every scheme, as pip's ``--proxy``), then the standard variables: ``https_proxy`` /
``HTTPS_PROXY`` for https, ``http_proxy`` / ``HTTP_PROXY`` for http, ``all_proxy`` /
``ALL_PROXY`` for both (lower case first, as curl and requests read them). An empty ``--proxy ''``
(or ``--no-proxy-env``) means no proxy at all: the variables are not read. ``NO_PROXY`` /
``no_proxy`` lists hosts reached directly: ``*``, ``host``, ``.domain`` or ``domain`` (the
domain and its subdomains), ``host:port``, and IP networks (``10.0.0.0/8``).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from pipkey.auth.errors import PipkeyError
from pipkey.auth.redact import redact_url

_SCHEMES = ("http", "https")


class ProxyConfigError(PipkeyError):
    hint = "a proxy URL looks like http://[user:password@]proxy.example.com:3128"


@dataclass(frozen=True)
class ProxyChoice:
    url: str
    origin: str  # "flag --proxy", "env HTTPS_PROXY", …
    stored_credentials: bool = False  # credentials found in pipkey's sources were sent

    def shown(self) -> str:
        return redact_url(self.url)


@dataclass(frozen=True)
class Proxies:
    by_scheme: Mapping[str, ProxyChoice] = field(default_factory=dict)
    no_proxy: tuple[str, ...] = ()
    no_proxy_origin: str | None = None

    @classmethod
    def from_settings(cls, proxy: str | None, origin: str, environ: Mapping[str, str]) -> Proxies:
        by_scheme: dict[str, ProxyChoice] = {}
        if proxy:
            choice = ProxyChoice(normalize_proxy_url(proxy, origin), origin)
            by_scheme = dict.fromkeys(_SCHEMES, choice)
        elif proxy is None:  # "" (--proxy '', --no-proxy-env): no proxy, not even the env's
            for scheme in _SCHEMES:
                for name in (
                    f"{scheme}_proxy",
                    f"{scheme.upper()}_PROXY",
                    "all_proxy",
                    "ALL_PROXY",
                ):
                    value = environ.get(name, "").strip()
                    if value:
                        where = f"env {name}"
                        by_scheme[scheme] = ProxyChoice(normalize_proxy_url(value, where), where)
                        break
        no_proxy: tuple[str, ...] = ()
        no_origin = None
        for name in ("no_proxy", "NO_PROXY"):
            value = environ.get(name, "").strip()
            if value:
                no_proxy = tuple(e.strip().lower() for e in value.split(",") if e.strip())
                no_origin = f"env {name}"
                break
        return cls(by_scheme, no_proxy, no_origin)

    def for_url(self, url: str) -> ProxyChoice | None:
        parts = urlsplit(url)
        choice = self.by_scheme.get(parts.scheme)
        if choice is None or bypassed(parts.hostname or "", parts.port, self.no_proxy):
            return None
        return choice


def normalize_proxy_url(value: str, where: str) -> str:
    """pip accepts ``[user:passwd@]proxy.server:port``; a scheme-less proxy is an HTTP proxy."""
    text = value.strip()
    if "://" not in text:
        text = f"http://{text}"
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError as exc:
        raise ProxyConfigError(f"{where}: invalid proxy URL {redact_url(text)}: {exc}") from None
    if parts.scheme not in _SCHEMES:
        raise ProxyConfigError(
            f"{where}: proxy scheme {parts.scheme!r} is not supported yet "
            f"(use an http:// or https:// proxy)"
        )
    if not parts.hostname:
        raise ProxyConfigError(f"{where}: invalid proxy URL {redact_url(text)}: no host")
    return text


def proxy_origin(url: str) -> str:
    """``scheme://host:port`` of a proxy, without user info: the key its credentials are
    stored under (``pipkey auth login http://proxy.corp:3128``, keyring, netrc's host)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    default = 443 if parts.scheme == "https" else 80
    return f"{parts.scheme}://{host}:{parts.port or default}"


def bypassed(host: str, port: int | None, no_proxy: tuple[str, ...]) -> bool:
    host = host.lower().strip("[]")
    for entry in no_proxy:
        if entry == "*":
            return True
        name, want_port = _split_port(entry)
        if want_port is not None and want_port != port:
            continue
        if _in_network(host, name):
            return True
        name = name.removeprefix("*").removeprefix(".")
        if host == name or host.endswith(f".{name}"):
            return True
    return False


def _split_port(entry: str) -> tuple[str, int | None]:
    if entry.startswith("[") and "]" in entry:
        inside, _, rest = entry[1:].partition("]")
        return inside, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    name, sep, port = entry.rpartition(":")
    if sep and port.isdigit() and ":" not in name:
        return name, int(port)
    return entry, None


def _in_network(host: str, entry: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
        return address in ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return False

"""URL arithmetic the engine's decisions need: credentials in URLs, origins, index matching and
keyring service names. Pure functions, no I/O."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Origin:
    """Scheme, host and port: the unit across which credentials must never travel."""

    scheme: str
    host: str
    port: int | None

    @property
    def netloc(self) -> str:
        """``host[:port]``, the port only when it is not the scheme's default."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        if self.port is None or DEFAULT_PORTS.get(self.scheme) == self.port:
            return host
        return f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.netloc}"


def origin(url: str) -> Origin:
    parts = urlsplit(url)
    port = parts.port if parts.port is not None else DEFAULT_PORTS.get(parts.scheme.lower())
    return Origin(parts.scheme.lower(), (parts.hostname or "").lower(), port)


def split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``(url without userinfo, username, password)``, both percent-decoded.

    ``https://me%40corp:p%3Ass@host/`` → ``("https://host/", "me@corp", "p:ss")``; an empty
    password (``user:@host``) is ``""``, distinct from none (``user@host``).
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, password = userinfo.partition(":")
    clean = urlunsplit((parts.scheme, hostport, parts.path, parts.query, parts.fragment))
    return clean, (unquote(user) if user else None), (unquote(password) if sep else None)


def is_loopback(host: str) -> bool:
    host = host.lower().strip("[]")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def insecure_origin(url: str, trusted_hosts: Iterable[str]) -> bool:
    """True when credentials must not go to ``url``: plain http to a host that is neither
    loopback nor trusted (``host`` or ``host:port``), as pip's secure-origin rule."""
    o = origin(url)
    if o.scheme != "http" or is_loopback(o.host):
        return False
    netloc = f"{o.host}:{o.port}"
    return not any(h.lower() in (o.host, netloc) for h in trusted_hosts)


def decode_userinfo(url: str) -> tuple[str | None, str | None]:
    """The URL's username and password, percent-decoded strictly: ``%FF`` (not UTF-8) raises
    ``UnicodeDecodeError`` instead of becoming U+FFFD — a credential the user never wrote."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return None, None
    userinfo = parts.netloc.rpartition("@")[0]
    user, sep, password = userinfo.partition(":")
    return (
        unquote(user, errors="strict") if user else None,
        unquote(password, errors="strict") if sep else None,
    )


def strip_credentials(url: str) -> str:
    return split_credentials(url)[0]


def _path_prefix(url: str) -> str:
    path = urlsplit(url).path or "/"
    return path if path.endswith("/") else path + "/"


def is_under(url: str, base: str) -> bool:
    """True when ``url`` is ``base`` or below it (same origin, path-segment prefix)."""
    if origin(url) != origin(base):
        return False
    path = urlsplit(url).path or "/"
    prefix = _path_prefix(base)
    return path == prefix.rstrip("/") or (path if path.endswith("/") else path + "/").startswith(
        prefix
    )


def best_match(url: str, bases: Iterable[str]) -> str | None:
    """The base URL with the longest path prefix that ``url`` falls under (or ``None``).

    Two indexes on one host with different credentials each get their own.
    """
    found: str | None = None
    for base in bases:
        if is_under(url, base) and (
            found is None or len(_path_prefix(base)) > len(_path_prefix(found))
        ):
            found = base
    return found


def same_origin_match(url: str, bases: Iterable[str]) -> str | None:
    """The base on ``url``'s origin sharing the longest path with it (first wins ties).

    Indexes often serve files outside their own path (pypiserver: ``/simple/`` links to
    ``/packages/``); such files belong to the index on the same origin — never to another origin.
    """
    here = origin(url)
    path = urlsplit(url).path.split("/")
    found: str | None = None
    best = -1
    for base in bases:
        if origin(base) != here:
            continue
        common = 0
        lookalike = False
        for mine, theirs in zip(path, urlsplit(base).path.split("/"), strict=False):
            if mine != theirs:
                # ``/simple-evil/`` beside the index ``/simple/``, ``/prefix_1_foo`` beside
                # ``/prefix_1``: a sibling named like the index is not the index's (uv sends
                # the credentials there; pipkey does not).
                lookalike = bool(theirs) and mine.startswith(theirs)
                break
            common += 1
        if lookalike:
            continue
        if common > best:
            found, best = base, common
    return found


def service_names(url: str, *, index_url: str | None, override: str | None = None) -> list[str]:
    """Keyring service names to try, in order, stopping at the first hit.

    Under a configured index: the override, the index URL as configured (no credentials) and with
    a trailing slash, then ``host[:port]`` (pip saves prompted credentials there), then
    ``scheme://host[:port]``. For a URL under no index: the URL itself, then ``host[:port]`` —
    what uv asks for.
    """
    o = origin(url)
    if index_url is not None:
        # The index URL as configured, and with the trailing slash pip adds when it saves and
        # looks up ("http://host/path2" is asked as "http://host/path2/" too).
        configured = strip_credentials(index_url)
        slashed = configured if configured.endswith("/") else configured + "/"
        candidates = [override, configured, slashed, o.netloc, str(o)]
    else:
        candidates = [override, strip_credentials(url), o.netloc]
    names: list[str] = []
    for name in candidates:
        if name and name not in names:
            names.append(name)
    return names

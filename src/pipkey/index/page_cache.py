"""Index pages kept between runs and revalidated, as pip and uv keep theirs.

A page answered with a validator (``ETag`` / ``Last-Modified``) or a freshness lifetime
(``Cache-Control: max-age``, ``Expires``) is stored; the next run uses it without a request while
it is fresh and otherwise asks with ``If-None-Match`` / ``If-Modified-Since``, so an unchanged
page costs a ``304`` and no body. ``no-store`` (and ``Vary: *``) is never stored, ``no-cache``
always revalidates, and ``--refresh`` revalidates every page (pip's behaviour on every run).

Freshness as uv computes it: ``max-age``, else ``Expires`` minus ``Date``, else — a page with
``Last-Modified`` and no stated lifetime, as nginx serves a static index by default — ten
minutes (PyPI's ``max-age``; RFC 9111 §4.2.2 lets a cache assume a heuristic lifetime), else
none. A warm run within those ten minutes asks the index nothing.

No secret is ever written: the key is a sha256 of the page URL without its password; the entry
holds the page's URL without userinfo, and a page is not stored at all when its URL has a query
string, when any file link carries userinfo or a query string (signed download URLs), or when the
body contains a password or token this run knows. Files are created ``0600`` in ``0700``
directories, written under a temporary name and renamed.

Layout: ``<cache>/pages-v1/<aa>/<sha256>`` — one JSON line of headers, then the body.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlsplit

from pipkey.auth.urls import split_credentials

_FORMAT = 1
# uv's heuristic lifetime for a page with Last-Modified and no Cache-Control/Expires (PyPI's 600 s).
HEURISTIC_LIFETIME = 600.0


@dataclass(frozen=True)
class CachedPage:
    url: str  # where the body came from (redirects followed), without userinfo
    content_type: str
    body: bytes
    etag: str | None
    last_modified: str | None
    stored: float  # time.time() when the answer was received (or last revalidated)
    max_age: float | None
    no_cache: bool

    def lifetime(self) -> float:
        """Seconds from ``stored`` the page may be used without asking (see the docstring)."""
        if self.no_cache:
            return 0.0
        if self.max_age is not None:
            return self.max_age
        return HEURISTIC_LIFETIME if self.last_modified else 0.0

    def fresh(self, now: float | None = None) -> bool:
        age = (now if now is not None else time.time()) - self.stored
        return 0 <= age < self.lifetime()  # a clock set back makes no page fresh forever

    def validators(self) -> dict[str, str]:
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


def cache_control(headers: Mapping[str, str]) -> tuple[bool, bool, float | None]:
    """``(storable, no_cache, max_age)`` from Cache-Control (and Age, Vary)."""
    directives: dict[str, str] = {}
    for part in headers.get("cache-control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name:
            directives[name.lower()] = value.strip().strip('"')
    if "no-store" in directives or headers.get("vary", "").strip() == "*":
        return False, True, None
    max_age: float | None = None
    if "max-age" in directives:
        try:
            max_age = max(0.0, float(directives["max-age"]))
        except ValueError:
            max_age = None
    if max_age is None and "expires" in headers:
        max_age = _expires_in(headers["expires"], headers.get("date"))
    if max_age is not None:
        with contextlib.suppress(ValueError):
            max_age -= float(headers.get("age", "0"))
    return True, "no-cache" in directives, max_age


def _expires_in(expires: str, date: str | None) -> float:
    """``Expires`` minus ``Date`` (RFC 9111 §4.2.1); one that does not parse ("0") is already
    past (§5.3). email.utils loads only here (17 ms of start-up otherwise)."""
    from email.utils import parsedate_to_datetime

    try:
        end = parsedate_to_datetime(expires).timestamp()
        start = parsedate_to_datetime(date).timestamp() if date else time.time()
    except (TypeError, ValueError, IndexError, OverflowError):
        return 0.0
    return max(0.0, end - start)


class PageCache:
    def __init__(self, root: Path, *, secrets: Callable[[], set[str]] = set) -> None:
        self.dir = root / "pages-v1"
        self._secrets = secrets

    def _path(self, url: str) -> Path:
        return entry_path(self.dir, url, _FORMAT)

    def load(self, url: str) -> CachedPage | None:
        try:
            with open(self._path(url), "rb") as fh:
                head = json.loads(fh.readline())
                body = fh.read()
            return CachedPage(
                url=str(head["url"]),
                content_type=str(head["content_type"]),
                body=body,
                etag=head.get("etag"),
                last_modified=head.get("last_modified"),
                stored=float(head["stored"]),
                max_age=None if head.get("max_age") is None else float(head["max_age"]),
                no_cache=bool(head.get("no_cache")),
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def store(
        self,
        url: str,
        final_url: str,
        headers: Mapping[str, str],
        body: bytes,
        file_urls: Iterable[str],
    ) -> None:
        """Keep the answer when it is safe to (see the module docstring); best effort."""
        storable, no_cache, max_age = cache_control(headers)
        etag, modified = headers.get("etag"), headers.get("last-modified")
        if not storable or (etag is None and modified is None and max_age is None):
            return
        if not storable_page(url, final_url, file_urls, body, self._secrets):
            return
        self._write(
            url,
            CachedPage(
                final_url,
                headers.get("content-type", ""),
                body,
                etag,
                modified,
                time.time(),
                max_age,
                no_cache,
            ),
        )

    def revalidated(self, url: str, page: CachedPage, headers: Mapping[str, str]) -> None:
        """A ``304``: the stored body stands; its lifetime starts again (from the new
        headers when they say). Not rewritten when nothing a later run reads would change —
        a page with validators and no lifetime at all (an ETag only) is revalidated on every
        run, and rewriting it each time cost a temp file, a write and a rename per page."""
        storable, no_cache, max_age = cache_control(headers)
        if not storable:
            self.forget(url)
            return
        if "cache-control" not in headers and "expires" not in headers:
            no_cache, max_age = page.no_cache, page.max_age
        renewed = CachedPage(
            page.url,
            page.content_type,
            page.body,
            headers.get("etag", page.etag),
            headers.get("last-modified", page.last_modified),
            time.time(),
            max_age,
            no_cache,
        )
        if renewed.lifetime() == 0 and renewed == replace(page, stored=renewed.stored):
            return  # the time stored counts only for a page that can be fresh
        self._write(url, renewed)

    def forget(self, url: str) -> None:
        with contextlib.suppress(OSError):
            os.unlink(self._path(url))

    def _write(self, url: str, page: CachedPage) -> None:
        path = self._path(url)
        head = {
            "url": page.url,
            "content_type": page.content_type,
            "etag": page.etag,
            "last_modified": page.last_modified,
            "stored": page.stored,
            "max_age": page.max_age,
            "no_cache": page.no_cache,
        }
        write_entry(path, head, page.body)


def entry_path(directory: Path, url: str, salt: object) -> Path:
    """``<directory>/<aa>/<sha256>`` of the URL without its password (the user name stays in
    the key: two accounts may see different pages)."""
    clean, user, _password = split_credentials(url)
    key = hashlib.sha256(f"{salt}\0{clean}\0{user or ''}".encode()).hexdigest()
    return directory / key[:2] / key


def storable_page(
    url: str, final_url: str, file_urls: Iterable[str], body: bytes, secrets: Callable[[], set[str]]
) -> bool:
    """Whether a page may be written to the cache (see the module docstring): no query string
    or user info in its URLs or its files' URLs, no known secret in its body."""
    for where in (url, final_url):
        parts = urlsplit(where)
        if parts.query or (where is final_url and "@" in parts.netloc):
            return False
    for file_url in file_urls:
        if "?" in file_url or "@" in file_url.split("/", 3)[2 if "://" in file_url else 0]:
            return False
    text = body.decode("utf-8", "replace")
    return not any(secret in text for secret in secrets() if secret)


def write_entry(path: Path, head: Mapping[str, object], body: bytes) -> None:
    """One JSON line of ``head``, then ``body``: under a temporary name, then renamed (a crash
    never leaves half an entry under a valid key); files ``0600`` in ``0700`` directories.
    Best effort: a cache that cannot be written costs a parse next time, nothing more."""
    try:
        path.parent.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.parent.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(json.dumps(head).encode() + b"\n")
                out.write(body)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        return

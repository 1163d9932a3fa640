"""One HTTP client per run, shared by every thread, plus the pool that runs fetches in parallel.

Threads rather than asyncio: resolvelib calls the provider synchronously, keyring lookups (the
auth engine's) block, and ``installer`` writes files synchronously. A ThreadPoolExecutor over one
``httpx.Client`` (thread-safe, HTTP/1.1 keep-alive pool) overlaps the network waits without
bridging an event loop into all of that.
"""

from __future__ import annotations

import errno
import functools
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import unquote, urlsplit

from pipkey.auth.errors import AuthError
from pipkey.index.errors import DiskFull, DownloadError
from pipkey.index.listing import Listing
from pipkey.index.models import Link
from pipkey.index.page import ACCEPT, PageError, parse_html, parse_page
from pipkey.index.page_cache import CachedPage, PageCache
from pipkey.index.parsed_pages import ParsedPages
from pipkey.text import count
from pipkey.urlpath import url2pathname

if TYPE_CHECKING:  # the HTTP stack loads on the first request (see IndexClient.http)
    import httpx

    from pipkey.net import Network

T = TypeVar("T")
# More threads than this only contend for locks on small machines (bench, 2 cores: 16 was slower).
DEFAULT_WORKERS = 8


@dataclass(frozen=True)
class PageResult:
    """What one location answered for one project page — kept for the no-match explanation."""

    url: str
    status: int | None
    links: Sequence[Link] = ()  # a tuple, or a page's Listing (models.py)
    error: str | None = None
    auth_error: AuthError | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200 and self.error is None

    @property
    def failed(self) -> bool:
        """True when the answer says nothing about the project (auth, connection, 5xx, junk)."""
        return not self.ok and self.status != 404 and self.status != 410

    def describe(self) -> str:
        if self.auth_error is not None:
            return self.auth_error.render()
        if self.error is not None:
            return self.error
        if self.status == 200:
            return f"200 with {count(len(self.links), 'file')}"
        if self.status in (404, 410):
            return f"{self.status}: project not on this index"
        return f"HTTP {self.status}"


OFFLINE_PAGE = (
    "offline (--offline): this index page is not in the page cache (a page is kept when the "
    "index sends ETag, Last-Modified or max-age); --find-links directories and file:// indexes "
    "work offline"
)
OFFLINE_FILE = "offline (--offline): this file is not in the cache"


class IndexClient:
    """Fetches pages and files; memoizes page and metadata futures so nothing is fetched twice."""

    def __init__(
        self,
        auth: httpx.Auth | Callable[[], httpx.Auth | None] | None = None,
        *,
        workers: int = DEFAULT_WORKERS,
        network: Network | Callable[[], Network] | None = None,
        offline: bool = False,
        refresh: bool = False,
        pages: PageCache | None = None,
        parsed: ParsedPages | None = None,
    ) -> None:
        # ``auth`` and ``network`` may be given as factories: an install that finds every
        # file in the cache then never loads httpx, ssl or the auth engine (70 ms of a warm
        # sync's 650), and a run that does make a request pays for them on the first one.
        self._auth = auth
        self._network = network
        self._workers = workers
        self.offline = offline  # uv's --offline: nothing over the network, a clear error instead
        self.refresh = refresh  # uv's --refresh: every stored page is revalidated, fresh or not
        self.pages = pages
        self.parsed = parsed
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="pipkey-fetch")
        self._futures: dict[tuple[str, str], Future[object]] = {}
        self._lock = threading.Lock()
        self._unasked: set[str] = set()  # pages a stored answer stood for without a request
        self._ask: set[str] = set()  # pages to ask the index about, however fresh

    @functools.cached_property
    def network(self) -> Network:
        given = self._network
        if given is None:
            from pipkey.net import Network

            return Network()
        return given() if callable(given) else given

    @functools.cached_property
    def http(self) -> httpx.Client:
        """The one HTTP client of the run, made on the first request (cached_property's
        lock-free first call may race: the lock makes it once)."""
        with self._lock:
            made = self.__dict__.get("_http")
            if made is None:
                auth = self._auth() if callable(self._auth) else self._auth
                made = self.__dict__["_http"] = self.network.client(auth, workers=self._workers)
        return made

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)
        made = self.__dict__.get("_http")
        if made is not None:
            made.close()

    def __enter__(self) -> IndexClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def memo(self, kind: str, key: str, fn: Callable[[], T]) -> Future[T]:
        """Submit ``fn`` once per (kind, key); later callers share the same future."""
        with self._lock:
            fut = self._futures.get((kind, key))
            if fut is None:
                fut = self.pool.submit(fn)
                self._futures[(kind, key)] = fut
        return fut  # type: ignore[return-value]

    def run_once(self, kind: str, key: str, fn: Callable[[], T]) -> T:
        """Like :meth:`memo` but in the calling thread when nobody asked yet (a pool task
        must not queue work behind itself and wait for it)."""
        with self._lock:
            fut = self._futures.get((kind, key))
            mine = fut is None
            if fut is None:
                fut = Future()
                self._futures[(kind, key)] = fut
        if mine:
            try:
                fut.set_result(fn())
            except BaseException as exc:
                fut.set_exception(exc)
        return fut.result()  # type: ignore[return-value]

    def page(self, url: str) -> Future[PageResult]:
        """The page's answer, fetched once per run. Before the first request the HTTP stack
        is built here, in the caller's thread, so the request goes out at once — unless the
        stored page is fresh: a warm run inside its lifetime then loads no HTTP stack, auth
        engine or keyring at all."""
        with self._lock:
            known = self._futures.get(("page", url))
        if known is not None:
            return known  # type: ignore[return-value]
        peeked: tuple[CachedPage | None] | None = None
        if "_http" not in self.__dict__ and _remote(url):
            peeked = (self.pages.load(url) if self.pages is not None else None,)
            stale = peeked[0] is None or not self._usable(peeked[0], url)
            if stale and not self.offline:  # offline, a page not stored is an error, no request
                self.http  # noqa: B018 — the stack is ready before the first request goes out
        return self.memo("page", url, lambda: self.fetch_page(url, peeked))

    def _usable(self, stored: CachedPage, url: str) -> bool:
        """Whether a stored page answers without a request: fresh, or any age offline."""
        if self.offline:
            return True
        return not self.refresh and url not in self._ask and stored.fresh()

    def renew_unasked(self) -> bool:
        """Forget every page a fresh stored answer stood for, so that asking for it again
        asks the index: a resolution that failed on them is worth one more try (a release
        published minutes ago is not on a page stored before it). False when there are none."""
        with self._lock:
            renewed, self._unasked = self._unasked, set()
            self._ask |= renewed
            for url in renewed:
                self._futures.pop(("page", url), None)
        return bool(renewed)

    def fetch_page(self, url: str, peeked: tuple[CachedPage | None] | None = None) -> PageResult:
        """``peeked``: what the page cache held when :meth:`page` already read it."""
        if not _remote(url):
            return _local_page(url)
        if peeked is None:
            peeked = (self.pages.load(url) if self.pages is not None else None,)
        cached = peeked[0]
        if cached is not None and self._usable(cached, url):
            if not self.offline:
                with self._lock:
                    self._unasked.add(url)
            return self._parsed(url, cached.body, cached.content_type, cached.url)
        if self.offline:
            return PageResult(url, None, error=OFFLINE_PAGE)
        import httpx

        from pipkey.net.bounds import BoundExceeded

        headers = {"Accept": ACCEPT, **(cached.validators() if cached is not None else {})}
        try:
            response = self.http.get(url, headers=headers)
        except AuthError as exc:
            return PageResult(url, exc.status, error=None, auth_error=exc)
        except (BoundExceeded, httpx.DecodingError) as exc:
            return PageResult(url, 200, error=self._reason(exc, url))
        except httpx.HTTPError as exc:
            return PageResult(url, None, error=f"connection error: {self._reason(exc, url)}")
        if response.status_code == 304 and cached is not None and self.pages is not None:
            self.pages.revalidated(url, cached, response.headers)
            return self._parsed(url, cached.body, cached.content_type, cached.url)
        if response.status_code != 200:
            return PageResult(url, response.status_code, error=self._status_error(response))
        final = str(response.url)
        kind = response.headers.get("content-type", "")
        result = self._parsed(url, response.content, kind, final)
        if result.ok and self.pages is not None:
            links = result.links  # a Listing's URLs come from its rows: no Link is made
            urls = links.urls() if isinstance(links, Listing) else [link.url for link in links]
            self.pages.store(url, final, response.headers, response.content, urls)
        return result

    def _parsed(self, url: str, body: bytes, content_type: str, base: str) -> PageResult:
        known = self.parsed.load(url, body, content_type, base) if self.parsed else None
        if known is not None:
            return PageResult(url, 200, known)
        try:
            links = parse_page(body, content_type, base)
        except PageError as exc:
            return PageResult(url, 200, error=str(exc))
        if self.parsed is not None:
            self.parsed.store(url, body, content_type, base, links)
        return PageResult(url, 200, links)

    def get_bytes(self, url: str, *, max_bytes: int | None = None) -> bytes:
        """A small file whole (``max_bytes``: its bound, else a page's; see net/bounds.py)."""
        if url.startswith("file:"):
            return Path(file_url_to_path(url)).read_bytes()
        import httpx

        from pipkey.net.bounds import MAX_BYTES

        try:
            response = self.http.get(url, extensions={MAX_BYTES: max_bytes} if max_bytes else None)
            response.raise_for_status()
        except httpx.HTTPStatusError as exc:
            reason = self._status_error(exc.response) or f"HTTP {exc.response.status_code}"
            raise DownloadError(url, reason, status=exc.response.status_code) from None
        except httpx.HTTPError as exc:
            raise DownloadError(url, self._reason(exc, url)) from None
        return response.content

    def download(
        self,
        url: str,
        dest_dir: Path,
        filename: str,
        *,
        sink: Callable[[], Callable[[bytes], None]] | None = None,
    ) -> Path:
        """Stream ``url`` into ``dest_dir`` atomically: a partial file never has the final name.
        ``sink`` is called as each attempt starts (a retry starts over) and returns what is fed
        the body's bytes as they are written."""
        dest_dir.mkdir(parents=True, exist_ok=True)
        final = dest_dir / filename
        if url.startswith("file:"):
            source = Path(file_url_to_path(url))
            if not source.is_file():
                raise DownloadError(url, "no such file")
            shutil.copyfile(source, final)
            return final
        if self.offline:
            raise DownloadError(url, OFFLINE_FILE)
        import httpx

        fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=".part-", suffix=".whl")
        os.close(fd)
        try:
            # A connection cut mid-body (or a body short of its Content-Length) starts over.
            self.network.retrying(lambda: self._stream_to(url, tmp, sink), url)
            os.replace(tmp, final)
        except httpx.HTTPError as exc:
            raise DownloadError(url, self._reason(exc, url)) from None
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DiskFull(str(dest_dir), filename) from None
            raise
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return final

    def _stream_to(
        self, url: str, path: str, sink: Callable[[], Callable[[bytes], None]] | None
    ) -> None:
        from pipkey.net.bounds import copy_bounded, download_limit
        from pipkey.net.retry import STREAM

        with (
            open(path, "wb") as out,
            self.http.stream("GET", url, extensions={STREAM: True}) as response,
        ):
            if response.status_code != 200:
                raise DownloadError(
                    url,
                    self._status_error(response) or f"HTTP {response.status_code}",
                    status=response.status_code,
                )
            tee = sink() if sink is not None else None
            copy_bounded(response, out, download_limit(self.network.settings.environ), tee)

    def _reason(self, exc: httpx.HTTPError, url: str) -> str:
        return self.network.explain(exc, url)

    def _status_error(self, response: httpx.Response) -> str | None:
        """What a non-200 answer means beyond its code: the proxy's own 407, or the tries it
        took (``503 after 4 tries: 503, 503, connection reset, 503``)."""
        from pipkey.net.errors import client_certificate_refused, proxy_status
        from pipkey.net.retry import ATTEMPTS

        proxy = self.network.proxy_for(str(response.request.url))
        if response.status_code == 407 and proxy is not None:
            return proxy_status(407, proxy)
        if response.status_code == 400 and _mentions_certificate(response):
            return client_certificate_refused(response.request.url.netloc.decode())
        attempts = response.extensions.get(ATTEMPTS)
        if attempts:
            return f"HTTP {response.status_code} after {len(attempts)} tries: {', '.join(attempts)}"
        return None


def _mentions_certificate(response: httpx.Response) -> bool:
    import httpx

    try:
        body = response.content
    except httpx.ResponseNotRead:
        return False  # a streaming download: the body is not read here
    return b"ssl certificate" in body[:2000].lower()


def _remote(url: str) -> bool:
    return not url.startswith("file:") and "://" in url


def file_url_to_path(url: str) -> str:
    parts = urlsplit(url)
    return url2pathname(unquote(parts.path)) if parts.scheme == "file" else url


def _local_page(location: str) -> PageResult:
    """A local directory: a ``file://`` simple index (``index.html`` inside), or a find-links
    directory where every file is a link (pip/uv ``--find-links DIR``)."""
    path = Path(file_url_to_path(location))
    if not path.is_dir():
        return PageResult(location, 404)
    html = path / "index.html"
    if html.is_file():
        text = html.read_text(encoding="utf-8", errors="replace")
        return PageResult(location, 200, tuple(parse_html(text, html.resolve().as_uri())))
    links = tuple(
        Link.from_url(entry.resolve().as_uri(), filename=entry.name, origin=location)
        for entry in sorted(path.iterdir())
        if entry.is_file()
    )
    return PageResult(location, 200, links)

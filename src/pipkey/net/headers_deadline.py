"""A server that drips its *headers* (one byte a second, each read well within the read
timeout) would hold a request for hours: h11 only gives up at 16 KiB of headers. While a
request waits for its status line and headers, every read of its connection is bounded by a
deadline: :data:`HEADER_FACTOR` times the read timeout after the request went out. The first
byte may take up to the read timeout as always; the rest of the headers must follow promptly.

The deadline lives in a thread-local set by the router around the transport call (which returns
once the headers are in); the body has its own bounds (:mod:`pipkey.net.bounds`).
"""

from __future__ import annotations

import ssl
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore

from pipkey.net.bounds import TransferTooSlow

HEADER_FACTOR = 2
_local = threading.local()


@contextmanager
def headers_within(read_timeout: float | None) -> Iterator[None]:
    """Bound the reads of this thread's request until its headers are in."""
    if not read_timeout:
        yield
        return
    _local.deadline = time.monotonic() + HEADER_FACTOR * read_timeout
    _local.limit = HEADER_FACTOR * read_timeout
    try:
        yield
    finally:
        _local.deadline = None


def _bounded(timeout: float | None) -> float | None:
    deadline: float | None = getattr(_local, "deadline", None)
    if deadline is None:
        return timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise TransferTooSlow(
            f"the server did not finish its response headers within {_local.limit:g} s "
            f"({HEADER_FACTOR} times --timeout): a stalled or slow-drip server"
        )
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        bounded = _bounded(timeout)
        try:
            return self._inner.read(max_bytes, bounded)
        except httpcore.ReadTimeout:
            if bounded is not None and (timeout is None or bounded < timeout):
                _bounded(None)  # the deadline, not the read timeout, ran out: say so
            raise

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout)

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class HeaderDeadlineBackend(httpcore.NetworkBackend):
    """The sync socket backend, with :func:`headers_within`'s deadline on every read."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_tcp(host, port, timeout, local_address, socket_options))

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _Stream(self._inner.connect_unix_socket(path, timeout, socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def install(transport: Any) -> None:
    """Give an ``httpx.HTTPTransport``'s pool the bounded backend (its pool is httpcore's
    ConnectionPool or proxy pool; both keep their backend in ``_network_backend``)."""
    pool = getattr(transport, "_pool", None)
    backend = getattr(pool, "_network_backend", None)
    if backend is not None and not isinstance(backend, HeaderDeadlineBackend):
        pool._network_backend = HeaderDeadlineBackend(backend)  # type: ignore[union-attr]

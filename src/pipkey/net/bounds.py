"""Every response body pipkey reads is bounded in size and in how slowly it may arrive.

- **Size**: index pages at most :data:`PAGE_LIMIT` bytes *decompressed* (a gzip bomb of a few
  MiB on the wire inflates to GiBs; decompression here is incremental and stops at the limit),
  PEP 658 metadata at most :data:`METADATA_LIMIT`, a download at most its ``Content-Length`` and
  never more than :data:`DOWNLOAD_LIMIT` (``PIPKEY_MAX_DOWNLOAD_BYTES`` changes it).
- **Time**: ``--timeout T`` bounds every wait for the next bytes (connect, each read), and a body
  must also keep moving: fewer than :data:`LOW_SPEED_BYTES` in any ``T``-second window ends the
  transfer (curl's ``--speed-limit``/``--speed-time``, git's ``http.lowSpeedLimit``). A 1 byte/s
  server therefore fails after about ``T`` seconds, not never. A page or metadata body must also
  be complete within :data:`TOTAL_FACTOR` times ``T`` seconds. Neither is retried: a server
  that drips would drip again.

Both failures are :class:`httpx.TransportError` subclasses, so every caller that renders
transport failures renders these, in one line.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import BinaryIO

import httpx

from pipkey.net.limits import DOWNLOAD_LIMIT, METADATA_LIMIT, MIB, PAGE_LIMIT  # noqa: F401

LOW_SPEED_BYTES = 1024
TOTAL_FACTOR = 10
MAX_BYTES = "pipkey.max_bytes"  # request extension: the bound for this response's body
_PIECE = MIB  # decompressed bytes produced per step


class BoundExceeded(httpx.TransportError):
    """A body broke a bound; asking again would not help."""


class BodyTooLarge(BoundExceeded):
    pass


class TransferTooSlow(BoundExceeded):
    pass


def _size(n: int) -> str:
    return f"{n / MIB:g} MiB" if n >= MIB else f"{n} bytes"


def read_bounded(response: httpx.Response, request: httpx.Request) -> httpx.Response:
    """Read ``response``'s whole body within its bounds; return it decoded, as a new response.

    Used for every non-streaming request (pages, metadata, small files)."""
    limit = int(request.extensions.get(MAX_BYTES) or PAGE_LIMIT)
    window = _window(request)
    total = window * TOTAL_FACTOR if window is not None else None
    try:
        body = b"".join(bounded_chunks(response, request, limit, window=window, total=total))
    finally:
        response.close()
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code,
        headers=headers,
        content=body,
        request=request,
        extensions=response.extensions,
    )


def copy_bounded(
    response: httpx.Response,
    out: BinaryIO,
    limit: int,
    tee: Callable[[bytes], None] | None = None,
) -> None:
    """Stream a download into ``out``: no more than its Content-Length, nor than ``limit``;
    ``tee`` sees every piece right after it is written (a wheel unpacking as it arrives)."""
    declared = _content_length(response)
    if declared is not None and declared > limit:
        raise BodyTooLarge(
            f"the response declares {_size(declared)}, more than the "
            f"{_size(limit)} a download may be (PIPKEY_MAX_DOWNLOAD_BYTES raises it)",
            request=response.request,
        )
    for piece in bounded_chunks(
        response, response.request, limit, window=_window(response.request)
    ):
        out.write(piece)
        if tee is not None:
            tee(piece)


def download_limit(environ: Mapping[str, str]) -> int:
    """:data:`DOWNLOAD_LIMIT`, or ``PIPKEY_MAX_DOWNLOAD_BYTES`` from ``environ`` when set."""
    value = environ.get("PIPKEY_MAX_DOWNLOAD_BYTES")
    try:
        return int(value) if value else DOWNLOAD_LIMIT
    except ValueError:
        return DOWNLOAD_LIMIT


def bounded_chunks(
    response: httpx.Response,
    request: httpx.Request,
    limit: int,
    *,
    window: float | None,
    total: float | None = None,
) -> Iterator[bytes]:
    """The decoded body, piece by piece, raising as soon as a bound breaks."""
    decoder = _decoder(response.headers.get("content-encoding", ""), request)
    declared = _content_length(response)
    started = window_start = time.monotonic()
    raw = in_window = produced = 0
    for chunk in response.iter_raw():
        now = time.monotonic()
        raw += len(chunk)
        in_window += len(chunk)
        if declared is not None and raw > declared:
            raise BodyTooLarge(
                f"the response sent more than its Content-Length ({declared} bytes)",
                request=request,
            )
        if total is not None and now - started > total:
            raise TransferTooSlow(
                f"the response was not complete after {total:g} s ({TOTAL_FACTOR} times "
                "--timeout): a stalled or slow-drip server",
                request=request,
            )
        if window is not None and now - window_start >= window:
            if in_window < LOW_SPEED_BYTES:
                raise TransferTooSlow(
                    f"the server sent {in_window} bytes in {now - window_start:.0f} s "
                    f"(less than {LOW_SPEED_BYTES} bytes per --timeout of {window:g} s): a "
                    "stalled or slow-drip server; raise --timeout if the network is this slow",
                    request=request,
                )
            window_start, in_window = now, 0
        for piece in decoder(chunk):
            produced += len(piece)
            if produced > limit:
                what = " decompressed" if decoder is not _identity else ""
                raise BodyTooLarge(
                    f"the response is larger than {_size(limit)}{what}: refused",
                    request=request,
                )
            yield piece


def _window(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout")
    read = timeout.get("read") if isinstance(timeout, dict) else None
    return float(read) if read else None


def _content_length(response: httpx.Response) -> int | None:
    if response.headers.get("content-encoding", "identity").lower() not in ("", "identity"):
        return None  # the declared length counts the compressed bytes; the raw check still holds
    value = response.headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _identity(data: bytes) -> Iterator[bytes]:
    if data:
        yield data


Decode = Callable[[bytes], Iterator[bytes]]


def _decoder(encoding: str, request: httpx.Request) -> Decode:
    name = encoding.strip().lower()
    if name in ("", "identity"):
        return _identity
    if name in ("gzip", "x-gzip", "deflate"):
        return _Inflate(name)
    raise httpx.DecodingError(
        f"the response has Content-Encoding {encoding!r}, which pipkey does not "
        "decode (it asks for gzip or deflate)",
        request=request,
    )


class _Inflate:
    """zlib inflate in bounded steps: each step yields at most :data:`_PIECE` bytes, so a bomb
    costs one piece of memory beyond the limit, never its full size."""

    def __init__(self, encoding: str) -> None:
        self.raw_fallback = encoding == "deflate"  # some servers send raw deflate, no header
        self.z = zlib.decompressobj(
            16 + zlib.MAX_WBITS if encoding != "deflate" else zlib.MAX_WBITS
        )
        self.started = False

    def __call__(self, data: bytes) -> Iterator[bytes]:
        while data:
            try:
                out = self.z.decompress(data, _PIECE)
            except zlib.error as exc:
                if self.raw_fallback and not self.started:
                    self.z, self.raw_fallback = zlib.decompressobj(-zlib.MAX_WBITS), False
                    continue
                raise httpx.DecodingError(f"the compressed body is damaged: {exc}") from None
            self.started = True
            data = self.z.unconsumed_tail
            if out:
                yield out
            elif not data:
                break

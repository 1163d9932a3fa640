"""A remote wheel read in pieces with HTTP range requests, for its METADATA when the index
publishes no PEP 658 file (pypiserver, Nexus, many mirrors — this machine's PyPI mirror among
them). uv reads such wheels the same way instead of downloading them whole; pip calls it a
"lazy wheel". Backtracking through 1,500 botocore releases then costs a few kilobytes each,
not 13 MB each.

:class:`RemoteZip` is a read-only, seekable file object over the wheel's URL: ``zipfile`` reads
the end-of-central-directory record, the central directory and one member through it, and each
read it cannot answer from what is held becomes one ``Range`` request of at least
:data:`BLOCK` bytes. The first request asks for the last :data:`TAIL` bytes (a small wheel
arrives whole). A server that answers ``200`` to a range request does not do ranges: the caller
downloads the wheel instead, and :class:`RangeSupport` remembers that host for the rest of the
run. Nothing read this way is trusted blindly: the member's CRC-32 is checked by ``zipfile``,
and the metadata used is compared with the wheel's own when the wheel is installed
(``install/store/agreement.py``), as PEP 658 files are.
"""

from __future__ import annotations

import bisect
import io
import re
import threading
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from pipkey.index.client import IndexClient

TAIL = 64 * 1024  # the first request: end-of-central-directory, usually the whole directory
BLOCK = 32 * 1024  # the least one later request asks for
BUDGET = 8 * 1024 * 1024  # bytes read this way per wheel before a whole download is cheaper
_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+)")


class NoRanges(Exception):
    """The server does not answer range requests (or answers them wrongly): download instead."""


class RangeSupport:
    """Hosts seen not to do ranges this run: asked once, not again for every wheel."""

    def __init__(self) -> None:
        self._without: set[str] = set()
        self._lock = threading.Lock()

    def worth_trying(self, url: str) -> bool:
        if not url.startswith(("https://", "http://")):
            return False
        with self._lock:
            return urlsplit(url).netloc not in self._without

    def refused(self, url: str) -> None:
        with self._lock:
            self._without.add(urlsplit(url).netloc)


class RemoteZip(io.RawIOBase):
    """The bytes of ``url`` as a seekable file, fetched on demand in ranges."""

    def __init__(self, client: IndexClient, url: str) -> None:
        super().__init__()
        self._client = client
        self._url = url
        self._starts: list[int] = []  # sorted starts of held pieces (they never overlap)
        self._pieces: dict[int, bytes] = {}
        self._pos = 0
        self.fetched = 0
        self.size = self._first()

    @property
    def whole(self) -> bytes | None:
        """All of the file, when the reads so far fetched all of it (a small wheel)."""
        if self._starts == [0] and len(self._pieces[0]) == self.size:
            return self._pieces[0]
        return None

    # io.RawIOBase
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = self.size if size is None or size < 0 else min(self.size, self._pos + size)
        if end <= self._pos:
            return b""
        data = self._read_at(self._pos, end)
        self._pos = end
        return data

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    # ranges
    def _first(self) -> int:
        status, start, total, body = self._get(f"bytes=-{TAIL}", TAIL)
        # 200: the host ignores ranges and sent the whole file — fine, it was small (a large
        # one broke the request's size bound and raised NoRanges)
        self._hold(0 if status == 200 else start, body)
        return total

    def _read_at(self, start: int, end: int) -> bytes:
        for gap_start, gap_end in self._gaps(start, end):
            if gap_end - gap_start < BLOCK:  # round small reads up: zipfile reads headers first
                gap_end = min(self.size, gap_start + BLOCK, self._next_start(gap_start))
            status, got_start, _, body = self._get(f"bytes={gap_start}-{gap_end - 1}",
                                                   gap_end - gap_start)  # fmt: skip
            if status != 206 or got_start != gap_start or len(body) != gap_end - gap_start:
                raise NoRanges("the server answered a range request with other bytes")
            self._hold(gap_start, body)
        out = bytearray()
        pos = start
        index = bisect.bisect_right(self._starts, pos) - 1
        while pos < end:
            piece_start = self._starts[index]
            piece = self._pieces[piece_start]
            take = piece[pos - piece_start : end - piece_start]
            out += take
            pos += len(take)
            index += 1
        return bytes(out)

    def _gaps(self, start: int, end: int) -> list[tuple[int, int]]:
        gaps, pos = [], start
        index = max(0, bisect.bisect_right(self._starts, pos) - 1)
        while pos < end:
            if index < len(self._starts):
                piece_start = self._starts[index]
                piece_end = piece_start + len(self._pieces[piece_start])
                if piece_start <= pos < piece_end:
                    pos = piece_end
                    index += 1
                    continue
                if piece_start > pos:
                    gaps.append((pos, min(end, piece_start)))
                    pos = piece_start
                    continue
                index += 1
                continue
            gaps.append((pos, end))
            break
        return gaps

    def _next_start(self, pos: int) -> int:
        index = bisect.bisect_right(self._starts, pos)
        return self._starts[index] if index < len(self._starts) else self.size

    def _hold(self, start: int, data: bytes) -> None:
        bisect.insort(self._starts, start)
        self._pieces[start] = data

    def _get(self, spec: str, expected: int) -> tuple[int, int, int, bytes]:
        self.fetched += expected
        if self.fetched > BUDGET:
            raise NoRanges(f"more than {BUDGET} bytes would be read in ranges")
        import httpx

        from pipkey.net.bounds import MAX_BYTES

        headers = {"Range": spec, "Accept-Encoding": "identity"}
        try:
            response = self._client.network.retrying(
                lambda: self._client.http.get(
                    self._url, headers=headers, extensions={MAX_BYTES: 2 * expected + 4096}
                ),
                self._url,
            )
        except httpx.HTTPError as exc:  # includes a 200 whose body broke the bound
            raise NoRanges(f"{type(exc).__name__}: {exc}") from None
        if response.status_code == 200:
            size = len(response.content)
            return 200, 0, size, response.content
        if response.status_code != 206:
            raise NoRanges(f"HTTP {response.status_code} to a range request")
        found = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", "").strip())
        if found is None:
            raise NoRanges("a 206 answer without a usable Content-Range")
        first, last, total = (int(g) for g in found.groups())
        if last - first + 1 != len(response.content) or last >= total:
            raise NoRanges("a 206 answer whose body does not match its Content-Range")
        return 206, first, total, response.content

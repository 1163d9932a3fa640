"""A scriptable HTTP server for hostile behaviour no real server shows: slow drips, gzip bombs,
bodies longer than their ``Content-Length``, pages with odd links, a 401 on a second origin.

Each route is a function given the request handler; it writes whatever it wants (status line,
headers, body, pauses). Unrouted paths answer 404. Every request is recorded.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.programmable import ThreadedServer

Reply = Callable[["Handler"], None]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: Mapping[str, str]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_obj: HostileServer

    def do_GET(self) -> None:
        server = self.server_obj
        path = self.path.split("?", 1)[0]
        with server.lock:
            server.requests.append(Seen(self.command, self.path, dict(self.headers.items())))
            reply = server.routes.get(path)
        if reply is None:
            send(self, 404, b"not found\n")
        else:
            reply(self)

    def log_message(self, format: str, *args: object) -> None:
        """Silent: ``requests`` is the log tests read."""


class HostileServer(ThreadedServer):
    def __init__(self) -> None:
        self.routes: dict[str, Reply] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()

    def route(self, path: str, reply: Reply) -> None:
        with self.lock:
            self.routes[path] = reply

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return type("BoundHandler", (Handler,), {"server_obj": self})


# --- replies ---------------------------------------------------------------------------------


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str = "text/plain",
    length: int | None = None,
) -> None:
    """A whole answer; ``length`` (when given) is the Content-Length claimed, true or not."""
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body) if length is None else length))
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    handler.end_headers()
    try:
        handler.wfile.write(body)
        handler.wfile.flush()
    except ConnectionError:
        pass


def fixed(
    status: int,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    content_type: str = "text/plain",
) -> Reply:
    return lambda h: send(h, status, body, headers, content_type=content_type)


def unauthorized(realm: str = "hostile") -> Reply:
    return fixed(401, b"login first\n", {"WWW-Authenticate": f'Basic realm="{realm}"'})


def html_page(anchors: Iterable[str]) -> Reply:
    body = "<!DOCTYPE html>\n<html><body>\n" + "<br>\n".join(anchors) + "\n</body></html>\n"
    return fixed(200, body.encode(), content_type="text/html")


def anchor(href: str, text: str, **attributes: str) -> str:
    attrs = "".join(f' {k.replace("_", "-")}="{html.escape(v)}"' for k, v in attributes.items())
    return f'<a href="{html.escape(href)}"{attrs}>{html.escape(text)}</a>'


def file_href(base: str, path: Path) -> str:
    """``base/filename#sha256=…`` for a wheel on disk."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return f"{base.rstrip('/')}/{path.name}#sha256={digest}"


def serve_file(path: Path) -> Reply:
    return lambda h: send(h, 200, path.read_bytes(), content_type="application/octet-stream")


def drip(body: bytes, *, every: float = 1.0, headers: Mapping[str, str] | None = None) -> Reply:
    """One byte per ``every`` seconds (a slow-loris server), with an honest Content-Length."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            h.send_header(key, value)
        h.end_headers()
        try:
            for i in range(len(body)):
                h.wfile.write(body[i : i + 1])
                h.wfile.flush()
                time.sleep(every)
        except (ConnectionError, OSError):
            pass

    return reply


def gzip_bomb_body(decompressed_mib: int) -> bytes:
    """A valid gzip stream that inflates to ``decompressed_mib`` MiB of spaces (about 1 MiB on
    the wire per GiB). Built in about a second: after a full flush the compressor's output for
    each further MiB is the same bytes, so they are repeated instead of recomputed."""
    block = b" " * (1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeat = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()
    crc = 0
    for _ in range(decompressed_mib):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    size = (decompressed_mib << 20) & 0xFFFFFFFF
    trailer = crc.to_bytes(4, "little") + size.to_bytes(4, "little")
    return header + first + repeat * (decompressed_mib - 1) + end + trailer


def gzip_bomb(body: bytes, *, content_type: str = "text/html") -> Reply:
    """Serve a :func:`gzip_bomb_body` as ``Content-Encoding: gzip``."""
    return fixed(200, body, {"Content-Encoding": "gzip"}, content_type=content_type)


def endless(chunk: bytes = b"\0" * 65536, *, claimed: int | None = None) -> Reply:
    """A body that never ends (no Content-Length, connection-delimited), or one that goes on past
    the ``claimed`` Content-Length."""

    def reply(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/octet-stream")
        if claimed is not None:
            h.send_header("Content-Length", str(claimed))
        h.send_header("Connection", "close")
        h.end_headers()
        h.close_connection = True
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                h.wfile.write(chunk)
        except (ConnectionError, OSError):
            pass

    return reply

"""An in-process PEP 503 index whose auth and redirects a test scripts per request.

For behaviour no real server here shows: bearer tokens, tokens that expire mid-run,
404-for-bad-token registries, cross-host redirects of file downloads.
"""

from __future__ import annotations

import base64
import hashlib
import html
import sys
import threading
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename

from tests.support.lifecycle import Service

Auth = Callable[[str | None], int | None]
REALM_HEADER = 'Basic realm="programmable"'


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    authorization: str | None


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def require_basic(users: Mapping[str, str], *, missing: int = 401, wrong: int = 403) -> Auth:
    """Basic auth like pypiserver: no header → ``missing``, bad credentials → ``wrong``."""
    accepted = {_basic(user, password) for user, password in users.items()}

    def auth(header: str | None) -> int | None:
        if header is None:
            return missing
        return None if header in accepted else wrong

    return auth


def require_bearer(tokens: set[str], *, status: int = 401) -> Auth:
    accepted = {f"Bearer {token}" for token in tokens}
    return lambda header: None if header in accepted else status


def token_sequence(username: str, tokens: Sequence[str], uses: int, *, status: int = 401) -> Auth:
    """A rotating token: ``tokens[0]`` serves ``uses`` requests, then only ``tokens[1]``, ….

    The last token never expires, so a client that refreshed correctly finishes its run.
    """
    lock = threading.Lock()
    served = 0

    def auth(header: str | None) -> int | None:
        nonlocal served
        with lock:
            current = tokens[min(served // uses, len(tokens) - 1)]
            if header is None:
                return 401
            if header != _basic(username, current):
                return status
            served += 1
            return None

    return auth


def _requires_python(path: Path) -> str | None:
    if path.suffix != ".whl":
        return None
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(name).decode())
    value = metadata.get("Requires-Python")
    return str(value) if value is not None else None


def _project_of(path: Path) -> str:
    if path.suffix == ".whl":
        return canonicalize_name(parse_wheel_filename(path.name)[0])
    return canonicalize_name(parse_sdist_filename(path.name)[0])


class ThreadedServer(Service):
    """An in-process HTTP server on a free 127.0.0.1 port, served from a daemon thread;
    subclasses give the request handler class bound to themselves."""

    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def handler(self) -> type[BaseHTTPRequestHandler]:
        raise NotImplementedError

    def start(self) -> Self:
        self._server = _QuietServer(("127.0.0.1", 0), self.handler())
        self._set_port(int(self._server.server_address[1]))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


class ProgrammableIndex(ThreadedServer):
    def __init__(self, *, projects: Mapping[str, Sequence[Path]] | None = None) -> None:
        self.auth: Auth = lambda header: None
        self.redirect_files_to: str | None = None
        self.prefix = ""  # serve the index under this path too (CodeArtifact: /pypi/REPO)
        self.requests: list[RecordedRequest] = []
        # Misbehaviour for the next requests, in order: "503" (with Retry-After: 0), "drop"
        # (hang up without answering), "short" (a body cut before its Content-Length),
        # "corrupt" (the whole body, with its bytes reversed: same length, wrong hash).
        self.faults: list[str] = []
        self._lock = threading.Lock()
        self._files: dict[str, Path] = {}
        self._projects: dict[str, list[str]] = {}
        for name, paths in (projects or {}).items():
            self._add(paths, canonicalize_name(name))

    def add_file(self, path: Path) -> None:
        self._add([path], _project_of(Path(path)))

    def _add(self, paths: Iterable[Path], project: str) -> None:
        with self._lock:
            for path in map(Path, paths):
                self._files[path.name] = path
                self._projects.setdefault(project, []).append(path.name)

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    def _respond(self, method: str, path: str, authorization: str | None) -> _Response:
        with self._lock:
            self.requests.append(RecordedRequest(method, path, authorization))
            redirect = self.redirect_files_to
        refusal = self.auth(authorization)
        if refusal is not None:
            headers = {"WWW-Authenticate": REALM_HEADER} if refusal == 401 else {}
            return _Response(refusal, b"refused\n", "text/plain", headers)
        path = path.split("?", 1)[0]
        if self.prefix and path.startswith(self.prefix + "/"):
            path = path[len(self.prefix) :]
        with self._lock:
            if path == "/simple/":
                return _html(f'<a href="/simple/{p}/">{p}</a>' for p in sorted(self._projects))
            if path.startswith("/simple/") and path.endswith("/"):
                names = self._projects.get(canonicalize_name(path[8:-1]))
                if names is not None:
                    return _html(self._anchor(name) for name in names)
            if path.startswith("/files/") and path[7:] in self._files:
                if redirect is not None:
                    location = f"{redirect.rstrip('/')}{path}"
                    return _Response(302, b"", "text/plain", {"Location": location})
                body = self._files[path[7:]].read_bytes()
                return _Response(200, body, "application/octet-stream", {})
        return _Response(404, b"not found\n", "text/plain", {})

    def _anchor(self, filename: str) -> str:
        path = self._files[filename]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        requires_python = _requires_python(path)
        attribute = (
            f' data-requires-python="{html.escape(requires_python)}"' if requires_python else ""
        )
        return f'<a href="/files/{filename}#sha256={digest}"{attribute}>{filename}</a>'


class _QuietServer(ThreadingHTTPServer):
    """Clients that hang up (a cancelled download, a closed pool) are normal, not errors."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Response:
    status: int
    body: bytes
    content_type: str
    headers: Mapping[str, str]


def _html(anchors: Iterable[str]) -> _Response:
    body = "<!DOCTYPE html>\n<html><body>\n" + "<br>\n".join(anchors) + "\n</body></html>\n"
    return _Response(200, body.encode(), "text/html", {})


def _handler_for(index: ProgrammableIndex) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self, send_body: bool) -> None:
            with index._lock:
                fault = index.faults.pop(0) if index.faults else None
            if fault == "drop":
                self.close_connection = True
                return
            if fault == "503":
                self.send_response(503)
                self.send_header("Retry-After", "0")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            response = index._respond(self.command, self.path, self.headers.get("Authorization"))
            if fault == "corrupt":
                response = _Response(
                    response.status, response.body[::-1], response.content_type, response.headers
                )
            if fault == "short":
                self.send_response(response.status)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                self.wfile.write(response.body[: len(response.body) // 2])
                self.close_connection = True
                return
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for key, value in response.headers.items():
                self.send_header(key, value)
            self.end_headers()
            if send_body:
                self.wfile.write(response.body)

        def do_GET(self) -> None:
            self._serve(send_body=True)

        def do_HEAD(self) -> None:
            self._serve(send_body=False)

        def log_message(self, format: str, *args: object) -> None:
            """Silent: the recorded requests are the log tests read."""

    return Handler

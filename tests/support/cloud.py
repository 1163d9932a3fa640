"""Stand-ins for what the real cloud keyring plugins call, and a private /etc/hosts.

- :class:`TokenEndpoint`: Google's OAuth token endpoint (``token_uri`` of a service-account key
  made here, signed for real by google-auth with an RSA key made here); counts token requests.
- :func:`service_account_key`: that key file.
- :func:`in_hosts_namespace`: argv that runs a command in a private mount namespace whose
  ``/etc/hosts`` maps test-only names (``us-central1-python.pkg.dev``) to 127.0.0.1 — the
  machine's own /etc/hosts is never touched (``unshare -m`` + ``mount --bind``, root).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Self

from tests.support.lifecycle import Lifecycle


class TokenEndpoint(Lifecycle):
    def __init__(self, token: str) -> None:
        self.token = token
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def start(self) -> Self:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                with endpoint._lock:
                    endpoint.requests += 1
                body = json.dumps(
                    {"access_token": endpoint.token, "expires_in": 3600, "token_type": "Bearer"}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: ``requests`` is the log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def service_account_key(path: Path, token_uri: str) -> Path:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    path.write_text(
        json.dumps(
            {
                "type": "service_account",
                "project_id": "pipkey-test",
                "private_key_id": "test-key-1",
                "private_key": pem,
                "client_email": "ci@pipkey-test.iam.gserviceaccount.com",
                "client_id": "1234567890",
                "token_uri": token_uri,
            }
        )
    )
    return path


def in_hosts_namespace(hosts: Path, argv: Sequence[str]) -> list[str]:
    """``argv`` run where /etc/hosts is ``hosts`` (for that process tree only)."""
    script = 'mount --bind "$0" /etc/hosts && exec "$@"'
    return ["unshare", "-m", "sh", "-c", script, str(hosts), *argv]


class CodeArtifactEndpoint(Lifecycle):
    """CodeArtifact's ``GetAuthorizationToken`` (``POST /v1/authorization-token``), for boto3
    through ``AWS_ENDPOINT_URL_CODEARTIFACT``: hands out ``tokens`` in order (the last one
    again and again) and counts the calls."""

    def __init__(self, tokens: Sequence[str]) -> None:
        self.tokens = list(tokens)
        self.requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> Self:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                if not self.path.startswith("/v1/authorization-token"):
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with endpoint._lock:
                    token = endpoint.tokens[min(endpoint.requests, len(endpoint.tokens) - 1)]
                    endpoint.requests += 1
                import time

                body = json.dumps(
                    {"authorizationToken": token, "expiration": time.time() + 43200}
                ).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                """Quiet: ``requests`` is the log."""

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

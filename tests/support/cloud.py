"""Stand-ins for what the real cloud keyring plugins call, and a private /etc/hosts.

- :class:`TokenEndpoint`: Google's OAuth token endpoint (``token_uri`` of a service-account key
  made here, signed for real by google-auth with an RSA key made here); counts token requests.
- :func:`service_account_key`: that key file.
- :func:`in_hosts_namespace`: argv that runs a command in a private mount namespace whose
  ``/etc/hosts`` maps test-only names (``us-central1-python.pkg.dev``) to 127.0.0.1 — the
  machine's own /etc/hosts is never touched (``unshare -m`` + ``mount --bind``, root).
- :class:`CodeArtifactEndpoint`: CodeArtifact's ``GetAuthorizationToken``.
- :class:`RegistryAt443`: an index at a registry's real host name *and port* (for plugins that
  only recognise ``pkgs.dev.azure.com`` without a port), in a private network namespace.
- :func:`pipkey_with_extra`: a venv with ``pipkey[EXTRA]`` (the plugin in-process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

from bench.static_index import build as build_static_index
from tests.support.isolation import MACHINE_ENV
from tests.support.lifecycle import Lifecycle
from tests.support.netns import netns_argv
from tests.support.servers import NginxAuth
from tests.support.tls import TestCA


class TokenEndpoint(Lifecycle):
    """``POST /token`` (Google's OAuth endpoint, and its STS token exchange) answers ``token``;
    ``GET /oidc`` answers an OIDC ID token as GitHub Actions' ``ACTIONS_ID_TOKEN_REQUEST_URL``
    does (``{"value": …}``, only with ``Authorization: Bearer OIDC_REQUEST_TOKEN``)."""

    OIDC_REQUEST_TOKEN = "gha-request-token-0123456789"

    def __init__(self, token: str) -> None:
        self.token = token
        self.requests = 0
        self.oidc_requests = 0
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/token"

    def github_actions_credentials(self, path: Path) -> Path:
        """The credentials file ``google-github-actions/auth`` writes for workload identity
        federation (an ``external_account``: GitHub's OIDC token exchanged at STS)."""
        base = self.url.removesuffix("/token")
        path.write_text(
            json.dumps(
                {
                    "type": "external_account",
                    "audience": "//iam.googleapis.com/projects/123456789/locations/global/"
                    "workloadIdentityPools/github/providers/my-repo",
                    "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
                    "token_url": self.url,
                    "credential_source": {
                        "url": f"{base}/oidc?audience=https://iam.googleapis.com/x",
                        "headers": {"Authorization": f"Bearer {self.OIDC_REQUEST_TOKEN}"},
                        "format": {"type": "json", "subject_token_field_name": "value"},
                    },
                }
            )
        )
        return path

    def start(self) -> Self:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                wanted = f"Bearer {endpoint.OIDC_REQUEST_TOKEN}"
                if not self.path.startswith("/oidc") or self.headers["Authorization"] != wanted:
                    self.send_response(403)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with endpoint._lock:
                    endpoint.oidc_requests += 1
                body = json.dumps({"value": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvIn0.c2ln"})
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body.encode())

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


def pipkey_with_extra(venv: Path, extra: str) -> Path:
    """`pipx install 'pipkey[EXTRA]'`, as a venv: pipkey and the real plugin, in-process."""
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    proc = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-e", f"{root}[{extra}]"],
        env=dict(MACHINE_ENV), capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return venv


class RegistryAt443(Lifecycle):
    """A private index at ``https://HOST/PREFIX/simple/`` on port 443 of a private network
    namespace (tests/support/netns.py): a static PEP 503 + 658 tree of ``packages`` behind nginx
    ``auth_basic`` for ``users``, its certificate from a CA made here. :meth:`run` runs pipkey
    from ``venv`` there; nginx's access log tells who asked what (user, status, user agent)."""

    def __init__(
        self, base: Path, host: str, prefix: str, packages: Path, users: dict[str, str]
    ) -> None:
        self.base, self.host = base, host
        self.url = f"https://{host}/{prefix.strip('/')}/simple/"
        www = base / "www"
        build_static_index(packages, www / prefix.strip("/"))
        for parent in (www / prefix.strip("/")).parents:
            if parent.is_relative_to(base):
                parent.chmod(0o755)
        self.hosts = base / "hosts"
        self.hosts.write_text(f"127.0.0.1 localhost {host}\n")
        self.ca = TestCA(base / "ca")
        self.socket = base / "nginx.sock"
        self._www, self._users = www, users
        self.nginx: NginxAuth | None = None

    def start(self) -> Self:
        self.nginx = NginxAuth(
            f"static:{self._www}", self._users, workdir=self.base / "nginx",
            tls=self.ca.server(self.host, host=self.host), unix_socket=self.socket,
        ).start()  # fmt: skip
        return self

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
            self.nginx = None

    def env(self, home: Path, **extra: str) -> dict[str, str]:
        return {**os.environ, "HOME": str(home), "SSL_CERT_FILE": str(self.ca.bundle), **extra}

    def run(self, venv: Path, *args: str | Path, env: dict[str, str]) -> Any:
        argv = [str(venv / "bin" / "python"), "-m", "pipkey", *map(str, args)]
        return subprocess.run(
            netns_argv(self.hosts, {443: self.socket}, argv),
            env=env, capture_output=True, text=True, timeout=180,
        )  # fmt: skip

    def requests(self, agent: str) -> list[dict[str, str]]:
        """Access-log entries whose user agent starts with ``agent``, oldest first."""
        assert self.nginx is not None
        entries = self.nginx.access_log_entries(agent=True)
        return [e for e in entries if e.get("agent", "").startswith(agent)]

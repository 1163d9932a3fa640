"""Real index servers on 127.0.0.1, each a context manager that always stops what it started."""

from __future__ import annotations

import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Self

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'crypt' is deprecated", DeprecationWarning)
    from passlib.apache import HtpasswdFile

from tests.support.lifecycle import Service
from tests.support.programmable import (
    ProgrammableIndex,
    RecordedRequest,
    require_basic,
    require_bearer,
    token_sequence,
)
from tests.support.tls import ServerTLS

__all__ = [
    "NginxAuth",
    "NginxFactory",
    "ProgrammableIndex",
    "ProgrammableIndexFactory",
    "PyPIServer",
    "PyPIServerFactory",
    "RecordedRequest",
    "free_port",
    "require_basic",
    "require_bearer",
    "token_sequence",
    "write_htpasswd",
]

START_TIMEOUT = 15.0


def free_port() -> int:
    """A port the kernel just handed out; the caller retries if someone else takes it first."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_htpasswd(path: Path, users: Mapping[str, str]) -> Path:
    """An apr1 (Apache MD5) password file: both pypiserver and nginx read that scheme."""
    htpasswd = HtpasswdFile(str(path), new=True, default_scheme="apr_md5_crypt")
    for user, password in users.items():
        htpasswd.set_password(user, password)
    htpasswd.save()
    return path


def _answers(url: str) -> bool:
    # Readiness only: the probe does not judge the server's certificate (the tests do).
    context = ssl._create_unverified_context() if url.startswith("https:") else None
    try:
        with urllib.request.urlopen(url, timeout=1, context=context):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class _Process:
    """A server subprocess with its log file, started on a fresh port until one sticks."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.workdir = Path(tempfile.mkdtemp(prefix=f"pipkey-{name}-"))
        self.log_path = self.workdir / f"{name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(
        self,
        command_for_port: Callable[[int], Sequence[str]],
        probe_path: str,
        scheme: str = "http",
    ) -> int:
        for _attempt in range(5):
            port = free_port()
            self._log = self.log_path.open("ab")
            self.process = subprocess.Popen(
                list(command_for_port(port)),
                stdout=self._log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=_server_env(),
            )
            deadline = time.monotonic() + START_TIMEOUT
            while time.monotonic() < deadline and self.process.poll() is None:
                if _answers(f"{scheme}://127.0.0.1:{port}{probe_path}"):
                    return port
                time.sleep(0.05)
            self.stop()
        raise RuntimeError(f"{self.name} did not start; log:\n{self.log()}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)


def _server_env() -> dict[str, str]:
    """Servers must not pick up the test's proxy or Python settings by accident."""
    env = dict(os.environ)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "PYTHONPATH"):
        env.pop(key, None)
    return env


class PyPIServer(Service):
    """pypiserver 2.x serving ``packages_dir``; open when ``users`` is None."""

    def __init__(
        self,
        packages_dir: Path,
        *,
        users: Mapping[str, str] | None = None,
        authenticate: str = "download,list,update",
    ) -> None:
        self.packages_dir = Path(packages_dir)
        self.users = dict(users) if users is not None else None
        self.authenticate = authenticate
        self._process = _Process("pypiserver")

    def start(self) -> Self:
        self.packages_dir.mkdir(parents=True, exist_ok=True)
        if self.users is None:
            auth = ["-a", ".", "-P", "."]
        else:
            htpasswd = write_htpasswd(self._process.workdir / "htpasswd", self.users)
            auth = ["-P", str(htpasswd), "-a", self.authenticate]

        def command(port: int) -> list[str]:
            return [
                sys.executable, "-m", "pypiserver", "run",
                "-i", "127.0.0.1", "-p", str(port), *auth,
                "--disable-fallback", "--backend", "simple-dir",
                str(self.packages_dir),
            ]  # fmt: skip

        self._set_port(self._process.start(command, "/health"))
        return self

    def stop(self) -> None:
        self._process.remove()

    def log(self) -> str:
        return self._process.log()


def _nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


_LOG_SYNC_PATH = "/__pipkey_log_sync__"
_NGINX_CONF = """\
daemon off;
{user}worker_processes 1;
pid {workdir}/nginx.pid;
error_log {workdir}/error.log info;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {workdir}/tmp/client_body;
    proxy_temp_path {workdir}/tmp/proxy;
    fastcgi_temp_path {workdir}/tmp/fastcgi;
    uwsgi_temp_path {workdir}/tmp/uwsgi;
    scgi_temp_path {workdir}/tmp/scgi;
    log_format pipkey escape=json
        '{{"user":"$remote_user","status":"$status","uri":"$request_uri",'
        '"agent":"$http_user_agent"}}';
    access_log {workdir}/access.log pipkey;
    server {{
        listen 127.0.0.1:{port}{ssl};
{unix}{tls}
        location = {sync_path} {{
            return 204;
        }}
        location / {{
            auth_basic "{realm}";
            auth_basic_user_file {workdir}/htpasswd;
{serve}
        }}
    }}
}}
"""


class NginxAuth(Service):
    """nginx ``auth_basic`` in front of an open upstream (the classic 401-for-everything proxy),
    or of a static tree when ``upstream_url_root`` is ``static:/dir`` (a CDN-like index)."""

    def __init__(
        self,
        upstream_url_root: str,
        users: Mapping[str, str],
        *,
        realm: str = "private",
        workdir: Path,
        tls: ServerTLS | None = None,
        unix_socket: Path | None = None,
        extra: str = "",
    ) -> None:
        self.tls = tls
        self.extra = extra  # more directives for `location /` (e.g. `expires 1h;`)
        self.unix_socket = unix_socket  # also listen there (see tests/support/netns.py)
        self.upstream_url_root = upstream_url_root.rstrip("/")
        self.users = dict(users)
        self.realm = realm
        self.workdir = Path(workdir)
        self._process = _Process("nginx")

    def start(self) -> Self:
        (self.workdir / "tmp").mkdir(parents=True, exist_ok=True)
        write_htpasswd(self.workdir / "htpasswd", self.users)
        user = "user root root;\n" if os.geteuid() == 0 else ""

        def command(port: int) -> list[str]:
            conf = _NGINX_CONF.format(
                user=user,
                workdir=self.workdir,
                port=port,
                realm=self.realm,
                serve=self._serve_lines() + (f"\n            {self.extra}" if self.extra else ""),
                sync_path=_LOG_SYNC_PATH,
                ssl=" ssl" if self.tls else "",
                unix=(
                    f"        listen unix:{self.unix_socket}{' ssl' if self.tls else ''};\n"
                    if self.unix_socket
                    else ""
                ),
                tls=self.tls.nginx_lines() if self.tls else "",
            )
            (self.workdir / "nginx.conf").write_text(conf)
            return [
                _nginx_binary(), "-p", str(self.workdir), "-c", str(self.workdir / "nginx.conf"),
                "-e", str(self.workdir / "error.log"),
            ]  # fmt: skip

        scheme = "https" if self.tls else "http"
        self._set_port(self._process.start(command, _LOG_SYNC_PATH, scheme))
        if self.tls:
            self.root = f"https://{self.tls.host}:{self.port}"
            self.url = f"{self.root}/simple/"
        return self

    def _serve_lines(self) -> str:
        """Proxy to the upstream, serve a static tree (``static:/dir``) as a CDN would, or git
        repositories (``git:/repos|/fcgiwrap.sock``) through ``git http-backend``."""
        if self.upstream_url_root.startswith("git:"):
            repos, _, socket_path = self.upstream_url_root.removeprefix("git:").partition("|")
            params = {
                "SCRIPT_FILENAME": "/usr/lib/git-core/git-http-backend",
                "GIT_PROJECT_ROOT": repos,
                "GIT_HTTP_EXPORT_ALL": '""',
                "PATH_INFO": "$uri",
                "REMOTE_USER": "$remote_user",
                "QUERY_STRING": "$query_string",
                "REQUEST_METHOD": "$request_method",
                "CONTENT_TYPE": "$content_type",
                "CONTENT_LENGTH": "$content_length",
            }
            lines = [f"            fastcgi_pass unix:{socket_path};"]
            lines += [f"            fastcgi_param {k} {v};" for k, v in params.items()]
            return "\n".join(lines)
        if self.upstream_url_root.startswith("static:"):
            root = self.upstream_url_root.removeprefix("static:")
            return f"            root {root};\n            index index.html;"
        return (
            f"            proxy_pass {self.upstream_url_root};\n"
            "            proxy_set_header Host $http_host;\n"
            "            proxy_redirect off;"
        )

    def stop(self) -> None:
        self._process.remove()

    def access_log_entries(self, *, agent: bool = False) -> list[dict[str, str]]:
        """Requests nginx has answered so far, oldest first (``user`` is "" when anonymous;
        ``agent``, the User-Agent, only when asked for).

        nginx writes a log line just after the response, so a client can be faster than the
        log: a marker request, logged after everything before it, says when the log is whole.
        """
        marker = f"{_LOG_SYNC_PATH}?{uuid.uuid4().hex}"
        _answers(f"http{'s' if self.tls else ''}://127.0.0.1:{self.port}{marker}")
        deadline = time.monotonic() + 5
        while True:
            entries = self._read_access_log()
            if any(entry["uri"] == marker for entry in entries) or time.monotonic() > deadline:
                break
            time.sleep(0.01)
        return [
            entry if agent else {k: v for k, v in entry.items() if k != "agent"}
            for entry in entries
            if not entry["uri"].startswith(_LOG_SYNC_PATH)
        ]

    def _read_access_log(self) -> list[dict[str, str]]:
        path = self.workdir / "access.log"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

    def error_log(self) -> str:
        path = self.workdir / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


PyPIServerFactory = Callable[..., PyPIServer]
"""The ``pypiserver_factory`` fixture: ``(packages_dir, users=None, *, authenticate=…)``."""
NginxFactory = Callable[..., NginxAuth]
"""The ``nginx_factory`` fixture: ``(upstream_root, users, realm="private")``."""
ProgrammableIndexFactory = Callable[..., ProgrammableIndex]
"""The ``programmable_index_factory`` fixture: ``(*, projects=None)``."""

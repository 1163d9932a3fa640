"""The machine a docs reader is on, for the recipe test (tests/e2e/test_doc_recipes.py).

Every registry host the docs name answers on its real port, 443, inside a private network and
mount namespace (tests/support/netns.py): one nginx with a certificate from a CA made here for
all of them, serving one static index under any path prefix (``…/simple/``, ``…/files/``).
``pypi.org`` is open (public stand-ins of the packages the recipes install); every other host
wants HTTP Basic with one of the registries' usernames and :data:`SECRET`. The docs' own local
example, ``http://127.0.0.1:8765/simple/``, is a real pypiserver with an htpasswd user ``alice``
(it answers 403 to wrong credentials, as the docs show). Google's token endpoint and
CodeArtifact's ``GetAuthorizationToken`` are the stand-ins of tests/support/cloud.py, reached
from inside the namespace through the same relays.
"""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Self

from tests.support.cloud import CodeArtifactEndpoint, TokenEndpoint, service_account_key
from tests.support.lifecycle import Lifecycle
from tests.support.netns import netns_argv
from tests.support.servers import PyPIServer, write_htpasswd
from tests.support.tls import TestCA
from tests.support.wheels import build_wheel, make_sdist

SECRET = "recipe-S3cret-0123456789abcdef"
"""The one secret every registry accepts (and the tests grep every output for)."""

USERS = ("alice", "ci-reader", "oauth2accesstoken", "aws", "VssSessionToken", "__token__",
         "gitlab-ci-token", "jdoe")  # fmt: skip
PUBLIC = "pypi.org"
HOSTS = (
    "pypi.corp.example", "pkgs.corp.example", "corp.example", "private.example",
    "europe-west1-python.pkg.dev", "europe-python.pkg.dev", "us-central1-python.pkg.dev",
    "my-domain-111122223333.d.codeartifact.eu-west-1.amazonaws.com",
    "pkgs.dev.azure.com", "gitlab.example.com", "artifactory.example.com", "nexus.example.com",
)  # fmt: skip
LOCAL_PORT = 8765  # docs/authentication.md's pypiserver

_IN_TREE_BACKEND = """\
import base64, hashlib, io, os, zipfile

FIELDS = dict(line.split(": ", 1) for line in open("PKG-INFO").read().splitlines() if ": " in line)
NAME, VERSION = FIELDS["Name"], FIELDS["Version"]


def digest(data):
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    norm = NAME.replace("-", "_")
    info = f"{norm}-{VERSION}.dist-info"
    metadata = f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\n"
    wheel = "Wheel-Version: 1.0\\nGenerator: recipe\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    files = {f"{norm}.py": b"print('docopt from source')\\n",
             f"{info}/METADATA": metadata.encode(), f"{info}/WHEEL": wheel.encode()}
    record = "".join(f"{p},sha256={digest(d)},{len(d)}\\n" for p, d in files.items())
    record += f"{info}/RECORD,,\\n"
    files[f"{info}/RECORD"] = record.encode()
    name = f"{norm}-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
    return name
"""


def build_packages(directory: Path) -> Path:
    """The distributions the recipes install, under the names the docs use."""
    cli = {"console_scripts": {"hello-private": "hello_private:main"}}
    build_wheel(
        directory, "hello-private", "1.0", requires=["hello-dep"], entry_points=cli,
        files={"hello_private/__init__.py": "def main():\n    print('hello from private')\n"},
    )  # fmt: skip
    build_wheel(directory, "hello-dep", "1.0")
    build_wheel(directory, "mypkg", "1.0")
    build_wheel(directory, "internal-lib", "1.0")
    build_wheel(directory, "requests", "2.32.0")
    build_wheel(directory, "rich", "13.9.0", extras={"jupyter": []})
    make_sdist(
        directory, "docopt", "0.6.2",
        {"pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
                           'backend-path = ["."]\n',
         "backend.py": _IN_TREE_BACKEND},
    )  # fmt: skip
    return directory


def static_index(packages: Path, root: Path) -> Path:
    """``root/simple/<project>/`` (PEP 503, ``#sha256=``) and ``root/files/``, links relative,
    so the same tree answers under any prefix."""
    files = root / "files"
    files.mkdir(parents=True)
    projects: dict[str, list[str]] = {}
    for dist in sorted(packages.iterdir()):
        shutil.copyfile(dist, files / dist.name)
        project = dist.name.split("-")[0].replace("_", "-").lower()
        digest = hashlib.sha256(dist.read_bytes()).hexdigest()
        href = html.escape(f"../../files/{dist.name}#sha256={digest}")
        projects.setdefault(project, []).append(f'<a href="{href}">{html.escape(dist.name)}</a>')
    for project, anchors in projects.items():
        page = root / "simple" / project
        page.mkdir(parents=True)
        (page / "index.html").write_text(
            "<html><body>\n" + "<br>\n".join(anchors) + "\n</body></html>\n"
        )
    listing = "".join(f'<a href="{p}/">{p}</a>\n' for p in sorted(projects))
    (root / "simple" / "index.html").write_text(f"<html><body>\n{listing}</body></html>\n")
    for path in [root, *root.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return root


_NGINX = """\
daemon off;
{user}worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log info;
events {{ worker_connections 256; }}
http {{
    client_body_temp_path {work}/tmp/client_body;
    proxy_temp_path {work}/tmp/proxy;
    fastcgi_temp_path {work}/tmp/fastcgi;
    uwsgi_temp_path {work}/tmp/uwsgi;
    scgi_temp_path {work}/tmp/scgi;
    log_format recipe escape=json
        '{{"host":"$host","user":"$remote_user","status":"$status","uri":"$request_uri"}}';
    access_log {work}/access.log recipe;
    ssl_certificate {chain};
    ssl_certificate_key {key};
    server {{
        listen unix:{work}/443.sock ssl;
        server_name {public};
        root {www};
        index index.html;
        rewrite ^/(?:.*/)?((?:simple|files)/.*)$ /$1 break;
    }}
    server {{
        listen unix:{work}/443.sock ssl default_server;
        server_name _;
        root {www};
        index index.html;
        location / {{
            auth_basic "registry";
            auth_basic_user_file {work}/htpasswd;
            rewrite ^/(?:.*/)?((?:simple|files)/.*)$ /$1 break;
        }}
    }}
{relays}}}
"""
_RELAY = """\
    server {{
        listen unix:{work}/{port}.sock;
        location / {{
            proxy_pass http://127.0.0.1:{target};
            proxy_set_header Host $http_host;
            proxy_redirect off;
        }}
    }}
"""


class RecipeWorld(Lifecycle):
    """Everything above, started once per test session; :meth:`argv` runs a command there."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.packages = build_packages(base / "packages")
        self.www = static_index(self.packages, base / "www")
        self.ca = TestCA(base / "ca")
        self.hosts = base / "hosts"
        self.hosts.write_text(f"127.0.0.1 localhost {PUBLIC} {' '.join(HOSTS)}\n::1 localhost\n")
        self.work = base / "nginx"
        self.gar = TokenEndpoint(SECRET)
        self.codeartifact = CodeArtifactEndpoint([SECRET])
        self.pypiserver = PyPIServer(self.packages, users={"alice": SECRET})
        self._nginx: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        self.gar.start()
        self.codeartifact.start()
        self.pypiserver.start()
        self.key = service_account_key(self.base / "sa-key.json", self.gar.url)
        tls = self.ca.server(PUBLIC, *HOSTS, name="registries")
        (self.work / "tmp").mkdir(parents=True)
        self.work.chmod(0o755)
        write_htpasswd(self.work / "htpasswd", dict.fromkeys(USERS, SECRET))
        self.relayed = {
            LOCAL_PORT: self.pypiserver.port,
            self._port(self.gar.url): self._port(self.gar.url),
            self._port(self.codeartifact.url): self._port(self.codeartifact.url),
        }
        relays = "".join(
            _RELAY.format(work=self.work, port=port, target=target)
            for port, target in self.relayed.items()
        )
        conf = _NGINX.format(
            user="user root root;\n" if os.geteuid() == 0 else "", work=self.work,
            chain=tls.cert_chain, key=tls.key, public=PUBLIC, www=self.www, relays=relays,
        )  # fmt: skip
        (self.work / "nginx.conf").write_text(conf)
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        log = (self.work / "nginx.out").open("wb")
        self._nginx = subprocess.Popen(
            [nginx, "-p", str(self.work), "-c", str(self.work / "nginx.conf"),
             "-e", str(self.work / "error.log")],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        self._wait_for(self.work / "443.sock")
        return self

    @staticmethod
    def _port(url: str) -> int:
        return int(url.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[1])

    def _wait_for(self, path: Path) -> None:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            assert self._nginx is not None
            if self._nginx.poll() is not None:
                raise RuntimeError((self.work / "error.log").read_text(errors="replace"))
            with socket.socket(socket.AF_UNIX) as sock:
                try:
                    sock.connect(str(path))
                    return
                except OSError:
                    time.sleep(0.05)
        raise RuntimeError("nginx did not start: " + (self.work / "error.log").read_text())

    def stop(self) -> None:
        if self._nginx is not None:
            self._nginx.terminate()
            try:
                self._nginx.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._nginx.kill()
                self._nginx.wait()
            self._nginx = None
        self.pypiserver.stop()
        self.codeartifact.stop()
        self.gar.stop()

    def argv(self, command: Sequence[str]) -> list[str]:
        """``command`` where the docs' hosts, ports and endpoints answer."""
        relays = {443: self.work / "443.sock"}
        relays.update({port: self.work / f"{port}.sock" for port in self.relayed})
        return netns_argv(self.hosts, relays, command)

    def requests(self) -> list[str]:
        """``host uri status user`` of every request nginx answered at 443, oldest first."""
        import json

        path = self.work / "access.log"
        entries = (
            [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
        )
        return [f"{e['host']} {e['uri']} {e['status']} {e['user']}" for e in entries]

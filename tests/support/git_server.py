"""A private git server over HTTP: ``git http-backend`` behind nginx ``auth_basic`` through
fcgiwrap (all from Debian), on 127.0.0.1."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Self

from tests.support.lifecycle import Lifecycle
from tests.support.servers import NginxAuth


class GitServer(Lifecycle):
    def __init__(self, repos: Path, users: Mapping[str, str], *, realm: str = "private") -> None:
        """``realm="off"``: an open server (nginx still logs the Basic user a client sends)."""
        self.repos = repos
        self.users = dict(users)
        self.realm = realm
        self.workdir = Path(tempfile.mkdtemp(prefix="pipkey-git-"))
        self.workdir.chmod(0o755)
        self.socket = self.workdir / "fcgiwrap.sock"
        self._fcgi: subprocess.Popen[bytes] | None = None
        self.nginx: NginxAuth | None = None

    @property
    def root(self) -> str:
        assert self.nginx is not None
        return self.nginx.root

    def start(self) -> Self:
        binary = shutil.which("fcgiwrap") or "/usr/sbin/fcgiwrap"
        self._fcgi = subprocess.Popen(
            [binary, "-s", f"unix:{self.socket}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.socket.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        self.socket.chmod(0o777)
        upstream = f"git:{self.repos}|{self.socket}"
        self.nginx = NginxAuth(
            upstream, self.users, realm=self.realm, workdir=self.workdir / "nginx"
        ).start()
        return self

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
            self.nginx = None
        if self._fcgi is not None:
            self._fcgi.terminate()
            self._fcgi.wait(timeout=5)
            self._fcgi = None
        shutil.rmtree(self.workdir, ignore_errors=True)

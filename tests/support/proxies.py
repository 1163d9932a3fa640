"""tinyproxy, Debian's small forward proxy, on 127.0.0.1 with Basic proxy auth and a log."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Self

from tests.support.lifecycle import Lifecycle
from tests.support.servers import _Process


def tinyproxy_binary() -> str | None:
    return shutil.which("tinyproxy") or (
        "/usr/bin/tinyproxy" if Path("/usr/bin/tinyproxy").exists() else None
    )


class TinyProxy(Lifecycle):
    """``tinyproxy -d -c CONF``: ``BasicAuth user password``, CONNECT allowed to ``connect_ports``.

    ``url`` is the proxy URL without credentials; ``url_with(user, password)`` adds them.
    """

    def __init__(self, user: str, password: str, *, connect_ports: tuple[int, ...]) -> None:
        self.user = user
        self.password = password
        self.connect_ports = connect_ports
        self._process = _Process("tinyproxy")
        self._process.workdir.chmod(0o777)  # tinyproxy may drop privileges and writes its log
        self.log_path = self._process.workdir / "access.log"
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str) -> str:
        return f"http://{user}:{password}@127.0.0.1:{self.port}"

    def start(self) -> Self:
        binary = tinyproxy_binary()
        if binary is None:
            raise RuntimeError("tinyproxy is not installed (apt-get install tinyproxy)")

        def command(port: int) -> list[str]:
            conf = self._process.workdir / "tinyproxy.conf"
            lines = [
                f"Port {port}",
                "Listen 127.0.0.1",
                "Timeout 30",
                f'LogFile "{self.log_path}"',
                "LogLevel Connect",
                "MaxClients 50",
                "Allow 127.0.0.1",
                f"BasicAuth {self.user} {self.password}",
                *(f"ConnectPort {p}" for p in self.connect_ports),
            ]
            conf.write_text("\n".join(lines) + "\n")
            return [binary, "-d", "-c", str(conf)]

        # Any HTTP answer (tinyproxy says 407 to the anonymous probe) means it is listening.
        self.port = self._process.start(command, "/")
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def connects(self) -> list[str]:
        """The CONNECT request lines tinyproxy logged, oldest first."""
        return [
            line for line in self.log().splitlines() if "Request" in line and "): CONNECT " in line
        ]

    def stop(self) -> None:
        self._process.remove()

"""netrc: ``NETRC`` or ``~/.netrc``, matched by host, with the ``default`` entry as fallback."""

from __future__ import annotations

import netrc
import os
from collections.abc import Callable, Mapping
from pathlib import Path

from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.query import Query


def netrc_path(configured: str | None, environ: Mapping[str, str]) -> Path:
    if configured:
        return Path(configured)
    if environ.get("NETRC"):
        return Path(environ["NETRC"])
    return Path(environ.get("HOME") or Path.home()) / ".netrc"


class NetrcSource:
    kind = "netrc"

    def __init__(self, path: Path, warn: Callable[[str], None]) -> None:
        self.path = path
        self._warn = warn
        self._parsed: netrc.netrc | None = None
        self._loaded = False

    def _load(self) -> netrc.netrc | None:
        if not self._loaded:
            self._loaded = True
            if self.path.is_file():
                try:
                    self._parsed = netrc.netrc(os.fspath(self.path))
                except (netrc.NetrcParseError, OSError) as exc:
                    self._warn(f"ignoring unreadable netrc file {self.path}: {exc}")
        return self._parsed

    def __call__(self, query: Query, *, active: bool = True) -> Credentials | None:
        """``active``: the host asked (a 401). The ``default`` entry is meant for whatever host
        asks; sent before that, it would go to every host a page links."""
        parsed = self._load()
        if parsed is None:
            state = "unreadable" if self.path.is_file() else "no file"
            query.note(self.kind, "miss", f"{state} at {self.path}")
            return None
        host = query.target.origin.host
        entry = parsed.hosts.get(host)
        where = f"machine {host}"
        if entry is None and "default" in parsed.hosts:
            if not active:
                query.note(self.kind, "skipped", f"{self.path}, default entry: only on a 401")
                return None
            entry = parsed.hosts.get("default")
            where = "default entry"
        if entry is None:
            query.note(self.kind, "miss", f"{self.path}: no machine {host} and no default")
            return None
        login, _account, password = entry
        detail = f"{self.path}, {where}"
        if query.username is not None and login and login != query.username:
            query.note(
                self.kind, "skipped", f"{detail}: login {login!r} is not {query.shown_username!r}"
            )
            return None
        if not password:
            query.learn_username(login, self.kind, detail)
            return None
        return query.offer(
            Credentials(login or query.username, password, source=Source("netrc", detail))
        )

"""Requirements files as ``install``, ``sync`` and ``lock`` read them: local paths or
``http(s)://`` URLs, and the index lines in them turned into settings overrides.

A remote file is fetched through pipkey's own HTTP client and auth engine (credentials in the
URL, keyring, the credential store, netrc; the configured TLS and proxies), with the settings the
command line and config files give — the file's own index lines cannot apply to itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipkey.cli.options import ConfigFlags
from pipkey.cli.workdir import project_dir
from pipkey.resolve.reqfile import RequirementsFiles, is_url


@contextmanager
def _fetcher(config_flags: ConfigFlags, no_input: bool | None) -> Iterator[Any]:
    sessions: list[Any] = []

    def fetch(url: str) -> bytes:
        if not sessions:
            from pipkey.install.report import Reporter
            from pipkey.install.session import Session

            overrides = {**config_flags.overrides, "no_input": no_input}
            settings = ConfigFlags(overrides, config_flags.isolated).load(cwd=project_dir())
            sessions.append(Session(settings, Reporter.for_flags({})))
        data: bytes = sessions[0].client.get_bytes(url)
        return data

    try:
        yield fetch
    finally:
        for session in sessions:
            session.close()


def read_requirements(
    config_flags: ConfigFlags,
    requirements: Iterable[str | Path],
    constraints: Iterable[str | Path] = (),
    *,
    no_input: bool | None = None,
) -> RequirementsFiles:
    with _fetcher(config_flags, no_input) as fetch:
        files = RequirementsFiles(fetch=fetch)
        for location in requirements:
            files.read(_location(location))
        for location in constraints:
            files.read(_location(location), constraint=True)
    files.fetch = None
    return files


def _location(given: str | Path) -> str | Path:
    text = str(given)
    return text if is_url(text) else Path(text)


def index_overrides(
    overrides: Mapping[str, Any], files: RequirementsFiles, *, find_links: Iterable[str] = ()
) -> dict[str, Any]:
    """A file's ``--index-url`` (unless the command line names one), ``--extra-index-url``,
    ``--find-links``, ``--trusted-host`` and ``--no-index`` as settings — the same for install,
    sync and lock."""
    out = dict(overrides)
    if files.index_url and not (out.get("index_url") or out.get("default_index")):
        out["index_url"] = files.index_url
    out["extra_index_urls"] = [*(out.get("extra_index_urls") or ()), *files.extra_index_urls]
    out["find_links"] = [*find_links, *files.find_links]
    out["no_index"] = bool(out.get("no_index")) or files.no_index
    if files.trusted_hosts:
        out["trusted_hosts"] = [*(out.get("trusted_hosts") or ()), *files.trusted_hosts]
    return out

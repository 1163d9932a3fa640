"""Build Settings from command-line flags (files and env vars: see the config issue).

Interim version: flags only. ``overrides`` keys (all optional, ``None`` = not given):
``index_url``, ``default_index``, ``extra_index_urls`` (list), ``indexes`` (list of
``NAME=URL`` or ``URL``), ``find_links`` (list), ``no_index``, ``keyring_provider``,
``keyring_path``, ``keyring_timeout``, ``index_strategy``, ``cache_dir``, ``no_input``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipkey.auth.errors import PipkeyError
from pipkey.config.settings import PYPI_URL, Index, Settings


class ConfigError(PipkeyError):
    exit_code = 2


def load_settings(
    overrides: Mapping[str, Any],
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    isolated: bool = False,
) -> Settings:
    extra: list[Index] = []
    for entry in overrides.get("indexes") or ():
        name, sep, url = str(entry).partition("=")
        extra.append(
            Index(url, name=name, origin="flag --index")
            if sep
            else Index(name, origin="flag --index")
        )
    for url in overrides.get("extra_index_urls") or ():
        extra.append(Index(url, origin="flag --extra-index-url"))
    default_url = overrides.get("default_index") or overrides.get("index_url")
    default = Index(
        default_url or PYPI_URL,
        name=None if default_url else "pypi",
        default=True,
        origin="flag --index-url" if default_url else "default",
    )
    kwargs: dict[str, Any] = {}
    for key in (
        "keyring_provider",
        "keyring_path",
        "keyring_timeout",
        "index_strategy",
        "no_input",
    ):
        if overrides.get(key) is not None:
            kwargs[key] = overrides[key]
    if overrides.get("cache_dir"):
        kwargs["cache_dir"] = Path(overrides["cache_dir"])
    return Settings(
        indexes=(*extra, default),
        find_links=tuple(overrides.get("find_links") or ()),
        no_index=bool(overrides.get("no_index")),
        **kwargs,
    )

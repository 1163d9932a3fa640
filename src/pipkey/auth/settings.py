"""What the auth engine needs to know, independent of where it was configured.

The config layer builds these from flags, env vars and files; any other tool can build them by hand.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Authenticate = Literal["auto", "always", "never"]
KeyringProviderName = Literal["disabled", "import", "subprocess", "auto"]

AUTHENTICATE_VALUES: tuple[Authenticate, ...] = ("auto", "always", "never")
KEYRING_PROVIDERS: tuple[KeyringProviderName, ...] = ("disabled", "import", "subprocess", "auto")
DEFAULT_KEYRING_TIMEOUT = 30.0


@dataclass(frozen=True)
class IndexAuth:
    """One configured index as the auth engine sees it.

    ``url`` is as configured and may carry credentials (``https://user:pw@host/simple/``);
    ``username`` is a configured username (uv #16174: no URL edit needed for it);
    ``keyring_service`` overrides the first keyring service name tried.
    """

    url: str
    name: str | None = None
    username: str | None = None
    authenticate: Authenticate = "auto"
    keyring_service: str | None = None


@dataclass(frozen=True)
class AuthSettings:
    """``find_links`` are the find-links page URLs (``--find-links``): each is its own
    location for credentials, like an index — its own URL's credentials serve it and the files
    it lists, never a same-host index's. ``trusted_hosts`` (``--trusted-host``,
    ``--allow-insecure-host``) may receive credentials over plain ``http://``; other hosts only
    over https or on loopback."""

    indexes: tuple[IndexAuth, ...] = ()
    find_links: tuple[str, ...] = ()
    trusted_hosts: tuple[str, ...] = ()  # --trusted-host: credentials may go there over http
    keyring_provider: KeyringProviderName = "auto"
    keyring_path: str | None = None
    keyring_timeout: float = DEFAULT_KEYRING_TIMEOUT
    no_input: bool = False
    netrc_path: str | None = None
    store_dir: Path | None = None
    hints_dir: Path | None = None  # indexes to look credentials up ahead for (auth/ahead.py)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ), repr=False)

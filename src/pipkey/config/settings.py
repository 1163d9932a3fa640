"""The one Settings model every command reads, with the provenance of each value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pipkey.auth.settings import (
    DEFAULT_KEYRING_TIMEOUT,
    Authenticate,
    AuthSettings,
    IndexAuth,
    KeyringProviderName,
)
from pipkey.net.settings import DEFAULT_RETRIES, DEFAULT_TIMEOUT, NetSettings

IndexStrategy = Literal["first-index", "unsafe-best-match"]
INDEX_STRATEGIES: tuple[IndexStrategy, ...] = ("first-index", "unsafe-best-match")
PYPI_URL = "https://pypi.org/simple/"


@dataclass(frozen=True)
class Index:
    """A package index as configured (pip, uv or pipkey config, or flags)."""

    url: str
    name: str | None = None
    default: bool = False
    explicit: bool = False
    authenticate: Authenticate = "auto"
    username: str | None = None
    keyring_service: str | None = None
    origin: str = "default"  # provenance: "flag --index-url", "env UV_INDEX", "/p/x.toml:12"
    username_origin: str | None = None  # where ``username`` came from (file:line or env var)
    ignore_error_codes: frozenset[int] = frozenset()  # uv: these statuses fall through

    def auth(self) -> IndexAuth:
        return IndexAuth(
            url=self.url,
            name=self.name,
            username=self.username,
            authenticate=self.authenticate,
            keyring_service=self.keyring_service,
        )


@dataclass(frozen=True)
class Settings:
    """Effective configuration.

    ``indexes`` is in search order: every non-default index first (``--index``,
    ``--extra-index-url``), the default index (``--index-url``/``--default-index``, PyPI when
    unset) last — the uv order that makes first-index resolution dependency-confusion safe.
    ``sources`` pins a package (normalized name) to an index name; explicit indexes only serve
    pinned packages. ``provenance`` maps each field name (and ``default_index``,
    ``sources.<package>``) to where its value came from: ``flag --x``, ``env VAR``,
    ``/path/file:line`` or ``default``.
    """

    indexes: tuple[Index, ...] = (Index(PYPI_URL, name="pypi", default=True),)
    find_links: tuple[str, ...] = ()
    no_index: bool = False
    sources: Mapping[str, str] = field(default_factory=dict)
    keyring_provider: KeyringProviderName = "auto"
    keyring_path: str | None = None
    keyring_timeout: float = DEFAULT_KEYRING_TIMEOUT
    index_strategy: IndexStrategy = "first-index"
    cache_dir: Path | None = None
    no_input: bool = False
    cert: str | None = None
    client_cert: str | None = None
    proxy: str | None = None
    trusted_hosts: tuple[str, ...] = ()
    no_binary: tuple[str, ...] = ()  # from config files (pip.conf): merged with the flags
    only_binary: tuple[str, ...] = ()
    retries: int = DEFAULT_RETRIES
    timeout: float = DEFAULT_TIMEOUT
    native_tls: bool = False
    offline: bool = False  # --offline (uv): no network; only caches and local locations
    refresh: bool = False  # --refresh (uv): revalidate every stored index page, fresh or not
    provenance: Mapping[str, str] = field(default_factory=dict)
    config_files: tuple[str, ...] = ()  # every config file read, for `pipkey config show`
    notes: tuple[str, ...] = ()  # things a user should know: shadowed files, ignored entries

    def net_settings(self, environ: Mapping[str, str]) -> NetSettings:
        names = ("cert", "client_cert", "proxy", "trusted_hosts", "retries", "timeout")
        return NetSettings(
            cert=self.cert,
            client_cert=self.client_cert,
            proxy=self.proxy,
            trusted_hosts=self.trusted_hosts,
            retries=self.retries,
            timeout=self.timeout,
            native_tls=self.native_tls,
            origins={name: self.provenance.get(name, "default") for name in names},
            environ=dict(environ),
        )

    def auth_settings(self, environ: Mapping[str, str]) -> AuthSettings:
        return AuthSettings(
            indexes=tuple(index.auth() for index in self.indexes),
            find_links=self.find_links,
            trusted_hosts=self.trusted_hosts,
            keyring_provider=self.keyring_provider,
            keyring_path=self.keyring_path,
            keyring_timeout=self.keyring_timeout,
            no_input=self.no_input,
            environ=dict(environ),
        )

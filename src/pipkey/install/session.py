"""Everything one run shares: settings, the auth engine, one HTTP client, finder and artifacts."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from packaging.utils import NormalizedName

from pipkey.auth.prompt import TerminalPrompter
from pipkey.config import Settings
from pipkey.index.client import IndexClient
from pipkey.index.finder import Finder
from pipkey.index.page_cache import PageCache
from pipkey.index.parsed_pages import ParsedPages
from pipkey.install.report import Reporter
from pipkey.install.request import BuildOptions
from pipkey.install.store.cache import WheelCache, default_cache_dir

if TYPE_CHECKING:
    import httpx

    from pipkey.auth import Authenticator
    from pipkey.install.store.artifacts import Artifacts
    from pipkey.net import Network

T = TypeVar("T")


@dataclass
class Session:
    settings: Settings
    reporter: Reporter
    use_cache: bool = True
    required_hashes: Mapping[NormalizedName, Mapping[str, set[str]]] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    build_options: BuildOptions = field(default_factory=BuildOptions)

    def __post_init__(self) -> None:
        self.prompter = TerminalPrompter(pause=self.reporter.paused)
        self._made_lock = threading.RLock()
        self.cache = WheelCache(Path(self.settings.cache_dir or default_cache_dir()))
        # The auth engine and the HTTP stack (httpx, ssl) load on the first request, not
        # here: a sync whose every file is cached makes none (see IndexClient).
        secrets = lambda: self.auth.known_secrets()  # noqa: E731
        self._look_ahead = False
        self.client = IndexClient(
            self._first_request_auth,
            network=lambda: self.network,
            offline=self.settings.offline,
            refresh=self.settings.refresh,
            pages=PageCache(self.cache.root, secrets=secrets) if self.use_cache else None,
            parsed=ParsedPages(self.cache.root, secrets=secrets) if self.use_cache else None,
        )
        self.finder = Finder(self.client, self.settings)
        self._artifacts_lock = threading.Lock()
        self._artifacts: Artifacts | None = None

    def _once(self, key: str, make: Callable[[], T]) -> T:
        """``make()`` once per session, even when two threads ask first at the same time."""
        with self._made_lock:
            if key not in self.__dict__:
                self.__dict__[key] = make()
            return self.__dict__[key]  # type: ignore[no-any-return]

    @cached_property
    def auth(self) -> Authenticator:
        def make() -> Authenticator:
            from pipkey.auth import Authenticator

            settings = replace(self.settings.auth_settings(self.environ), hints_dir=self._hints)
            return Authenticator(settings, warn=self.reporter.warn, prompter=self.prompter)

        return self._once("_auth", make)

    @cached_property
    def network(self) -> Network:
        def make() -> Network:
            from pipkey.net import Network

            return Network(
                self.settings.net_settings(self.environ),
                warn=self.reporter.warn,
                proxy_credentials=self.auth.basic_for,  # a proxy's own, same sources
            )

        return self._once("_network", make)

    @property
    def artifacts(self) -> Artifacts:
        """Made on first use, once the first pages are requested: its imports (zip, metadata
        parsing) then overlap the network instead of delaying the first request."""
        if self._artifacts is not None:
            return self._artifacts
        from pipkey.install.store.artifacts import Artifacts

        with self._artifacts_lock:
            if self._artifacts is None:
                self._artifacts = Artifacts(
                    self.client,
                    self.cache,
                    use_cache=self.use_cache,
                    required_hashes=self.required_hashes,
                    warn=self.reporter.warn,
                )
            return self._artifacts

    @property
    def keyring_calls(self) -> int:
        """Keyring lookups this run made (none when it never needed credentials)."""
        made = self.__dict__.get("_auth")
        return made.keyring_calls if made is not None else 0

    def require(self, hashes: Mapping[NormalizedName, Mapping[str, set[str]]]) -> None:
        """Hashes a requirements file demands, known only once markers could be evaluated."""
        self.required_hashes = hashes
        if self._artifacts is not None:
            self._artifacts.required = dict(hashes)

    @property
    def _hints(self) -> Path | None:
        return self.cache.root / "auth-hints-v1" if self.use_cache else None

    def look_ahead(self) -> None:
        """When the first request is about to go (not before: a warm run whose stored pages
        are all fresh makes none), start looking up credentials for the indexes whose keyring
        answered last time (auth/ahead.py); the HTTP stack loads meanwhile."""
        self._look_ahead = True

    def _first_request_auth(self) -> httpx.Auth:
        if self._look_ahead:
            from pipkey.auth.ahead import Hints

            hints = Hints(self._hints)
            if any(hints.needed(index.url) for index in self.settings.indexes):
                self.auth.look_ahead()
        return self.auth.httpx_auth()

    def may_prompt(self) -> bool:
        """Whether a request could stop to ask the user for credentials."""
        return not self.settings.no_input and self.prompter.available()

    def close(self) -> None:
        self.client.close()
        made = self.__dict__.get("_auth")
        if made is not None:
            made.close()
        if self._artifacts is not None:
            self._artifacts.cleanup()

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

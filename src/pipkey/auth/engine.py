"""The auth engine: one per run, shared by every request, thread-safe.

It finds the index a URL falls under, keeps the run cache (keyed by index and username, or by
realm for URLs under no index; misses cached too; single-flight so concurrent requests wait for
one lookup), refreshes rejected credentials once, and turns failures into typed errors.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from pipkey.auth.ahead import Ahead, Hints
from pipkey.auth.chain import Chain, Found
from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.discovery import Discovery
from pipkey.auth.errors import Attempt, AuthError
from pipkey.auth.failures import auth_error
from pipkey.auth.keyrings import (
    DisabledProvider,
    KeyringProvider,
    SubprocessProvider,
    select_provider,
)
from pipkey.auth.netrcfile import NetrcSource, netrc_path
from pipkey.auth.policy import Fail
from pipkey.auth.prompt import Prompter, TerminalPrompter
from pipkey.auth.query import Target
from pipkey.auth.redact import redact_url
from pipkey.auth.settings import AuthSettings, IndexAuth
from pipkey.auth.store import CredentialStore
from pipkey.auth.urls import (
    best_match,
    decode_userinfo,
    insecure_origin,
    same_origin_match,
    split_credentials,
)

if TYPE_CHECKING:
    import httpx

log = logging.getLogger("pipkey.auth")

CacheKey = tuple[str, str | None]


@dataclass
class _Entry:
    lock: threading.Lock = field(default_factory=threading.Lock)
    passive: Found | None = None
    full: Found | None = None
    rejected: frozenset[Credentials] = frozenset()
    save_offered: bool = False
    ahead: Ahead | None = None  # a look-ahead's answer, for the first challenge (auth/ahead.py)
    asked: bool = False  # a request under it was sent


class Authenticator:
    """Credentials for every URL of a run, from every source, looked up once per index."""

    def __init__(
        self,
        settings: AuthSettings,
        *,
        warn: Callable[[str], None] | None = None,
        prompter: Prompter | None = None,
        store: CredentialStore | None = None,
    ) -> None:
        self.settings = settings
        self._warned: set[str] = set()
        self._warn_sink = warn or log.warning
        self._indexes = {split_credentials(i.url)[0]: i for i in settings.indexes}
        for link in settings.find_links:
            if link.startswith(("http://", "https://")):
                self._indexes.setdefault(split_credentials(link)[0], IndexAuth(link))
        for index in settings.indexes:
            if insecure_origin(split_credentials(index.url)[0], settings.trusted_hosts):
                self.warn(
                    f"index {redact_url(index.url)} uses plain http:// on a non-local host: "
                    "anyone on the network can read and change what it serves, and pipkey "
                    "sends it no credentials (use https, or --trusted-host if you must)"
                )
        self.store = store or CredentialStore(
            settings.store_dir, timeout=settings.keyring_timeout, warn=self.warn
        )
        self._provider: KeyringProvider | None = None
        self.discovery: Discovery | None = None
        self._provider_lock = threading.Lock()
        self.chain = Chain(
            settings,
            store=self.store,
            netrc=NetrcSource(netrc_path(settings.netrc_path, settings.environ), self.warn),
            keyring=self.keyring,
            prompter=prompter or TerminalPrompter(),
        )
        self._entries: dict[CacheKey, _Entry] = {}
        self._entries_lock = threading.Lock()
        self.hints = Hints(settings.hints_dir)

    # -- plumbing --------------------------------------------------------------------------
    def warn(self, message: str) -> None:
        """Say each distinct problem once per run."""
        if message not in self._warned:
            self._warned.add(message)
            self._warn_sink(message)

    def keyring(self) -> KeyringProvider:
        """The keyring provider, chosen on first use (starting a backend costs time)."""
        with self._provider_lock:
            if self._provider is None:
                if self.settings.keyring_provider == "disabled":
                    self._provider = DisabledProvider()
                else:
                    self._provider, self.discovery = select_provider(
                        self.settings.keyring_provider,
                        keyring_path=self.settings.keyring_path,
                        timeout=self.settings.keyring_timeout,
                        environ=self.settings.environ,
                        warn=self.warn,
                    )
            return self._provider

    @property
    def keyring_calls(self) -> int:
        """Keyring lookups made so far in this run (for diagnostics and benchmarks)."""
        return int(getattr(self._provider, "calls", 0))

    def learn_location(self, url: str) -> None:
        """A redirect's ``Location`` carried credentials: they serve that origin for the rest
        of the run (a file host handing out a signed user), not only the one request."""
        parts = urlsplit(url)
        if "@" not in parts.netloc:
            return
        base = f"{parts.scheme}://{parts.netloc}/"
        clean = split_credentials(base)[0]
        with self._entries_lock:
            if clean not in self._indexes:
                self._indexes = {**self._indexes, clean: IndexAuth(base)}

    def target(self, url: str) -> Target:
        clean = split_credentials(url)[0]
        match = best_match(clean, self._indexes) or same_origin_match(clean, self._indexes)
        return Target(url, self._indexes[match] if match is not None else None)

    def _key(self, target: Target) -> CacheKey:
        if target.index_url is not None:
            return (target.index_url, None)
        return (str(target.origin), split_credentials(target.url)[1])

    def _entry(self, target: Target) -> _Entry:
        key = self._key(target)
        with self._entries_lock:
            return self._entries.setdefault(key, _Entry())

    # -- what the flow asks ----------------------------------------------------------------
    def known(self, target: Target) -> Credentials | None:
        """Credentials to send before the server asks: the request URL's own user:password
        (they win over the run cache, as in pip and uv), a cached lookup, else passive
        sources."""
        own = self._own_credentials(target)
        if own is not None:
            return own
        entry = self._entry(target)
        entry.asked = True
        with entry.lock:
            if entry.full is not None:
                return entry.full.credentials
            if entry.passive is None:
                entry.passive = self.chain.lookup(target, active=False, rejected=entry.rejected)
            return entry.passive.credentials

    def _own_credentials(self, target: Target) -> Credentials | None:
        _, username, password = split_credentials(target.url)
        if password is None or (target.index is not None and target.url == target.index.url):
            return None
        entry = self._entry(target)
        creds = Credentials(
            username or "", password, source=Source("url", f"URL {redact_url(target.url)}")
        )
        if creds in entry.rejected:
            return None
        try:
            decode_userinfo(target.url)
        except UnicodeDecodeError:
            return None  # the chain explains it
        return creds

    def lookup(self, target: Target) -> Credentials | None:
        """Every source, once per run per index (single-flight; misses cached too)."""
        entry = self._entry(target)
        with entry.lock:
            if entry.full is None:
                entry.full = self._looked_ahead(entry) or self.chain.lookup(
                    target, active=True, rejected=entry.rejected
                )
            return entry.full.credentials

    def _looked_ahead(self, entry: _Entry) -> Found | None:
        """The look-ahead's answer when it found credentials none of which were refused since
        (entry lock held); else None: the chain is walked now, as without it."""
        ahead, entry.ahead = entry.ahead, None
        if ahead is None or entry.rejected:
            return None
        found = ahead.result(self.settings.keyring_timeout + 5)
        if found is None or found.credentials is None:
            return None
        return found

    def look_ahead(self) -> None:
        """Start the credential chain for every configured index whose keyring credentials
        were accepted last time (see auth/ahead.py); called when requests are about to go."""
        for index in self.settings.indexes:
            if index.authenticate == "never" or self.settings.keyring_provider == "disabled":
                continue
            if not self.hints.needed(index.url):
                continue
            target = self.target(index.url)
            entry = self._entry(target)
            with entry.lock:
                if entry.full is not None or entry.ahead is not None:
                    continue
                run = partial(self.chain.lookup, target, active=True, prompt=False)
                entry.ahead = Ahead(run, redact_url(index.url))
            log.info("auth %s: looking up credentials ahead (its keyring answered last run)",
                     redact_url(index.url))  # fmt: skip

    def close(self) -> None:
        """Forget an index that was sent requests and never asked for the credentials looked
        up ahead for it: it no longer needs them (auth/ahead.py)."""
        with self._entries_lock:
            entries = list(self._entries.items())
        for (where, _), entry in entries:
            ahead = entry.ahead
            if ahead is None or ahead.used:
                continue
            ahead.finish(self.settings.keyring_timeout + 5)
            if entry.asked and entry.full is None:
                self.hints.forget(where)

    def refresh(self, target: Target, rejected: Credentials) -> Credentials | None:
        """Drop ``rejected`` and ask the sources once more (an expired token may be renewed).

        When another request already refreshed, its answer is reused: one lookup per expiry.
        """
        entry = self._entry(target)
        with entry.lock:
            current = entry.full.credentials if entry.full is not None else None
            if current is not None and current != rejected and current not in entry.rejected:
                return current
            entry.rejected = entry.rejected | {rejected}
            entry.passive = None
            entry.full = self.chain.lookup(target, active=True, rejected=entry.rejected)
            return entry.full.credentials

    def accepted(self, target: Target, credentials: Credentials, *, success: bool = True) -> None:
        """The server took ``credentials``: say once when they replaced refused URL credentials
        (a stale URL in a config should not go unnoticed); offer to save prompted ones."""
        entry = self._entry(target)
        if success and credentials.source.kind == "keyring" and target.index_url is not None:
            self.hints.remember(target.index_url)
        if credentials.source.kind == "url":
            with entry.lock:  # a URL's own user:password, accepted: later URLs of its kind reuse it
                if entry.full is None or entry.full.credentials is None:
                    entry.full = Found(credentials, (), credentials.username)
        refused = [c for c in entry.rejected if c.source.kind == "url"]
        if refused and credentials.source.kind != "url":
            self.warn(
                f"{target.display} refused the credentials in "
                f"{refused[0].source.detail}; {credentials.describe()} worked instead — "
                "update or remove the URL's credentials"
            )
        if credentials.source.kind != "prompt" or not success:
            return
        with entry.lock:
            if entry.save_offered or entry.full is None or entry.full.credentials != credentials:
                return
            entry.save_offered = True
            where = target.index_url or str(target.origin)
            provider = self._provider
            if isinstance(provider, SubprocessProvider) and credentials.username is not None:
                # Where the next pip or uv run looks too: the keyring, under the bare netloc
                # (pip's choice); pipkey's store only when the CLI cannot take them.
                service = target.origin.netloc
                label = f"the keyring ({provider.label}, service {service})"
                if not self.chain.prompter.confirm_save(label):
                    return
                problem = provider.save(service, credentials.username, credentials.password or "")
                if problem is None:
                    return
                self.warn(f"keyring set failed ({problem}); saving to pipkey's store instead")
            elif not self.chain.prompter.confirm_save(f"pipkey's credential store for {where}"):
                return
            try:
                self.store.save(where, credentials)
            except Exception as exc:  # saving is a convenience; the run goes on
                self.warn(f"could not save credentials: {type(exc).__name__}: {exc}")

    def credentials_for(self, url: str) -> Credentials | None:
        """Credentials for ``url`` from every source (for helpers like the Bazel protocol)."""
        target = self.target(url)
        return self.known(target) or self.lookup(target)

    def basic_for(self, url: str) -> tuple[str, str] | None:
        """A username and password for ``url`` (a proxy's origin: sent by the HTTP layer as
        Proxy-Authorization to that proxy only), or None."""
        creds = self.credentials_for(url)
        if creds is None or creds.username is None or creds.password is None:
            return None
        return creds.username, creds.password

    def known_secrets(self) -> set[str]:
        """Every password and token this run found or was configured with (for masking text
        that did not come from pipkey, such as a build backend's output)."""
        found = {p for p in (split_credentials(i.url)[2] for i in self.settings.indexes) if p}
        with self._entries_lock:
            entries = list(self._entries.values())
        for entry in entries:
            ahead = entry.ahead.ready() if entry.ahead is not None else None
            for lookup in (entry.passive, entry.full, ahead):
                creds = lookup.credentials if lookup is not None else None
                if creds is not None:
                    found |= {s for s in (creds.password, creds.token) if s}
            found |= {s for c in entry.rejected for s in (c.password, c.token) if s}
        return found

    def attempts(self, target: Target) -> tuple[Attempt, ...]:
        entry = self._entry(target)
        found = entry.full or entry.passive
        return found.attempts if found is not None else ()

    def error(self, target: Target, fail: Fail) -> AuthError:
        """The typed error for a failed exchange: what was tried, who supplied what, a hint."""
        return auth_error(
            target,
            fail,
            attempts=self.attempts(target),
            earlier=self._entry(target).rejected,
            provider=self._provider,
        )

    # -- wiring ----------------------------------------------------------------------------
    def httpx_auth(self) -> httpx.Auth:  # httpx loads with the flow, not with the engine
        from pipkey.auth.flow import EngineAuth

        return EngineAuth(self)

    def client(self, **kwargs: Any) -> httpx.Client:
        """An ``httpx.Client`` wired to this engine. Redirects are followed by the auth flow
        (not by httpx) so that each hop's origin gets its own credentials."""
        import httpx

        return httpx.Client(auth=self.httpx_auth(), follow_redirects=False, **kwargs)

    def async_client(self, **kwargs: Any) -> httpx.AsyncClient:
        import httpx

        return httpx.AsyncClient(auth=self.httpx_auth(), follow_redirects=False, **kwargs)

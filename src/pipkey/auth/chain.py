"""The credential chain: every source in precedence order, stopping at the first usable answer.

1. the request/index URL; 2. ``PIPKEY_INDEX_<NAME>_*`` then ``UV_INDEX_<NAME>_*``; (a configured
``username`` joins here); 3. pipkey's credential store; 4. netrc; 5. keyring; 6. a prompt.
Sources 1 to 4 are *passive* (no user-visible I/O) and may be used before the server asks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.errors import Attempt
from pipkey.auth.keyrings import DisabledProvider, KeyringProvider
from pipkey.auth.netrcfile import NetrcSource
from pipkey.auth.prompt import Prompter
from pipkey.auth.query import Query, Target
from pipkey.auth.registry import identify, infer_username
from pipkey.auth.settings import AuthSettings
from pipkey.auth.sources import from_env, from_url, url_username_alone
from pipkey.auth.store import CredentialStore
from pipkey.auth.urls import insecure_origin, service_names


@dataclass(frozen=True)
class Found:
    credentials: Credentials | None
    attempts: tuple[Attempt, ...]
    username: str | None


class Chain:
    def __init__(
        self,
        settings: AuthSettings,
        *,
        store: CredentialStore,
        netrc: NetrcSource,
        keyring: Callable[[], KeyringProvider],
        prompter: Prompter,
    ) -> None:
        self.settings = settings
        self.store = store
        self.netrc = netrc
        self._keyring = keyring
        self.prompter = prompter

    def lookup(
        self,
        target: Target,
        *,
        active: bool,
        rejected: frozenset[Credentials] = frozenset(),
        prompt: bool = True,
    ) -> Found:
        """``prompt=False``: stop before asking the user (a look-ahead, see auth/ahead.py)."""
        query = Query(target, rejected=rejected)
        found = self._walk(query, active, prompt)
        return Found(found, tuple(query.attempts), query.username)

    def _walk(self, query: Query, active: bool, prompt: bool = True) -> Credentials | None:
        url = query.target.clean_url
        if insecure_origin(url, self.settings.trusted_hosts):
            host = query.target.origin.netloc
            query.note(
                "policy",
                "skipped",
                f"plain http:// to {host}: credentials go only over https, to loopback, or to a "
                f"--trusted-host (add `--trusted-host {host}` if this network is trusted)",
            )
            return None
        fallback = self._fallback_username(query.target)
        found = from_url(query) or from_env(query, self.settings.environ, fallback)
        if found:
            return found
        index = query.target.index
        if index is not None and index.username:
            query.learn_username(index.username, "config", "index configuration")
        found = self.store(query) or self.netrc(query, active=active)
        if found or not active:
            return found
        found = self._from_keyring(query)
        if found is None and not query.rejected:
            # Only when no source had a password at all: after a refused one, an empty
            # password would only blur which source to fix.
            found = url_username_alone(query)
        return found or (self._from_prompt(query) if prompt else None)

    def _fallback_username(self, target: Target) -> tuple[str, str] | None:
        """The username known without any source: configured for the index, else the one its
        registry expects."""
        if target.index is not None and target.index.username:
            return target.index.username, "index configuration"
        inferred = infer_username(target.index_url or target.url, self.settings.environ)
        if inferred is not None:
            registry = identify(target.index_url or target.url)
            return inferred, f"{registry.name if registry else 'registry'} convention"
        return None

    def _from_keyring(self, query: Query) -> Credentials | None:
        provider = self._keyring()
        if isinstance(provider, DisabledProvider):
            query.note("keyring", "skipped", provider.reason)
            return None
        target = query.target
        index = target.index
        names = service_names(
            target.clean_url,
            index_url=target.index_url,
            override=index.keyring_service if index is not None else None,
        )
        plan: list[tuple[str, str | None]]
        if query.username is not None:
            plan = [(name, query.username) for name in names]
        else:
            plan = [(name, None) for name in names] if provider.usernameless else []
            inferred = infer_username(target.index_url or target.url, self.settings.environ)
            if inferred is not None:
                plan += [(name, inferred) for name in names]
        if not plan:
            query.note("keyring", "skipped", f"{provider.label} needs a username and none is known")
            return None
        for service, username in plan:
            answer = provider.get(service, username)
            if answer.credentials is not None:
                found = query.offer(answer.credentials)
                if found is not None:
                    return found
                continue
            shown = query.shown_username if username == query.username else username
            user = f", user {shown}" if username else ", no username"
            why = f": {answer.detail}" if answer.detail else ""
            query.note("keyring", answer.outcome, f"{provider.label}, service {service}{user}{why}")
            if answer.outcome in ("error", "timeout", "skipped"):
                return None
        return None

    def _from_prompt(self, query: Query) -> Credentials | None:
        if self.settings.no_input:
            query.note("prompt", "skipped", "--no-input")
            return None
        if not self.prompter.available():
            query.note("prompt", "skipped", "not a terminal")
            return None
        answer = self.prompter.ask(query.target.display, query.username)
        if answer is None:
            query.note("prompt", "miss", "nothing entered")
            return None
        username, password = answer
        source = Source("prompt", f"prompt for {query.target.display}")
        return query.offer(Credentials(username, password, source=source))

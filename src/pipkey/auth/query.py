"""The shared state of one lookup as it walks the sources."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipkey.auth.credentials import Credentials
from pipkey.auth.errors import Attempt
from pipkey.auth.redact import MASK
from pipkey.auth.settings import IndexAuth
from pipkey.auth.urls import Origin, origin, split_credentials


@dataclass(frozen=True)
class Target:
    """What credentials are wanted for: a request URL and the index it falls under, if any."""

    url: str
    index: IndexAuth | None = None

    @property
    def clean_url(self) -> str:
        return split_credentials(self.url)[0]

    @property
    def index_url(self) -> str | None:
        return split_credentials(self.index.url)[0] if self.index is not None else None

    @property
    def origin(self) -> Origin:
        return origin(self.url)

    @property
    def display(self) -> str:
        """Secret-free name of what is being authenticated to."""
        return self.index_url or str(self.origin)

    @property
    def env_name(self) -> str | None:
        """``NAME`` in ``PIPKEY_INDEX_<NAME>_USERNAME``: upper-cased, non-alphanumerics → ``_``."""
        if self.index is None or not self.index.name:
            return None
        return re.sub(r"[^A-Za-z0-9]", "_", self.index.name).upper()


@dataclass
class Query:
    target: Target
    username: str | None = None
    rejected: frozenset[Credentials] = frozenset()
    attempts: list[Attempt] = field(default_factory=list)
    username_secret: bool = False  # from a URL with no password: maybe a token, never shown

    @property
    def shown_username(self) -> str | None:
        return MASK if self.username_secret and self.username is not None else self.username

    def note(self, source: str, outcome: str, detail: str = "") -> None:
        self.attempts.append(Attempt(source, detail, outcome))

    def learn_username(
        self, username: str | None, source: str, detail: str, *, secret: bool = False
    ) -> None:
        """``secret``: the username came without a password (``https://TOKEN@host/``), so it
        may be a token; it is used, never displayed."""
        if username and self.username is None:
            self.username = username
            self.username_secret = secret
            self.note(source, "username", f"{detail}: user {self.shown_username!r}")

    def offer(self, credentials: Credentials) -> Credentials | None:
        """Accept ``credentials`` unless the server already rejected exactly these."""
        if credentials in self.rejected:
            self.note(credentials.source.kind, "rejected earlier", credentials.source.detail)
            return None
        self.note(credentials.source.kind, "hit", credentials.describe())
        return credentials

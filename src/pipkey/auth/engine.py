"""The auth engine: credentials for a URL from every source, cached per run.

(Interface stub; the implementation lands with the auth-engine issue.)
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from pipkey.auth.credentials import Credentials
from pipkey.auth.settings import AuthSettings


class Authenticator:
    """One per run. Thread-safe: many concurrent requests share one lookup per index."""

    def __init__(
        self,
        settings: AuthSettings,
        *,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings

    def httpx_auth(self) -> httpx.Auth:
        """An ``httpx.Auth`` (sync and async) that raises CredentialsMissing/Rejected on failure."""
        raise NotImplementedError

    def credentials_for(self, url: str) -> Credentials | None:
        raise NotImplementedError

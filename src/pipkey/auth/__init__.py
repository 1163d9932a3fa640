"""Credentials for private package indexes from every source, with an explanation on failure.

Standalone: imports nothing from pipkey's index, resolve, install or cli layers.

    auth = Authenticator(AuthSettings(indexes=(IndexAuth("https://host/simple/"),)))
    client = httpx.Client(auth=auth.httpx_auth(), follow_redirects=True)
"""

from typing import TYPE_CHECKING, Any

from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.errors import (
    Attempt,
    AuthError,
    CredentialsMissing,
    CredentialsRejected,
    PipkeyError,
)
from pipkey.auth.redact import redact_url
from pipkey.auth.settings import AuthSettings, IndexAuth

if TYPE_CHECKING:
    from pipkey.auth.engine import Authenticator


def __getattr__(name: str) -> Any:
    """The engine (and with it httpx and keyring) loads on first use, not with the package:
    commands that only need an error class or a URL helper start faster."""
    if name == "Authenticator":
        from pipkey.auth.engine import Authenticator

        return Authenticator
    raise AttributeError(f"module 'pipkey.auth' has no attribute {name!r}")


__all__ = [
    "Attempt",
    "AuthError",
    "AuthSettings",
    "Authenticator",
    "Credentials",
    "CredentialsMissing",
    "CredentialsRejected",
    "IndexAuth",
    "PipkeyError",
    "Source",
    "redact_url",
]

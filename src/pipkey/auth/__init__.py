"""Credentials for private package indexes from every source, with an explanation on failure.

Standalone: imports nothing from pipkey's index, resolve, install or cli layers.

    auth = Authenticator(AuthSettings(indexes=(IndexAuth("https://host/simple/"),)))
    client = httpx.Client(auth=auth.httpx_auth(), follow_redirects=True)
"""

from pipkey.auth.credentials import Credentials, Source
from pipkey.auth.engine import Authenticator
from pipkey.auth.errors import (
    Attempt,
    AuthError,
    CredentialsMissing,
    CredentialsRejected,
    PipkeyError,
)
from pipkey.auth.redact import redact_url
from pipkey.auth.settings import AuthSettings, IndexAuth

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

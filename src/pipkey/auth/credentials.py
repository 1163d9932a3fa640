"""Credentials and where they came from.

A credential always carries its source so that every failure can say which source supplied the
credentials a server rejected. The secret is kept out of ``repr``/``str`` so that logging a
credential, or an exception holding one, can never print it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where a credential came from, in words a user can act on.

    ``kind`` is a short stable identifier (``url``, ``env``, ``store``, ``netrc``, ``keyring``,
    ``prompt``); ``detail`` says exactly where, e.g. ``keyring CLI /usr/bin/keyring, service
    https://host/simple/, user alice``. Neither ever contains a secret.
    """

    kind: str
    detail: str

    def __str__(self) -> str:
        return self.detail


@dataclass(frozen=True)
class Credentials:
    """A username and password (HTTP Basic) or a bearer token.

    ``password`` may be ``None`` when only a username is known; such a value is a *hint* for the
    next source (keyring needs the username), never something sent on its own.
    """

    username: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    source: Source = field(default=Source("unknown", "unknown source"), compare=False)

    @property
    def complete(self) -> bool:
        """True when these credentials can be sent (a token, or a username with a password)."""
        return self.token is not None or (self.username is not None and self.password is not None)

    def authorization(self) -> str:
        """The value of the ``Authorization`` header for these credentials."""
        if self.token is not None:
            return f"Bearer {self.token}"
        if self.username is None or self.password is None:
            raise ValueError("incomplete credentials cannot be sent")
        raw = f"{self.username}:{self.password}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def describe(self) -> str:
        """Secret-free description: kind of credential, username and source."""
        if self.token is not None:
            what = "bearer token"
        elif self.username is not None:
            # A username with an empty password is how tokens travel (``https://TOKEN@host/``).
            what = f"user {self.username!r}" if self.password else "a username alone (masked)"
        else:
            what = "credentials"
        return f"{what} from {self.source.detail}"

    def __str__(self) -> str:
        return self.describe()

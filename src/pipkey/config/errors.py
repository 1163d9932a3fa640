"""The one error type for configuration a user wrote wrong."""

from __future__ import annotations

from pipkey.auth.errors import PipkeyError


class ConfigError(PipkeyError):
    """Invalid configuration: the message starts with where (``file:line``, env var or flag).

    Exit code 2, as for a usage error: nothing ran, the user has to fix an input first.
    """

    exit_code = 2

"""The one place that turns a URL into something safe to display."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "****"


def redact_url(url: str) -> str:
    """Show ``url`` with any password replaced by ``****``; the username stays visible.

    ``https://alice:s3cret@host/simple/`` → ``https://alice:****@host/simple/``. A URL with a
    token-like username and no password (``https://TOKEN@host/``) is masked whole, because some
    registries take the token in the username slot.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, sep, _password = userinfo.partition(":")
    if sep:
        shown = f"{user}:{MASK}" if user else MASK
    else:
        shown = user if _looks_like_username(user) else MASK
    return urlunsplit(
        (parts.scheme, f"{shown}@{hostport}", parts.path, parts.query, parts.fragment)
    )


def _looks_like_username(value: str) -> bool:
    # Long opaque strings in the username slot are tokens (GitHub, GitLab deploy tokens …).
    return len(value) < 40


_URL_WITH_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/@\"'<>]+@[^\s\"'<>]*")


def redact_text(text: str) -> str:
    """Redact every URL with credentials inside free text (log lines, third-party messages)."""
    return _URL_WITH_USERINFO.sub(lambda m: redact_url(m.group(0)), text)

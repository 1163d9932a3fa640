"""The one place that turns a URL into something safe to display."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "****"


def redact_url(url: str) -> str:
    """Show ``url`` with any password replaced by ``****``.

    ``https://alice:s3cret@host/simple/`` → ``https://alice:****@host/simple/``. A username
    with no password, or an empty one (``https://TOKEN@host/``, ``https://TOKEN:@host/``), is
    masked too: registries take tokens in the username slot (pip documents it), and a short
    token looks just like a name.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparseable URL>"
    if "@" not in parts.netloc:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _sep, password = userinfo.partition(":")
    shown = f"{user}:{MASK}" if user and password else MASK
    return urlunsplit(
        (parts.scheme, f"{shown}@{hostport}", parts.path, parts.query, parts.fragment)
    )


def shown_username(username: str | None, password: str | None) -> str | None:
    """A username as displayed: masked when no password goes with it (then it may be a token)."""
    if username is None:
        return None
    return username if password else MASK


_URL_WITH_USERINFO = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s/@\"'<>]+@[^\s\"'<>]*")


def redact_text(text: str) -> str:
    """Redact every URL with credentials inside free text (log lines, third-party messages)."""
    return _URL_WITH_USERINFO.sub(lambda m: redact_url(m.group(0)), text)

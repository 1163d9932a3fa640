"""What a build backend's process sees: this run's environment without pipkey's credentials.

Backends do not need them — pipkey installs build requirements itself, through its own session —
and a failing build prints whatever it likes (some print their whole environment). Whatever is
still known to be secret is masked in the output pipkey shows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pipkey.auth.redact import MASK, redact_text
from pipkey.auth.urls import split_credentials

# PIPKEY_INDEX_<NAME>_USERNAME/_PASSWORD/_TOKEN and uv's UV_INDEX_<NAME>_USERNAME/_PASSWORD
_CREDENTIAL_VARIABLE = re.compile(r"^(PIPKEY|UV)_INDEX_.+_(USERNAME|PASSWORD|TOKEN)$")
_TOOL_PREFIXES = ("PIP_", "UV_", "PIPKEY_")
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
SHORTEST_MASKED = 4  # a shorter "secret" would mask half the words of a build log


def _is_credential(name: str, value: str) -> bool:
    if _CREDENTIAL_VARIABLE.match(name.upper()):
        return True
    # an index or find-links URL with a password in it (PIP_INDEX_URL=https://u:p@host/…)
    return name.upper().startswith(_TOOL_PREFIXES) and bool(_url_secrets(value))


def _url_secrets(value: str) -> set[str]:
    found: set[str] = set()
    for url in _URL.findall(value):
        _, username, password = split_credentials(url)
        if password:
            found.add(password)
        elif username:
            found.add(username)  # a token in the username slot
    return found


def backend_environ(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` minus pipkey's and uv's credential variables and tool settings that carry a
    URL password."""
    return {k: v for k, v in environ.items() if not _is_credential(k, v)}


def environ_secrets(environ: Mapping[str, str]) -> set[str]:
    """The secrets ``environ`` holds (credential variables' values, URL passwords in tool
    settings), for masking."""
    found: set[str] = set()
    for name, value in environ.items():
        if _CREDENTIAL_VARIABLE.match(name.upper()) and not name.upper().endswith("_USERNAME"):
            found.add(value)
        elif name.upper().startswith(_TOOL_PREFIXES):
            found |= _url_secrets(value)
    return found


def mask_output(text: str, secrets: Iterable[str]) -> str:
    """``text`` with URL credentials and every known secret replaced by ``****``."""
    text = redact_text(text)
    for secret in sorted({s for s in secrets if len(s) >= SHORTEST_MASKED}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text

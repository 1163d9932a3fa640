"""Env-var families: ``PIPKEY_*`` (pipkey's own), ``UV_*`` and ``PIP_*`` (compatibility).

An empty variable counts as unset: ``PIP_FIND_LINKS=`` is how people (and our tests) switch a
machine-wide value off without unsetting it in every shell.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pipkey.config.fragment import Fragment
from pipkey.config.keys import assign
from pipkey.config.values import Sourced, text

# Internal key → variable suffix, per family; order matters (see keys.FILE_KEYS).
_PIPKEY = {
    "default_index": "DEFAULT_INDEX",
    "index_url": "INDEX_URL",
    "index": "INDEX",
    "extra_index_url": "EXTRA_INDEX_URL",
    "find_links": "FIND_LINKS",
    "no_index": "NO_INDEX",
    "keyring_provider": "KEYRING_PROVIDER",
    "keyring_path": "KEYRING_PATH",
    "keyring_timeout": "KEYRING_TIMEOUT",
    "index_strategy": "INDEX_STRATEGY",
    "cache_dir": "CACHE_DIR",
    "no_input": "NO_INPUT",
}
# uv has no keyring path/timeout or no-input variables.
_UV = {
    key: suffix
    for key, suffix in _PIPKEY.items()
    if key not in ("keyring_path", "keyring_timeout", "no_input")
}
_PIP = {
    "index_url": "INDEX_URL",
    "extra_index_url": "EXTRA_INDEX_URL",
    "find_links": "FIND_LINKS",
    "no_index": "NO_INDEX",
    "keyring_provider": "KEYRING_PROVIDER",
    "no_input": "NO_INPUT",
}
FAMILIES: dict[str, Mapping[str, str]] = {"PIPKEY": _PIPKEY, "UV": _UV, "PIP": _PIP}


def env_fragment(prefix: str, environ: Mapping[str, str]) -> Fragment:
    """What the ``{prefix}_*`` variables configure (``prefix`` is PIPKEY, UV or PIP)."""
    fragment = Fragment()
    for key, suffix in FAMILIES[prefix].items():
        name = f"{prefix}_{suffix}"
        raw = environ.get(name, "")
        if not raw.strip():
            continue
        if prefix == "UV" and key == "find_links":
            raw = raw.replace(",", " ")  # uv separates find-links by commas
        assign(fragment, key, raw, where=f"env {name}")
    if prefix != "PIP":
        pattern = re.compile(rf"^{prefix}_INDEX_([A-Z0-9_]+)_USERNAME$")
        for name, raw in sorted(environ.items()):
            match = pattern.match(name)
            if match and raw.strip():
                where = f"env {name}"
                username = text(raw, where=where, key="username")
                fragment.usernames[match.group(1)] = Sourced(username, where)
    return fragment

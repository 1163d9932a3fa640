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
    "cert": "CERT",
    "client_cert": "CLIENT_CERT",
    "proxy": "PROXY",
    "trusted_host": "TRUSTED_HOST",
    "allow_insecure_host": "ALLOW_INSECURE_HOST",
    "retries": "RETRIES",
    "timeout": "TIMEOUT",
    "native_tls": "NATIVE_TLS",
}
# uv has no keyring path/timeout, no-input, cert or proxy variables of its own (it reads
# SSL_CERT_FILE and HTTPS_PROXY, which pipkey.net reads too), and spells the network ones its way.
_UV_ONLY = {
    "allow_insecure_host": "INSECURE_HOST",
    "retries": "HTTP_RETRIES",
    "timeout": "HTTP_TIMEOUT",
    "native_tls": "NATIVE_TLS",
}
_NOT_UV = ("keyring_path", "keyring_timeout", "no_input", "cert", "client_cert", "proxy")
_UV = {
    key: _UV_ONLY.get(key, suffix)
    for key, suffix in _PIPKEY.items()
    if key not in (*_NOT_UV, "trusted_host")
}
_PIP = {
    "index_url": "INDEX_URL",
    "extra_index_url": "EXTRA_INDEX_URL",
    "find_links": "FIND_LINKS",
    "no_index": "NO_INDEX",
    "keyring_provider": "KEYRING_PROVIDER",
    "no_input": "NO_INPUT",
    "cert": "CERT",
    "client_cert": "CLIENT_CERT",
    "proxy": "PROXY",
    "trusted_host": "TRUSTED_HOST",
    "retries": "RETRIES",
    "timeout": "TIMEOUT",
}
# Other spellings of the same setting: pip's --timeout is also --default-timeout.
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {"PIP": {"timeout": ("DEFAULT_TIMEOUT",)}}
FAMILIES: dict[str, Mapping[str, str]] = {"PIPKEY": _PIPKEY, "UV": _UV, "PIP": _PIP}


def env_fragment(prefix: str, environ: Mapping[str, str]) -> Fragment:
    """What the ``{prefix}_*`` variables configure (``prefix`` is PIPKEY, UV or PIP)."""
    fragment = Fragment()
    for key, suffix in FAMILIES[prefix].items():
        spellings = (suffix, *ALIASES.get(prefix, {}).get(key, ()))
        name = next(
            (f"{prefix}_{s}" for s in spellings if environ.get(f"{prefix}_{s}", "").strip()), ""
        )
        raw = environ.get(name, "") if name else ""
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

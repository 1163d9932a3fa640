"""Every global configuration key, and how a raw value for it becomes part of a Fragment.

Flags, env vars and files spell the same key differently (``--keyring-provider``,
``PIPKEY_KEYRING_PROVIDER``, ``keyring-provider``); once the source has found a raw value it hands
it to :func:`assign` under the one internal name, so every source validates the same way.
"""

from __future__ import annotations

from pathlib import Path

from pipkey.auth.settings import KEYRING_PROVIDERS
from pipkey.config import values
from pipkey.config.fragment import Fragment
from pipkey.config.settings import INDEX_STRATEGIES, Index
from pipkey.config.values import Sourced

# Internal name → file spelling. ``default_index`` comes before ``index_url`` on purpose: where
# one source sets both, the newer ``default-index`` wins (uv does the same).
FILE_KEYS: dict[str, str] = {
    "default_index": "default-index",
    "index_url": "index-url",
    "index": "index",
    "extra_index_url": "extra-index-url",
    "find_links": "find-links",
    "no_index": "no-index",
    "keyring_provider": "keyring-provider",
    "keyring_path": "keyring-path",
    "keyring_timeout": "keyring-timeout",
    "index_strategy": "index-strategy",
    "cache_dir": "cache-dir",
    "no_input": "no-input",
    "cert": "cert",
    "client_cert": "client-cert",
    "proxy": "proxy",
    "trusted_host": "trusted-host",
    "allow_insecure_host": "allow-insecure-host",
    "retries": "retries",
    "timeout": "timeout",
    "native_tls": "native-tls",
    "no_binary": "no-binary",
    "only_binary": "only-binary",
}
HOST_LISTS = ("trusted_host", "allow_insecure_host")
BINARY_LISTS = ("no_binary", "only_binary")  # package names, ":all:" or ":none:" (pip.conf)


def named_index(entry: str, *, where: str, key: str) -> Index:
    """``NAME=URL`` or a bare ``URL``, as ``--index`` and ``UV_INDEX`` take them.

    A ``=`` inside a URL (query strings) is not a name separator: the part before it is only a
    name if it is a valid index name.
    """
    name, sep, url = entry.partition("=")
    if sep and values.is_index_name(name):
        return Index(values.index_url(url, where=where, key=key), name=name, origin=where)
    return Index(values.index_url(entry, where=where, key=key), origin=where)


def assign(
    fragment: Fragment, key: str, raw: object, *, where: str, base: Path | None = None
) -> None:
    """Validate ``raw`` for ``key`` and record it in ``fragment`` unless already set there.

    ``base`` is the directory relative paths are resolved against (a config file's directory).
    """
    label = FILE_KEYS[key]
    if key in ("default_index", "index_url"):
        url = values.index_url(raw, where=where, key=label)
        fragment.scalars.setdefault(
            "default_index", Sourced(Index(url, default=True, origin=where), where)
        )
    elif key == "index":
        entries = values.text_list(raw, where=where, key=label)
        fragment.lists.setdefault(key, [named_index(e, where=where, key=label) for e in entries])
    elif key == "extra_index_url":
        urls = values.text_list(raw, where=where, key=label)
        fragment.lists.setdefault(
            key, [Index(values.index_url(u, where=where, key=label), origin=where) for u in urls]
        )
    elif key in HOST_LISTS:
        hosts = values.text_list(raw, where=where, key=label)
        fragment.lists.setdefault(
            key, [Sourced(values.host(h, where=where, key=label), where) for h in hosts]
        )
    elif key in BINARY_LISTS:
        names = [n for v in values.text_list(raw, where=where, key=label) for n in v.split(",")]
        fragment.lists.setdefault(key, [Sourced(n.strip(), where) for n in names if n.strip()])
    elif key == "find_links":
        links = values.text_list(raw, where=where, key=label)
        fragment.lists.setdefault(
            key,
            [Sourced(values.find_link(v, where=where, key=label, base=base), where) for v in links],
        )
    else:
        fragment.scalars.setdefault(key, Sourced(_scalar(key, raw, where, base), where))


def _scalar(key: str, raw: object, where: str, base: Path | None) -> object:
    label = FILE_KEYS[key]
    if key == "keyring_provider":
        return values.choice(raw, KEYRING_PROVIDERS, where=where, key=label)
    if key == "index_strategy":
        return values.choice(raw, INDEX_STRATEGIES, where=where, key=label)
    if key in ("no_input", "no_index", "native_tls"):
        return values.boolean(raw, where=where, key=label)
    if key in ("keyring_timeout", "timeout"):
        return values.seconds(raw, where=where, key=label)
    if key == "retries":
        return values.count(raw, where=where, key=label)
    if key == "proxy":
        # An empty proxy is a value: no proxy at all, not even the environment's (--proxy '').
        return (
            ""
            if isinstance(raw, str) and not raw.strip()
            else values.text(raw, where=where, key=label)
        )
    raw_text = values.text(raw, where=where, key=label)
    path = values.user_path(raw_text, where=where, key=label)
    relative_to_file = key in ("cache_dir", "cert", "client_cert") or "/" in raw_text
    if base is not None and not path.is_absolute() and relative_to_file:
        path = base / path  # a bare keyring-path name ("keyring") is looked up on PATH instead
    return path if key == "cache_dir" else str(path)

"""Build Settings from flags, env vars and pipkey/uv/pip config, recording where each value came
from.

``overrides`` keys (all optional; ``None``, ``False`` or empty = not given): ``index_url``,
``default_index``, ``extra_index_urls`` (list), ``indexes`` (list of ``NAME=URL`` or ``URL``),
``find_links`` (list), ``no_index``, ``keyring_provider``, ``keyring_path``, ``keyring_timeout``,
``index_strategy``, ``cache_dir``, ``no_input``, the network settings ``cert``, ``client_cert``,
``proxy``, ``trusted_hosts`` / ``allow_insecure_hosts`` (lists), ``retries``, ``timeout``,
``native_tls``, and ``isolated`` (same as the ``isolated=True``
argument: ``--no-config`` / ``--isolated``, read no config file).

Precedence, highest first (docs/configuration.md says the same for users):

1. flags; 2. ``PIPKEY_*`` env vars; 3. project config (``pipkey.toml``, else ``[tool.pipkey]`` in
the nearest pyproject.toml); 4. user config (``<user config dir>/pipkey/pipkey.toml``);
then, only for what those left unset, 5. uv (``UV_*`` env vars, then ``uv.toml`` / ``[tool.uv]``
project, user and system files) and 6. pip (``PIP_*`` env vars, then pip's config files).

A scalar comes from the first source that sets it. Indexes and find-links given by flags or
``PIPKEY_*`` are searched first, then those of the first of (pipkey files, uv, pip) that configures
any — so a project's ``[[tool.uv.index]]`` is not mixed with a stray pip.conf.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipkey.config.environment import env_fragment
from pipkey.config.errors import ConfigError
from pipkey.config.fragment import INDEX_LISTS, Fragment, layered
from pipkey.config.keys import BINARY_LISTS, HOST_LISTS, assign
from pipkey.config.locations import (
    DocumentCache,
    Found,
    pipkey_user_file,
    project_table,
    uv_system_file,
    uv_user_file,
)
from pipkey.config.pip_config import pip_fragment
from pipkey.config.settings import PYPI_URL, Index, Settings
from pipkey.config.tables import Dialect, table_fragment
from pipkey.config.values import boolean, env_name

__all__ = ["ConfigError", "load_settings"]

# override key → (internal key, flag shown as the origin)
_FLAGS = {
    "default_index": ("default_index", "--default-index"),
    "index_url": ("index_url", "--index-url"),
    "indexes": ("index", "--index"),
    "extra_index_urls": ("extra_index_url", "--extra-index-url"),
    "find_links": ("find_links", "--find-links"),
    "no_index": ("no_index", "--no-index"),
    "keyring_provider": ("keyring_provider", "--keyring-provider"),
    "keyring_path": ("keyring_path", "--keyring-path"),
    "keyring_timeout": ("keyring_timeout", "--keyring-timeout"),
    "index_strategy": ("index_strategy", "--index-strategy"),
    "cache_dir": ("cache_dir", "--cache-dir"),
    "no_input": ("no_input", "--no-input"),
    "cert": ("cert", "--cert"),
    "client_cert": ("client_cert", "--client-cert"),
    "proxy": ("proxy", "--proxy"),
    "trusted_hosts": ("trusted_host", "--trusted-host"),
    "allow_insecure_hosts": ("allow_insecure_host", "--allow-insecure-host"),
    "retries": ("retries", "--retries"),
    "timeout": ("timeout", "--timeout"),
    "native_tls": ("native_tls", "--native-tls"),
}
_SCALARS = (
    "no_index",
    "keyring_provider",
    "keyring_path",
    "keyring_timeout",
    "index_strategy",
    "cache_dir",
    "no_input",
    "cert",
    "client_cert",
    "proxy",
    "retries",
    "timeout",
    "native_tls",
)
PYPI = Index(PYPI_URL, name="pypi", default=True, origin="default")


def load_settings(
    overrides: Mapping[str, Any],
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    isolated: bool = False,
) -> Settings:
    environ = os.environ if environ is None else environ
    cwd = (Path.cwd() if cwd is None else cwd).resolve()
    isolated = isolated or bool(overrides.get("isolated")) or _env_flag(environ, "PIPKEY_NO_CONFIG")
    cache = DocumentCache()
    command_line = layered(
        [_flags_fragment(overrides), env_fragment("PIPKEY", environ)], concat_lists=False
    )
    files = Fragment() if isolated else _pipkey_files(cwd, environ, cache)
    families = {
        "pipkey config": files,
        "uv": _uv(cwd, environ, cache, isolated=isolated),
        "pip": pip_fragment(environ, isolated=isolated),
    }
    return _settings(command_line, families)


def _env_flag(environ: Mapping[str, str], name: str) -> bool:
    raw = environ.get(name, "")
    return bool(raw.strip()) and boolean(raw, where=f"env {name}", key=name)


def _flags_fragment(overrides: Mapping[str, Any]) -> Fragment:
    fragment = Fragment()
    for option, (key, flag) in _FLAGS.items():
        value = overrides.get(option)
        if value is None or value is False or (isinstance(value, list | tuple) and not value):
            continue
        raw = list(value) if isinstance(value, list | tuple) else value
        assign(fragment, key, str(raw) if isinstance(raw, Path) else raw, where=f"flag {flag}")
    return fragment


def _tables(found: list[Found | None], dialect: Dialect) -> Fragment:
    fragments = []
    for item in found:
        if item is None:
            continue
        fragment = table_fragment(item.doc, item.table, dialect)
        if item.note:
            fragment.notes.append(item.note)
        fragments.append(fragment)
    return layered(fragments, concat_lists=True)


def _document(path: Path | None, cache: DocumentCache) -> Found | None:
    return Found(cache.read(path), ()) if path is not None and path.is_file() else None


def _pipkey_files(cwd: Path, environ: Mapping[str, str], cache: DocumentCache) -> Fragment:
    return _tables(
        [project_table(cwd, "pipkey", cache), _document(pipkey_user_file(environ), cache)],
        "pipkey",
    )


def _uv(cwd: Path, environ: Mapping[str, str], cache: DocumentCache, *, isolated: bool) -> Fragment:
    """uv's view: its env vars beat its files; project, user and system file lists merge."""
    env = env_fragment("UV", environ)
    if isolated or _env_flag(environ, "UV_NO_CONFIG"):
        return env
    if environ.get("UV_CONFIG_FILE"):
        path = Path(environ["UV_CONFIG_FILE"]).expanduser()
        if not path.is_file():
            raise ConfigError(f"env UV_CONFIG_FILE: {path} does not exist")
        files = _tables([_document(path, cache)], "uv")
    else:
        project = project_table(cwd, "uv", cache)
        user, system = uv_user_file(environ), uv_system_file(environ)
        files = _tables([project, _document(user, cache), _document(system, cache)], "uv")
    return layered([env, files], concat_lists=True)


def _settings(command_line: Fragment, families: Mapping[str, Fragment]) -> Settings:
    everything = layered([command_line, *families.values()], concat_lists=False)
    provenance: dict[str, str] = {}
    notes = list(everything.notes)

    index_family = next((name for name, f in families.items() if f.sets_indexes()), None)
    extra: list[Index] = [i for key in INDEX_LISTS for i in command_line.lists.get(key, [])]
    if index_family:
        extra += [i for key in INDEX_LISTS for i in families[index_family].lists.get(key, [])]
        notes += [
            f"indexes from {name} are ignored: {index_family} configures indexes"
            for name, fragment in families.items()
            if name != index_family and fragment.sets_indexes()
        ]
    default_value = everything.scalars.get("default_index")
    default: Index = default_value.value if default_value else PYPI
    provenance["default_index"] = default.origin
    indexes = _with_usernames(_unique([*extra, default]), command_line, families)

    find_links = command_line.lists.get("find_links", [])
    links_family = next((f for f in families.values() if "find_links" in f.lists), None)
    if links_family:
        find_links = [*find_links, *links_family.lists["find_links"]]
    if find_links:
        provenance["find_links"] = ", ".join(dict.fromkeys(link.origin for link in find_links))

    kwargs: dict[str, Any] = {"trusted_hosts": _hosts(command_line, families, provenance)}
    for key in BINARY_LISTS:
        names = next((f.lists[key] for f in families.values() if key in f.lists), [])
        kwargs[key] = tuple(dict.fromkeys(n.value for n in names))
        if names:
            provenance[key] = ", ".join(dict.fromkeys(n.origin for n in names))
    for key in _SCALARS:
        value = everything.scalars.get(key)
        provenance[key] = value.origin if value else "default"
        if value and value.value is not None:  # None: emptied by a higher pip.conf
            kwargs[key] = value.value
    sources = _pins(families, index_family, indexes, notes)
    provenance.update({f"sources.{pkg}": origin for pkg, (_, origin) in sources.items()})
    return Settings(
        indexes=tuple(indexes),
        find_links=tuple(dict.fromkeys(link.value for link in find_links)),
        sources={pkg: name for pkg, (name, _) in sources.items()},
        provenance=provenance,
        config_files=tuple(dict.fromkeys(f for fr in families.values() for f in fr.files)),
        notes=tuple(notes),
        **kwargs,
    )


def _hosts(
    command_line: Fragment, families: Mapping[str, Fragment], provenance: dict[str, str]
) -> tuple[str, ...]:
    """Trusted hosts: the command line's, then those of the first family naming any (as
    find-links): a pip.conf ``trusted-host`` does not add to a project's uv settings."""
    found = [h for key in HOST_LISTS for h in command_line.lists.get(key, [])]
    family = next((f for f in families.values() if any(k in f.lists for k in HOST_LISTS)), None)
    if family is not None:
        found += [h for key in HOST_LISTS for h in family.lists.get(key, [])]
    if found:
        provenance["trusted_hosts"] = ", ".join(dict.fromkeys(h.origin for h in found))
    return tuple(dict.fromkeys(h.value for h in found))


def _unique(indexes: list[Index]) -> list[Index]:
    """First definition wins: a name or URL given again lower down is the same index."""
    seen: set[str] = set()
    out: list[Index] = []
    for index in indexes:
        keys = {index.url.rstrip("/")} | ({f"name:{index.name}"} if index.name else set())
        if keys & seen and not index.default:
            continue
        seen |= keys
        out.append(index)
    return out


def _with_usernames(
    indexes: list[Index], command_line: Fragment, families: Mapping[str, Fragment]
) -> list[Index]:
    """``PIPKEY_INDEX_<NAME>_USERNAME`` beats the index's own ``username``, which beats
    ``UV_INDEX_<NAME>_USERNAME`` (uv users set it in Dockerfiles; uv #16174)."""
    out = []
    for index in indexes:
        if index.name:
            infix = env_name(index.name)
            env_first = command_line.usernames.get(infix)
            compat = families["uv"].usernames.get(infix)
            if env_first:
                index = replace(index, username=env_first.value, username_origin=env_first.origin)
            elif index.username is None and compat:
                index = replace(index, username=compat.value, username_origin=compat.origin)
        out.append(index)
    return out


def _pins(
    families: Mapping[str, Fragment],
    index_family: str | None,
    indexes: list[Index],
    notes: list[str],
) -> dict[str, tuple[str, str]]:
    names = {index.name for index in indexes if index.name}
    pins: dict[str, tuple[str, str]] = {}
    for family in ("pipkey config", "uv"):
        for package, pin in families[family].pins.items():
            if package in pins:
                continue
            if pin.value in names:
                pins[package] = (pin.value, pin.origin)
            elif family == "uv" and index_family != "uv":
                notes.append(f"{pin.origin}: pin of {package!r} to uv index {pin.value!r} ignored")
            else:
                raise ConfigError(
                    f"{pin.origin}: sources.{package}: no index named {pin.value!r}; "
                    f"configured: {', '.join(sorted(names)) or '(none named)'}"
                )
    return pins


def with_member_indexes(
    settings: Settings, pyprojects: Sequence[Path], environ: Mapping[str, str] | None = None
) -> Settings:
    """Add the ``[[tool.uv.index]]`` entries workspace members declare for themselves (uv
    resolves a member's ``{ index = "NAME" }`` source against them): known for credentials
    and pins, but explicit — searched only for what is pinned to them, as uv does."""
    environ = os.environ if environ is None else environ
    known = {index.url.rstrip("/") for index in settings.indexes}
    added: list[Index] = []
    cache = DocumentCache()
    for path in pyprojects:
        doc = cache.read(path)
        if not isinstance(doc.data.get("tool", {}).get("uv"), dict):
            continue
        fragment = table_fragment(doc, ("tool", "uv"), "uv")
        found = list(fragment.lists.get("index", []))
        default = fragment.scalars.get("default_index")
        if default is not None:
            found.append(default.value)
        for index in found:
            if index.url.rstrip("/") in known or index.name is None:
                continue
            known.add(index.url.rstrip("/"))
            index = replace(index, default=False, explicit=True)
            for prefix in ("PIPKEY", "UV"):
                variable = f"{prefix}_INDEX_{env_name(index.name)}_USERNAME"
                if environ.get(variable) and (prefix == "PIPKEY" or index.username is None):
                    index = replace(index, username=environ[variable], username_origin=variable)
                    break
            added.append(index)
    if not added:
        return settings
    return replace(settings, indexes=(*settings.indexes, *added))

"""Read uv's lock file (``uv.lock``, ``version = 1``): the project, its dependency graph with
markers and extras, optional dependencies, dependency groups (``[package.dev-dependencies]``),
and for each registry package its wheels and sdist with hashes and sizes.

Only what installing needs is read; unknown keys are ignored, as uv itself does for newer
revisions of the same version.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pipkey.lock.model import Dep, Lock, LockedFile, LockedPackage, LockError
from pipkey.lock.parsed import load_toml

SUPPORTED_VERSION = 1


def read_uv_lock(path: Path, cache_dir: Path | None = None) -> Lock:
    """``cache_dir``: pipkey's cache, where the parsed tables are kept (lock/parsed.py)."""
    try:
        data = load_toml(path.read_text(encoding="utf-8"), cache_dir)
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"{path}: cannot read the lock file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"{path}: not valid TOML: {exc}") from None
    version = data.get("version")
    if version != SUPPORTED_VERSION:
        raise LockError(
            f"{path}: uv.lock version {version!r} is not supported (pipkey reads version "
            f"{SUPPORTED_VERSION}); regenerate it with a uv release that writes version 1"
        )
    requires_python = _specifiers(data.get("requires-python"), f"{path}: requires-python")
    entries = data.get("package", [])
    if not isinstance(entries, list):
        raise LockError(f"{path}: [[package]] must be an array of tables")
    packages = tuple(_package(path, entry, i) for i, entry in enumerate(entries))
    projects = [p for p in packages if p.is_project]
    here = [p for p in projects if p.location in (".", "")]
    root = here[0] if len(here) == 1 else projects[0] if len(projects) == 1 else None
    manifest = data.get("manifest", {})
    if not isinstance(manifest, dict):
        raise LockError(f"{path}: [manifest] must be a table")
    members = manifest.get("members", [])
    if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
        raise LockError(f"{path}: manifest.members must be a list of names")
    groups = manifest.get("dependency-groups", {})
    if not isinstance(groups, dict):
        raise LockError(f"{path}: [manifest.dependency-groups] must be a table")
    return Lock(
        path,
        "uv.lock",
        packages,
        requires_python,
        root,
        members=tuple(canonicalize_name(m) for m in members),
        manifest_groups={
            str(canonicalize_name(g)): _deps(items, f"{path.name}: manifest group {g!r}")
            for g, items in groups.items()
        },
        manifest_requirements=_deps(manifest.get("requirements", []), f"{path.name}: manifest"),
        manifest=manifest,
    )


def _package(path: Path, entry: Any, index: int) -> LockedPackage:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise LockError(f"{path}: package #{index + 1} has no name")
    name = canonicalize_name(entry["name"])
    where = f"{path.name}: package {entry['name']!r}"
    version = _version(entry.get("version"), where)
    if version is not None:
        where += f" {version}"
    source = entry.get("source", {})
    if not isinstance(source, dict) or not source:
        raise LockError(f"{where}: no source")
    kind = next(iter(source))
    registry = source.get("registry") if kind == "registry" else None
    location = source.get(kind) if kind != "registry" else None
    # A `path` source is a local wheel or sdist (relative to the lock); its file entries carry
    # the filename and hash but no url.
    local = None
    if kind == "path" and isinstance(location, str):
        local = (path.parent / location).resolve()
    wheels = tuple(_file(w, where, local) for w in entry.get("wheels", []))
    raw_sdist = entry.get("sdist")
    sdist = _file(raw_sdist, where, local) if isinstance(raw_sdist, dict) else None
    return LockedPackage(
        name=name,
        version=version,
        source=kind,
        registry=registry if isinstance(registry, str) else None,
        location=location if isinstance(location, str) else None,
        wheels=wheels,
        sdist=sdist,
        dependencies=_deps(entry.get("dependencies", []), where),
        optional={
            str(canonicalize_name(extra)): _deps(deps, f"{where} extra {extra!r}")
            for extra, deps in entry.get("optional-dependencies", {}).items()
        },
        groups={
            str(canonicalize_name(group)): _deps(deps, f"{where} group {group!r}")
            for group, deps in entry.get("dev-dependencies", {}).items()
        },
        metadata=entry.get("metadata", {}) if isinstance(entry.get("metadata"), dict) else {},
        where=where,
        source_key=_source_key(source),
    )


def _file(raw: Any, where: str, local: Path | None = None) -> LockedFile:
    if isinstance(raw, dict) and local is not None and not isinstance(raw.get("url"), str):
        if not local.is_file():
            raise LockError(f"{where}: the locked file {local} does not exist")
        raw = {**raw, "url": local.as_uri()}
    if not isinstance(raw, dict) or not isinstance(raw.get("url"), str):
        raise LockError(f"{where}: a file entry has no url")
    url = raw["url"]
    hashes: dict[str, str] = {}
    if isinstance(raw.get("hash"), str):
        algo, sep, value = raw["hash"].partition(":")
        if not sep:
            raise LockError(f"{where}: hash {raw['hash']!r} is not ALGORITHM:VALUE")
        hashes[algo] = value
    filename = file_name(url)
    size = raw.get("size")
    return LockedFile(url, filename, hashes, size if isinstance(size, int) else None)


def file_name(url: str) -> str:
    """The last segment of the URL's path, unquoted: ``urlsplit(url).path``'s, without the
    split (a lock names thousands of files; urlsplit was most of reading fastapi's)."""
    rest = url.partition("#")[0].partition("?")[0]
    scheme_end = rest.find("://")
    if scheme_end < 0 or "[" in rest or not rest[:scheme_end].isalnum():
        return unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    if rest.find("/", scheme_end + 3) < 0:
        return ""  # no path after the host
    name = rest.rpartition("/")[2]
    return unquote(name) if "%" in name else name


def _deps(raw: Any, where: str) -> tuple[Dep, ...]:
    if not isinstance(raw, list):
        raise LockError(f"{where}: dependencies must be a list")
    deps = []
    for item in raw:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise LockError(f"{where}: a dependency has no name")
        marker = None
        if item.get("marker"):
            try:
                marker = Marker(item["marker"])
            except InvalidMarker as exc:
                raise LockError(f"{where}: dependency {item['name']!r}: {exc}") from None
        source = item.get("source")
        extras = item.get("extra", item.get("extras")) or []
        deps.append(
            Dep(
                canonicalize_name(item["name"]),
                frozenset(canonicalize_name(str(e)) for e in extras),
                marker,
                _version(item.get("version"), where),
                _source_key(source) if isinstance(source, dict) else None,
            )
        )
    return tuple(deps)


def _source_key(source: dict[str, Any]) -> str | None:
    """``{ registry = URL }`` → ``registry:URL``: which of several same-version entries."""
    if not source:
        return None
    kind = next(iter(source))
    return f"{kind}:{source[kind]}"


def _version(raw: Any, where: str) -> Version | None:
    if raw is None:
        return None
    try:
        return Version(str(raw))
    except InvalidVersion:
        raise LockError(f"{where}: invalid version {raw!r}") from None


def _specifiers(raw: Any, where: str) -> SpecifierSet | None:
    if raw is None:
        return None
    try:
        return SpecifierSet(str(raw))
    except InvalidSpecifier:
        raise LockError(f"{where}: invalid specifier {raw!r}") from None

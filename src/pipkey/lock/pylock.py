"""PEP 751 lock files (``pylock.toml``, ``pylock.<name>.toml``): read any, write pipkey's.

Read: ``lock-version`` 1.x, ``requires-python``, ``extras``, ``dependency-groups``,
``default-groups``, and ``[[packages]]`` with ``marker`` (which may test ``extras`` and
``dependency_groups``), ``index``, ``wheels`` and ``sdist`` (``url``, ``hashes``, ``size``).
``directory`` (editable or not) and git ``vcs`` packages are built from source; an ``archive``
(a wheel or sdist by URL or path) is installed as a direct URL. Other VCS kinds and archives
with a ``subdirectory`` are reported as not supported yet.

Written: one entry per resolved distribution with the wheel chosen for the target environment —
its URL, size and sha256 — and the index it came from; never a credential.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pipkey.auth.urls import strip_credentials
from pipkey.lock.model import Lock, LockedFile, LockedPackage, LockError

SUPPORTED_MAJOR = "1"


def is_pylock(path: Path) -> bool:
    name = path.name
    return name == "pylock.toml" or (name.startswith("pylock.") and name.endswith(".toml"))


def read_pylock(path: Path) -> Lock:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LockError(f"{path}: cannot read the lock file: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise LockError(f"{path}: not valid TOML: {exc}") from None
    version = str(data.get("lock-version", ""))
    if version.split(".")[0] != SUPPORTED_MAJOR:
        raise LockError(
            f"{path}: lock-version {version or '(missing)'!r} is not supported (pipkey reads 1.x)"
        )
    try:
        requires = SpecifierSet(data["requires-python"]) if "requires-python" in data else None
    except InvalidSpecifier:
        raise LockError(f"{path}: invalid requires-python {data['requires-python']!r}") from None
    entries = data.get("packages", [])
    if not isinstance(entries, list):
        raise LockError(f"{path}: [[packages]] must be an array of tables")
    packages = tuple(_package(path, entry, i) for i, entry in enumerate(entries))
    try:
        environments = tuple(Marker(m) for m in data.get("environments", []))
    except (InvalidMarker, TypeError) as exc:
        raise LockError(f"{path}: invalid environments marker: {exc}") from None
    return Lock(
        path,
        "pylock",
        packages,
        requires,
        extras=tuple(data.get("extras", [])),
        groups=tuple(data.get("dependency-groups", [])),
        default_groups=tuple(data.get("default-groups", [])),
        environments=environments,
    )


def _package(path: Path, entry: Any, index: int) -> LockedPackage:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
        raise LockError(f"{path}: package #{index + 1} has no name")
    where = f"{path.name}: package {entry['name']!r}"
    version = None
    if entry.get("version") is not None:
        try:
            version = Version(str(entry["version"]))
        except InvalidVersion:
            raise LockError(f"{where}: invalid version {entry['version']!r}") from None
        where += f" {version}"
    source, location = _source(entry, where)
    marker = None
    if entry.get("marker"):
        try:
            marker = Marker(entry["marker"])
        except InvalidMarker as exc:
            raise LockError(f"{where}: {exc}") from None
    wheels = tuple(_file(w, where, path.parent) for w in entry.get("wheels", []))
    raw_sdist = entry.get("sdist")
    sdist = _file(raw_sdist, where, path.parent) if isinstance(raw_sdist, dict) else None
    archive = entry.get("archive")
    if isinstance(archive, dict):  # one file by URL or path: a wheel, or an sdist to build
        if archive.get("subdirectory"):
            raise LockError(f"{where}: archives with a subdirectory are not supported yet")
        source = "url" if isinstance(archive.get("url"), str) else "path"
        file = _file(archive, where, path.parent)
        if file.filename.endswith(".whl"):
            wheels = (file,)
        else:
            sdist = file
    index_url = entry.get("index")
    return LockedPackage(
        name=canonicalize_name(entry["name"]),
        version=version,
        source=source,
        registry=index_url if isinstance(index_url, str) else None,
        location=location,
        wheels=wheels,
        sdist=sdist,
        marker=marker,
        where=where,
    )


def _source(entry: dict[str, Any], where: str) -> tuple[str, str | None]:
    """PEP 751 ``directory`` / ``vcs`` tables, in the shape uv.lock gives them (a path; a git
    URL with ``?subdirectory=`` and the commit as fragment), so both build the same way."""
    directory, vcs = entry.get("directory"), entry.get("vcs")
    if isinstance(directory, dict):
        path = directory.get("path")
        if not isinstance(path, str):
            raise LockError(f"{where}: directory has no path")
        sub = directory.get("subdirectory")
        full = f"{path}/{sub}" if isinstance(sub, str) and sub else path
        return ("editable" if directory.get("editable") else "directory"), full
    if isinstance(vcs, dict):
        url, commit = vcs.get("url"), vcs.get("commit-id")
        if vcs.get("type") != "git":
            raise LockError(f"{where}: {vcs.get('type')!r} repositories are not supported yet")
        if not isinstance(url, str) or not isinstance(commit, str):
            raise LockError(f"{where}: vcs needs a url and a commit-id")
        sub = vcs.get("subdirectory")
        query = f"?subdirectory={quote(sub)}" if isinstance(sub, str) and sub else ""
        return "git", f"{url}{query}#{commit}"
    return "registry", None


def _file(raw: Any, where: str, base: Path) -> LockedFile:
    if not isinstance(raw, dict):
        raise LockError(f"{where}: a file entry is not a table")
    url = raw.get("url")
    if not isinstance(url, str) and isinstance(raw.get("path"), str):
        local = (base / raw["path"]).resolve()  # PEP 751: relative to the lock file
        if not local.is_file():
            raise LockError(f"{where}: the locked file {local} does not exist")
        url = local.as_uri()
    if not isinstance(url, str):
        raise LockError(f"{where}: a file entry has neither url nor path")
    hashes = raw.get("hashes", {})
    if not isinstance(hashes, dict) or not hashes:
        raise LockError(f"{where}: {url}: no hashes (PEP 751 requires them)")
    filename = raw.get("name") or unquote(urlsplit(url).path.rsplit("/", 1)[-1])
    size = raw.get("size")
    return LockedFile(url, str(filename), dict(hashes), size if isinstance(size, int) else None)


@dataclass(frozen=True)
class Pinned:
    """One resolved distribution to write: the wheel chosen for the target."""

    name: str
    version: str
    index: str | None
    url: str
    filename: str
    sha256: str
    size: int | None
    requires_python: str | None = None
    direct: bool = False  # asked for by URL (``name @ https://…``): an ``archive`` entry
    vcs: tuple[str, str, str | None] | None = None  # git: (repository URL, commit, subdirectory)


@dataclass(frozen=True)
class PinnedFile:
    filename: str
    url: str
    sha256: str
    size: int | None = None


@dataclass(frozen=True)
class Entry:
    """One ``[[packages]]`` entry: a registry package with its files (wheels, then at most one
    sdist) and the marker saying where it applies — or the project's own directory."""

    name: str
    version: str | None
    index: str | None
    marker: str | None
    files: tuple[PinnedFile, ...] = ()
    directory: str | None = None  # a path relative to the lock (the project: ".")
    editable: bool = False


def write_pylock(
    path: Path,
    entries: Iterable[Entry | Pinned],
    *,
    requires_python: str | None,
    created_by: str,
    environments: Sequence[str] = (),
    groups: Sequence[str] = (),
    default_groups: Sequence[str] = (),
) -> None:
    import tomli_w

    doc: dict[str, Any] = {"lock-version": "1.0"}
    if environments:
        doc["environments"] = list(environments)
    if requires_python:
        doc["requires-python"] = requires_python
    if groups:
        doc["dependency-groups"] = list(groups)
        doc["default-groups"] = [g for g in default_groups if g in groups]
    doc["created-by"] = created_by
    items = [_pinned_table(e) if isinstance(e, Pinned) else _entry_table(e) for e in entries]
    doc["packages"] = sorted(items, key=lambda t: (t["name"], Version(t.get("version") or "0")))
    text = tomli_w.dumps(doc)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _pinned_table(pin: Pinned) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": canonicalize_name(pin.name), "version": pin.version}
    if pin.index:
        entry["index"] = strip_credentials(pin.index)
    if pin.vcs is not None:
        repo, commit, subdirectory = pin.vcs
        vcs = {"type": "git", "url": strip_credentials(repo), "commit-id": commit}
        entry["vcs"] = {**vcs, **({"subdirectory": subdirectory} if subdirectory else {})}
        entry.pop("index", None)
        return entry
    wheel: dict[str, Any] = {"name": pin.filename, "url": strip_credentials(pin.url)}
    if pin.size is not None:
        wheel["size"] = pin.size
    wheel["hashes"] = {"sha256": pin.sha256}
    if pin.direct:  # PEP 751: a direct URL is an archive, with no index
        del wheel["name"]
        entry.pop("index", None)
        entry["archive"] = wheel
    elif pin.filename.endswith((".tar.gz", ".zip")):
        entry["sdist"] = wheel
    else:
        entry["wheels"] = [wheel]
    return entry


def _entry_table(item: Entry) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": canonicalize_name(item.name)}
    if item.version:
        entry["version"] = item.version
    if item.marker:
        entry["marker"] = item.marker
    if item.directory is not None:
        entry["directory"] = {"path": item.directory, "editable": item.editable}
        return entry
    if item.index:
        entry["index"] = strip_credentials(item.index)
    wheels = []
    for file in item.files:
        table: dict[str, Any] = {"name": file.filename, "url": strip_credentials(file.url)}
        if file.size is not None:
            table["size"] = file.size
        table["hashes"] = {"sha256": file.sha256}
        if file.filename.endswith(".whl"):
            wheels.append(table)
        else:
            entry["sdist"] = table
    if wheels:
        entry["wheels"] = wheels
    return entry

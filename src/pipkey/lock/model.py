"""The in-memory form every lock file becomes: packages, their files and their dependency graph.

uv.lock is a graph (a project root, dependencies with markers and extras, groups); PEP 751's
pylock.toml is a flat list whose entries carry markers that may name extras and dependency groups.
Both read into :class:`Lock`; :mod:`pipkey.lock.select` turns one into what to install.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName
from packaging.version import Version

from pipkey.auth.errors import PipkeyError


class LockError(PipkeyError):
    """A lock file pipkey cannot use; the message names the file and the entry."""

    exit_code = 2


@dataclass(frozen=True)
class LockedFile:
    url: str
    filename: str
    hashes: Mapping[str, str] = field(default_factory=dict)
    size: int | None = None


@dataclass(frozen=True)
class Dep:
    name: NormalizedName
    extras: frozenset[str] = frozenset()
    marker: Marker | None = None
    version: Version | None = None  # uv.lock names one when several versions are locked
    source: str | None = None  # uv.lock: the registry (or path) when several sources are locked


@dataclass(frozen=True)
class LockedPackage:
    name: NormalizedName
    version: Version | None
    source: str  # "registry", "virtual", "editable", "directory", "path", "url", "git"
    registry: str | None = None
    location: str | None = None  # uv.lock: a path (editable, directory, virtual) or git URL
    wheels: tuple[LockedFile, ...] = ()
    sdist: LockedFile | None = None
    dependencies: tuple[Dep, ...] = ()
    optional: Mapping[str, tuple[Dep, ...]] = field(default_factory=dict)
    groups: Mapping[str, tuple[Dep, ...]] = field(default_factory=dict)
    marker: Marker | None = None  # pylock.toml: when this entry applies
    metadata: Mapping[str, Any] = field(default_factory=dict)  # uv.lock: what it was locked from
    where: str = ""  # "uv.lock: package 'rich' 13.7.1", for errors
    source_key: str | None = None  # uv.lock: "registry:URL", "editable:PATH", …

    @property
    def is_project(self) -> bool:
        return self.source in ("virtual", "editable", "directory")


@dataclass(frozen=True)
class Lock:
    path: Path
    kind: str  # "uv.lock" or "pylock"
    packages: tuple[LockedPackage, ...]
    requires_python: SpecifierSet | None = None
    root: LockedPackage | None = None  # uv.lock: the project itself
    extras: tuple[str, ...] = ()  # pylock.toml
    groups: tuple[str, ...] = ()  # pylock.toml
    default_groups: tuple[str, ...] = ()  # pylock.toml
    # uv.lock [manifest]: the workspace's members, and what belongs to a virtual root itself
    members: tuple[NormalizedName, ...] = ()
    manifest_groups: Mapping[str, tuple[Dep, ...]] = field(default_factory=dict)
    manifest_requirements: tuple[Dep, ...] = ()
    manifest: Mapping[str, Any] = field(default_factory=dict)
    environments: tuple[Marker, ...] = ()  # pylock.toml: where the lock may be installed

    def by_name(self, name: NormalizedName) -> list[LockedPackage]:
        return [p for p in self.packages if p.name == name]

"""One project's ``pyproject.toml`` as lock, sync and install need it: ``[project]`` (name,
requires-python, dependencies, optional dependencies, which fields are dynamic), PEP 735
``[dependency-groups]`` (``include-group`` resolved), and ``[tool.uv]``: ``default-groups``,
``sources``, ``index``, ``workspace``, ``package`` and the legacy ``dev-dependencies``.

Names compare normalised, as uv compares them: package and group names by PEP 503, extra names
by PEP 685 (``Arrow`` and ``arrow`` are one extra).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.project.errors import ProjectError

ALL: Literal["all"] = "all"
DefaultGroups = tuple[NormalizedName, ...] | Literal["all"]


@dataclass(frozen=True)
class Source:
    """One ``[tool.uv.sources]`` entry: where a dependency comes from instead of an index.

    ``kind`` is ``workspace``, ``path``, ``git``, ``url`` or ``index``; ``value`` is what the
    entry names (the path, the repository URL, the index name; ``""`` for a workspace member).
    """

    kind: str
    value: str
    editable: bool | None = None
    marker: str | None = None
    extra: str | None = None
    group: str | None = None

    @property
    def local(self) -> bool:
        """A source tree or file uv.lock records without a version specifier."""
        return self.kind in ("workspace", "path", "git", "url")


@dataclass(frozen=True)
class UvTable:
    default_groups: DefaultGroups | None = None  # None: not set (uv then uses ["dev"])
    sources: Mapping[NormalizedName, tuple[Source, ...]] = field(default_factory=dict)
    indexes: tuple[Mapping[str, Any], ...] = ()
    members: tuple[str, ...] | None = None  # [tool.uv.workspace] members (None: no workspace)
    exclude: tuple[str, ...] = ()
    package: bool | None = None
    dev_dependencies: tuple[str, ...] = ()
    cache_keys: tuple[str, ...] = ("pyproject.toml", "setup.py", "setup.cfg")  # file globs


@dataclass(frozen=True)
class Pyproject:
    path: Path
    name: NormalizedName | None  # None: no [project] table (a virtual workspace root)
    version: str | None = None
    requires_python: str | None = None
    dependencies: tuple[str, ...] = ()
    optional_dependencies: Mapping[NormalizedName, tuple[str, ...]] = field(default_factory=dict)
    dependency_groups: Mapping[NormalizedName, tuple[str, ...]] = field(default_factory=dict)
    dynamic: frozenset[str] = frozenset()
    has_build_system: bool = False
    uv: UvTable = field(default_factory=UvTable)

    @property
    def directory(self) -> Path:
        return self.path.parent

    @property
    def is_project(self) -> bool:
        return self.name is not None

    @property
    def is_workspace_root(self) -> bool:
        return self.uv.members is not None

    @property
    def packaged(self) -> bool:
        """Built and installed (editable) by ``uv sync``: ``tool.uv.package``, else whether a
        build system is declared (uv's rule)."""
        if self.uv.package is not None:
            return self.uv.package
        return self.has_build_system

    @property
    def dynamic_requirements(self) -> bool:
        """Its requirements come from the build backend, not this file (PEP 621 ``dynamic``)."""
        return bool(self.dynamic & {"dependencies", "optional-dependencies"})

    def default_groups(self) -> DefaultGroups:
        if self.uv.default_groups is not None:
            return self.uv.default_groups
        return (canonicalize_name("dev"),)

    def source_for(self, name: str) -> tuple[Source, ...]:
        return self.uv.sources.get(canonicalize_name(name), ())


def read_pyproject(path: Path) -> Pyproject:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProjectError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{path}: not valid TOML: {exc}") from None
    return parse_pyproject(path, data)


def parse_pyproject(path: Path, data: Mapping[str, Any]) -> Pyproject:
    project = _table(data, "project", path)
    tool = _table(data, "tool", path)
    uv = _uv_table(_table(tool, "uv", path, "tool.uv"), path)
    raw_name = project.get("name")
    if project and not isinstance(raw_name, str):
        if "name" in project.get("dynamic", []):
            raise ProjectError(f"{path}: [project] name cannot be dynamic (PEP 621)")
        raise ProjectError(f"{path}: [project] has no name")
    optional: dict[NormalizedName, tuple[str, ...]] = {}
    for extra, items in _table(project, "optional-dependencies", path).items():
        optional.setdefault(canonicalize_name(str(extra)), ())
        optional[canonicalize_name(str(extra))] += _strings(items, path, f"extra {extra!r}")
    requires_python = project.get("requires-python")
    version = project.get("version")
    return Pyproject(
        path=path,
        name=canonicalize_name(raw_name) if isinstance(raw_name, str) else None,
        version=version if isinstance(version, str) else None,
        requires_python=requires_python if isinstance(requires_python, str) else None,
        dependencies=_strings(project.get("dependencies", []), path, "dependencies"),
        optional_dependencies=optional,
        dependency_groups=_groups(data, uv, path),
        dynamic=frozenset(_strings(project.get("dynamic", []), path, "dynamic")),
        has_build_system=isinstance(data.get("build-system"), dict),
        uv=uv,
    )


def _uv_table(table: Mapping[str, Any], path: Path) -> UvTable:
    raw_defaults = table.get("default-groups")
    defaults: DefaultGroups | None
    if raw_defaults is None:
        defaults = None
    elif raw_defaults == ALL:
        defaults = ALL
    elif isinstance(raw_defaults, list) and all(isinstance(g, str) for g in raw_defaults):
        defaults = tuple(canonicalize_name(g) for g in raw_defaults)
    else:
        raise ProjectError(f'{path}: tool.uv.default-groups must be a list of group names or "all"')
    workspace = table.get("workspace")
    members: tuple[str, ...] | None = None
    exclude: tuple[str, ...] = ()
    if isinstance(workspace, dict):
        members = _strings(workspace.get("members", []), path, "tool.uv.workspace.members")
        exclude = _strings(workspace.get("exclude", []), path, "tool.uv.workspace.exclude")
    indexes = table.get("index", [])
    if not isinstance(indexes, list) or not all(isinstance(i, dict) for i in indexes):
        raise ProjectError(f"{path}: [[tool.uv.index]] must be an array of tables")
    package = table.get("package")
    return UvTable(
        default_groups=defaults,
        sources=_sources(table.get("sources", {}), path),
        indexes=tuple(indexes),
        members=members,
        exclude=exclude,
        package=package if isinstance(package, bool) else None,
        dev_dependencies=_strings(table.get("dev-dependencies", []), path, "dev-dependencies"),
        cache_keys=_cache_keys(table.get("cache-keys"), path),
    )


def _cache_keys(raw: Any, path: Path) -> tuple[str, ...]:
    """``tool.uv.cache-keys``: the files whose change means the metadata must be built again
    (their ``file`` entries; git and env keys are not followed yet)."""
    if raw is None:
        return UvTable.cache_keys
    if not isinstance(raw, list):
        raise ProjectError(f"{path}: tool.uv.cache-keys must be a list")
    files = [k if isinstance(k, str) else k.get("file") for k in raw if isinstance(k, str | dict)]
    return tuple(f for f in files if isinstance(f, str))


def _sources(raw: Any, path: Path) -> dict[NormalizedName, tuple[Source, ...]]:
    if not isinstance(raw, dict):
        raise ProjectError(f"{path}: [tool.uv.sources] must be a table")
    out: dict[NormalizedName, tuple[Source, ...]] = {}
    for name, entries in raw.items():
        items = entries if isinstance(entries, list) else [entries]
        parsed = []
        for item in items:
            if not isinstance(item, dict):
                raise ProjectError(f"{path}: tool.uv.sources.{name} must be a table")
            parsed.append(_source(item, path, str(name)))
        out[canonicalize_name(str(name))] = tuple(parsed)
    return out


def _source(item: Mapping[str, Any], path: Path, name: str) -> Source:
    extras = {k: item.get(k) for k in ("marker", "extra", "group")}
    editable = item.get("editable")
    common: dict[str, Any] = {
        "editable": editable if isinstance(editable, bool) else None,
        **{k: v if isinstance(v, str) else None for k, v in extras.items()},
    }
    if item.get("workspace") is True:
        return Source("workspace", "", **common)
    for kind in ("path", "git", "url", "index"):
        if isinstance(item.get(kind), str):
            return Source(kind, item[kind], **common)
    raise ProjectError(
        f"{path}: tool.uv.sources.{name} names no source "
        "(workspace = true, path, git, url or index)"
    )


def _groups(
    data: Mapping[str, Any], uv: UvTable, path: Path
) -> dict[NormalizedName, tuple[str, ...]]:
    from dependency_groups import resolve

    table = _table(data, "dependency-groups", path)
    out: dict[NormalizedName, tuple[str, ...]] = {}
    for group in table:
        try:
            out[canonicalize_name(group)] = tuple(resolve(table, group))
        except (ValueError, LookupError, TypeError) as exc:
            raise ProjectError(f"{path}: dependency group {group!r}: {exc}") from None
    if uv.dev_dependencies:  # uv's legacy spelling of the dev group
        dev = canonicalize_name("dev")
        out[dev] = (*out.get(dev, ()), *uv.dev_dependencies)
    return out


def _table(data: Mapping[str, Any], key: str, path: Path, label: str = "") -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProjectError(f"{path}: [{label or key}] must be a table")
    return value


def _strings(value: Any, path: Path, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProjectError(f"{path}: {what} must be a list of strings")
    return tuple(value)

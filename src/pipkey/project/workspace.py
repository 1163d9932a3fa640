"""Workspace discovery as uv does it: from any directory, the nearest project (a
``pyproject.toml`` with ``[project]`` or ``[tool.uv.workspace]``), then the workspace root above it
whose ``members`` globs take it in (and whose ``exclude`` globs do not). The root holds the one
``uv.lock`` and ``.venv`` of every member; a root without ``[project]`` (crewAI's layout) is a
*virtual* root: only its dependency groups and its members.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.project.errors import ProjectError
from pipkey.project.pyproject import Pyproject, read_pyproject


@dataclass(frozen=True)
class Workspace:
    root: Path  # the directory of the root pyproject.toml
    root_pyproject: Pyproject
    members: Mapping[NormalizedName, Pyproject]  # the root too, when it has [project]
    current: Pyproject  # the project the command runs for (a member, or the root)

    @property
    def lock_path(self) -> Path:
        return self.root / "uv.lock"

    @property
    def venv(self) -> Path:
        return self.root / ".venv"

    @property
    def virtual_root(self) -> bool:
        """The command runs at a root without ``[project]``: every member is its project."""
        return self.current is self.root_pyproject and not self.root_pyproject.is_project

    def member(self, name: str) -> Pyproject:
        found = self.members.get(canonicalize_name(name))
        if found is None:
            have = ", ".join(sorted(self.members)) or "none"
            raise ProjectError(f"package {name!r} is not in the workspace (members: {have})")
        return found

    def all_pyprojects(self) -> list[Pyproject]:
        """Root first, then members by name (each once)."""
        out = [self.root_pyproject]
        out += [p for _, p in sorted(self.members.items()) if p is not self.root_pyproject]
        return out


def find_project(start: Path) -> Pyproject | None:
    """The nearest pyproject.toml (from ``start`` up) that is a project or a workspace root;
    one that is neither (a tool's config only) is passed over."""
    for directory in (start, *start.parents):
        path = directory / "pyproject.toml"
        if path.is_file():
            found = read_pyproject(path)
            if found.is_project or found.is_workspace_root:
                return found
    return None


def find_workspace(start: Path) -> Workspace | None:
    """The workspace of the project ``start`` is in; None when there is no project at all."""
    start = start.resolve()
    project = find_project(start)
    if project is None:
        return None
    root = project if project.is_workspace_root else _root_above(project)
    if root is None:  # a project on its own: a workspace of one
        members = {project.name: project} if project.name is not None else {}
        return Workspace(project.directory, project, members, project)
    return Workspace(root.directory, root, _members(root), project)


def _root_above(project: Pyproject) -> Pyproject | None:
    for directory in project.directory.parents:
        path = directory / "pyproject.toml"
        if not path.is_file():
            continue
        candidate = read_pyproject(path)
        if not candidate.is_workspace_root:
            continue
        if project.directory in _member_dirs(candidate):
            return candidate
        return None  # the nearest workspace above does not take it in: it stands alone
    return None


def _member_dirs(root: Pyproject) -> list[Path]:
    base = root.directory
    excluded = {p.resolve() for pattern in root.uv.exclude for p in base.glob(pattern)}
    found: list[Path] = []
    for pattern in root.uv.members or ():
        for match in sorted(base.glob(pattern)):
            directory = match.resolve()
            if (
                directory.is_dir()
                and not match.name.startswith(".")
                and directory not in excluded
                and directory not in found
                and (directory / "pyproject.toml").is_file()
            ):
                found.append(directory)
    return found


def _members(root: Pyproject) -> dict[NormalizedName, Pyproject]:
    members: dict[NormalizedName, Pyproject] = {}
    if root.name is not None:
        members[root.name] = root
    for directory in _member_dirs(root):
        if directory == root.directory:
            continue
        member = read_pyproject(directory / "pyproject.toml")
        if member.name is None:
            raise ProjectError(
                f"{member.path}: a workspace member needs a [project] table with a name"
            )
        if member.name in members:
            raise ProjectError(
                f"two workspace members are named {member.name}: "
                f"{members[member.name].path} and {member.path}"
            )
        members[member.name] = member
    return members

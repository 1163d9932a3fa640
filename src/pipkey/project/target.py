"""What ``sync`` installs from a workspace: its install target, as uv identifies it.

- in a project (a member, or a root with ``[project]``): that project;
  ``--package P``: P; ``--all-packages``: every member;
- at a virtual root (no ``[project]``): every member, and the root's own dependency groups;
- the default groups are those of the project the target names (the virtual root's own when
  there is none), and a workspace root's groups count for a selected member only when named on
  the command line and the member has no group of that name itself (uv's ``includes_group``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.project.pyproject import DefaultGroups, Pyproject
from pipkey.project.selection import Groups, Selection, choose_groups
from pipkey.project.workspace import Workspace


@dataclass(frozen=True)
class InstallTarget:
    kind: str  # "project", "projects", "workspace" (every member), "virtual" (virtual root)
    names: tuple[NormalizedName, ...]  # the projects ("project", "projects")
    groups: Groups
    selection: Selection
    member_groups: Mapping[NormalizedName, frozenset[NormalizedName]] = field(default_factory=dict)

    @property
    def project(self) -> NormalizedName | None:
        """The one project ``--no-install-project`` leaves out."""
        return self.names[0] if self.kind == "project" else None

    def includes_group(self, owner: NormalizedName | None, group: str) -> bool:
        """Whether ``owner``'s group is taken (``None``: the virtual root's own groups)."""
        if not self.groups.contains(group):
            return False
        if self.kind != "project":
            return True
        if owner == self.names[0]:
            return True
        if self.groups.by_default(group):
            return False
        return canonicalize_name(group) not in self.member_groups.get(self.names[0], frozenset())

    def includes_package(
        self, name: NormalizedName, members: frozenset[NormalizedName], root: NormalizedName | None
    ) -> bool:
        """uv's ``InstallOptions::include_package`` (``--no-install-*``)."""
        chosen = self.selection
        project = self.project or (root if self.kind == "workspace" and not members else None)
        if chosen.no_install_project and name == project:
            return False
        if chosen.no_install_workspace and (name in members or name == project):
            return False
        return name not in chosen.no_install


def install_target(workspace: Workspace | None, selection: Selection) -> InstallTarget:
    """``workspace`` None: a lock without its project (its root package, ``dev`` by default)."""
    packages = tuple(canonicalize_name(p) for p in selection.packages)
    if workspace is None:
        kind = "projects" if packages else "workspace"
        groups = choose_groups(selection.groups, (canonicalize_name("dev"),))
        return InstallTarget(kind, packages, groups, selection)
    for name in packages:
        workspace.member(name)  # a clear error for a name that is not a member
    member_groups = {name: frozenset(p.dependency_groups) for name, p in workspace.members.items()}
    current = workspace.current
    defaults_from: Pyproject = current
    names: tuple[NormalizedName, ...] = ()
    if selection.all_packages:
        kind, names = ("virtual" if workspace.virtual_root else "workspace"), ()
    elif len(packages) == 1:
        kind, names = "project", packages
        defaults_from = workspace.member(packages[0])
    elif packages:
        kind, names = "projects", packages
    elif workspace.virtual_root or current.name is None:
        kind, names = "virtual", ()
    else:
        kind, names = "project", (current.name,)
    defaults: DefaultGroups = defaults_from.default_groups()
    groups = choose_groups(selection.groups, defaults)
    return InstallTarget(kind, names, groups, selection, member_groups)

"""The project model lock, sync and install share: pyproject.toml, the uv workspace it belongs
to, its dependency groups and sources, and which of them a command takes. Pure data and file
reading (no network); it sits above config and below index."""

from pipkey.project.errors import ProjectError
from pipkey.project.pyproject import ALL, Pyproject, Source, UvTable, read_pyproject
from pipkey.project.selection import GroupFlags, Groups, Selection, choose_groups
from pipkey.project.target import InstallTarget, install_target
from pipkey.project.workspace import Workspace, find_project, find_workspace

__all__ = [
    "ALL",
    "GroupFlags",
    "Groups",
    "InstallTarget",
    "ProjectError",
    "Pyproject",
    "Selection",
    "Source",
    "UvTable",
    "Workspace",
    "choose_groups",
    "find_project",
    "find_workspace",
    "install_target",
    "read_pyproject",
]

"""Which parts of a project an install takes, from flags spelled as uv's.

Dependency groups follow uv's rules: ``--group`` and ``--only-group`` add groups; the defaults
(``[tool.uv] default-groups``, a list or ``"all"``; ``dev`` when unset) are added unless
``--no-default-groups`` or any ``--only-group`` / ``--only-dev``; ``--all-groups`` takes every
group; ``--no-group`` always wins. ``--only-group`` also leaves the project's own dependencies
(and the project itself) out. ``--dev`` / ``--no-dev`` / ``--only-dev`` are ``--group dev`` /
``--no-group dev`` / ``--only-group dev``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.project.pyproject import ALL, DefaultGroups

DEV = canonicalize_name("dev")


@dataclass(frozen=True)
class GroupFlags:
    group: tuple[str, ...] = ()
    only_group: tuple[str, ...] = ()
    no_group: tuple[str, ...] = ()
    all_groups: bool = False
    no_default_groups: bool = False
    dev: str | None = None  # "include" (--dev), "only" (--only-dev), "exclude" (--no-dev)

    def explicit(self) -> set[NormalizedName]:
        """Groups named on the command line (each must exist; ``dev`` by a --dev flag need not)."""
        return {canonicalize_name(g) for g in (*self.group, *self.only_group, *self.no_group)}


@dataclass(frozen=True)
class Groups:
    """The groups an install takes (``flags`` with the project's defaults applied)."""

    include: frozenset[NormalizedName] | None  # None: every group
    exclude: frozenset[NormalizedName] = frozenset()
    prod: bool = True  # the project's own dependencies (False with --only-group)
    named: frozenset[NormalizedName] | None = frozenset()  # as include, without the defaults

    def contains(self, group: str) -> bool:
        name = canonicalize_name(group)
        if name in self.exclude:
            return False
        return self.include is None or name in self.include

    def by_default(self, group: str) -> bool:
        """Taken only because it is a default group (not because the user named it)."""
        name = canonicalize_name(group)
        named = self.named is None or name in self.named
        return self.contains(group) and not named

    def names(self, available: Iterable[str]) -> list[str]:
        return [g for g in available if self.contains(g)]


def choose_groups(flags: GroupFlags, defaults: DefaultGroups) -> Groups:
    """uv's ``DependencyGroups::with_defaults``."""
    group = [canonicalize_name(g) for g in flags.group]
    only = [canonicalize_name(g) for g in flags.only_group]
    exclude = {canonicalize_name(g) for g in flags.no_group}
    if flags.dev == "include":
        group.append(DEV)
    elif flags.dev == "only":
        only.append(DEV)
    elif flags.dev == "exclude":
        exclude.add(DEV)
    prod = not only
    use_defaults = not flags.no_default_groups and not only
    named = None if flags.all_groups else frozenset((*group, *only))
    include: frozenset[NormalizedName] | None
    if flags.all_groups or (use_defaults and defaults == ALL):
        include = None
    elif use_defaults:
        include = frozenset((*group, *only, *defaults))
    else:
        include = frozenset((*group, *only))
    return Groups(include, frozenset(exclude), prod, named)


@dataclass(frozen=True)
class Selection:
    """What ``sync`` takes from a project and its lock, flags spelled as uv's."""

    extras: frozenset[str] = frozenset()
    all_extras: bool = False
    groups: GroupFlags = field(default_factory=GroupFlags)
    packages: tuple[str, ...] = ()  # --package P (workspace members)
    all_packages: bool = False
    no_install_project: bool = False
    no_install_workspace: bool = False
    no_install: frozenset[NormalizedName] = field(default_factory=frozenset)
    no_editable: bool = False

    def extra_names(self) -> frozenset[NormalizedName]:
        return frozenset(canonicalize_name(e) for e in self.extras)

"""``--locked``: does uv.lock still match the workspace's pyproject.toml files? (uv's check, as
far as installing needs)

Compared, for every workspace member: its requirements (``dependencies`` and
``optional-dependencies`` — from the build backend's metadata when they are ``dynamic``, as uv
takes them), its dependency groups (PEP 735, ``include-group`` resolved; uv's legacy
``tool.uv.dev-dependencies`` counts as ``dev``); a virtual root's own groups; the member list;
and ``requires-python`` (the members' intersection). A requirement is compared by name,
version specifier, extras and the extra it belongs to — names and extras normalised (PEP 503,
PEP 685). uv.lock records a requirement with a path, workspace, git or URL source without its
version specifier, so the specifier is not compared for those. Other marker spellings are not
compared (uv rewrites ``python_version`` as ``python_full_version``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from pipkey.lock.model import Lock, LockedPackage, LockError
from pipkey.project.pyproject import Pyproject
from pipkey.project.workspace import Workspace

Key = tuple[str, str, tuple[str, ...], str | None]
_EXTRA = re.compile(r"""extra\s*==\s*['"]([^'"]+)['"]""")
_LOCAL_SOURCES = ("editable", "directory", "path", "git", "url", "virtual", "workspace")


@dataclass(frozen=True)
class BuiltRequirements:
    """What a project's build backend says it requires (``Requires-Dist``)."""

    requires_dist: tuple[str, ...]


# For a member whose requirements are dynamic: its lock entry → what its backend reports.
MetadataFor = Callable[[Pyproject, LockedPackage], BuiltRequirements]


def stale_reasons(
    lock: Lock, workspace: Workspace, metadata_for: MetadataFor | None = None
) -> list[str]:
    """What differs between ``lock`` and ``workspace``; empty when the lock is current."""
    if lock.kind != "uv.lock":
        return []
    reasons: list[str] = []
    reasons += _members(lock, workspace)
    for member in workspace.all_pyprojects():
        label = f"{member.path.parent.name or member.path.parent}/pyproject.toml"
        if member.name is None:  # a virtual root: its own groups live in the manifest
            locked_groups = {
                str(group): {_locked_key(item) for item in items}
                for group, items in lock.manifest.get("dependency-groups", {}).items()
            }
            reasons += _compare_groups(label, member, locked_groups, workspace)
            continue
        package = next((p for p in lock.by_name(member.name) if p.is_project), None)
        if package is None:
            reasons.append(f"workspace member {member.name} ({member.path}) is not in the lock")
            continue
        reasons += _compare_member(label, member, package, metadata_for, workspace)
    reasons += _requires_python(lock, workspace)
    return reasons


def _compare_member(
    label: str,
    member: Pyproject,
    package: LockedPackage,
    metadata_for: MetadataFor | None,
    workspace: Workspace,
) -> list[str]:
    meta = package.metadata
    locked = {_locked_key(item) for item in meta.get("requires-dist", [])}
    if member.dynamic_requirements:
        if metadata_for is None:
            return []  # nothing to compare with: the caller asked not to build (--frozen)
        built = metadata_for(member, package)
        declared = {_built_key(text, member, workspace) for text in built.requires_dist}
    else:
        declared = {_key(text, None, member, workspace) for text in member.dependencies}
        for extra, items in member.optional_dependencies.items():
            declared |= {_key(text, extra, member, workspace) for text in items}
    reasons = list(_diff(f"{label}: dependencies", declared, locked))
    locked_groups = {
        str(canonicalize_name(group)): {_locked_key(item) for item in items}
        for group, items in meta.get("requires-dev", {}).items()
    }
    return reasons + _compare_groups(label, member, locked_groups, workspace)


def _compare_groups(
    label: str, member: Pyproject, locked: Mapping[str, set[Key]], workspace: Workspace
) -> list[str]:
    declared = {
        str(group): {_key(text, None, member, workspace) for text in items}
        for group, items in member.dependency_groups.items()
    }
    reasons: list[str] = []
    for group in sorted(set(declared) | set(locked)):
        want, have = declared.get(group, set()), locked.get(group, set())
        reasons += _diff(f"{label}: dependency group {group!r}", want, have)
    return reasons


def _members(lock: Lock, workspace: Workspace) -> list[str]:
    names = set(workspace.members)
    if lock.members:
        have = set(lock.members)
    else:  # uv leaves out the list for a workspace that is one project at its root
        have = {lock.root.name} if lock.root is not None else set()
        if workspace.root_pyproject.name is None and not names:
            return []
    reasons = [f"workspace member {n} is in pyproject.toml but not in the lock"
               for n in sorted(names - have)]  # fmt: skip
    reasons += [f"workspace member {n} is in the lock but not in pyproject.toml"
                for n in sorted(have - names)]  # fmt: skip
    return reasons


# Python versions at which two requires-python values must agree (uv simplifies the
# members' intersection, so the text differs: `>=3.9` and `>=3.10` lock as `>=3.10`).
_PYTHONS = [Version(f"3.{minor}.{micro}") for minor in range(0, 31) for micro in (0, 1)] + [
    Version("2.7.18"),
    Version("4.0.0"),
]


def _requires_python(lock: Lock, workspace: Workspace) -> list[str]:
    declared = [p.requires_python for p in workspace.all_pyprojects() if p.requires_python]
    if not declared:
        return []
    combined = SpecifierSet(",".join(declared))
    locked = lock.requires_python
    if locked is not None and all((v in combined) == (v in locked) for v in _PYTHONS):
        return []
    return [
        f"requires-python is {str(combined)!r} in pyproject.toml, "
        f"{str(locked or '(none)')!r} in the lock"
    ]


def _key(text: str, extra: str | None, member: Pyproject, workspace: Workspace) -> Key:
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise LockError(f"{member.path}: invalid requirement {text!r}: {exc}") from None
    # a member's own [tool.uv.sources] entry, else the workspace root's (uv: inherited)
    sources = member.source_for(req.name) or workspace.root_pyproject.source_for(req.name)
    local = req.url is not None or any(s.local for s in sources)
    return (
        canonicalize_name(req.name),
        "" if local else str(req.specifier),
        tuple(sorted(canonicalize_name(e) for e in req.extras)),
        canonicalize_name(extra) if extra else None,
    )


def _built_key(text: str, member: Pyproject, workspace: Workspace) -> Key:
    """A ``Requires-Dist`` line: the extra it belongs to is in its marker."""
    match = _EXTRA.search(text.partition(";")[2])
    key = _key(text.partition(";")[0] if match else text, None, member, workspace)
    return (*key[:3], canonicalize_name(match.group(1)) if match else None)


def _locked_key(item: dict[str, Any]) -> Key:
    marker = str(item.get("marker", ""))
    match = _EXTRA.search(marker)
    local = any(kind in item for kind in _LOCAL_SOURCES)
    specifier = "" if local else str(SpecifierSet(item.get("specifier", "")))
    extras = tuple(sorted(canonicalize_name(e) for e in item.get("extras", [])))
    extra = canonicalize_name(match.group(1)) if match else None
    return (canonicalize_name(item["name"]), specifier, extras, extra)


def _diff(what: str, declared: set[Key], locked: set[Key]) -> Iterable[str]:
    for key in sorted(declared - locked, key=_sort):
        yield f"{what}: {_show(key)} is in pyproject.toml but not in the lock"
    for key in sorted(locked - declared, key=_sort):
        yield f"{what}: {_show(key)} is in the lock but not in pyproject.toml"


def _sort(key: Key) -> tuple[str, str, tuple[str, ...], str]:
    return (key[0], key[1], key[2], key[3] or "")


def _show(key: Key) -> str:
    name, specifier, extras, extra = key
    text = f"{name}{'[' + ','.join(extras) + ']' if extras else ''}{specifier}"
    return f"{text} (extra {extra!r})" if extra else text

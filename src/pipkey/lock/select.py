"""From a lock to what this environment gets: which packages (groups, extras, markers), and for
each the one file to install (the best wheel for the target's tags), as resolver candidates.

uv.lock is walked as a graph from the install target (:mod:`pipkey.project.target`: a project,
several, or every workspace member; their dependencies, the extras and groups asked for, each
dependency's marker evaluated for the environment). pylock.toml entries are kept when their
marker holds, with ``extras`` and ``dependency_groups`` set from the flags (PEP 751).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

from packaging.markers import Marker
from packaging.utils import NormalizedName, canonicalize_name

from pipkey.index.models import DistFile, Link
from pipkey.index.target import Target
from pipkey.lock.model import Dep, Lock, LockedFile, LockedPackage, LockError
from pipkey.project.selection import choose_groups
from pipkey.project.target import InstallTarget
from pipkey.resolve.candidates import Candidate
from pipkey.text import count
from pipkey.urlpath import url2pathname


def select(lock: Lock, target: InstallTarget, env: Target) -> list[LockedPackage]:
    """The packages ``target`` takes from ``lock`` for the environment ``env``."""
    if lock.requires_python is not None and not lock.requires_python.contains(
        env.python_version, prereleases=True
    ):
        raise LockError(
            f"{lock.path}: requires-python {lock.requires_python} does not include this "
            f"interpreter's Python {env.python_version}"
        )
    if lock.environments and not any(m.evaluate(dict(env.markers)) for m in lock.environments):
        made_for = "; ".join(str(m) for m in lock.environments)
        raise LockError(
            f"{lock.path} was not made for this environment "
            f"({env.markers.get('sys_platform')}, {env.markers.get('platform_machine')}): "
            f"its environments are {made_for}; lock again with --python-platform for it"
        )
    if lock.kind == "uv.lock":
        return _walk_uv(lock, target, env)
    picked = _pylock(lock, target, env)
    return [p for p in picked if p.name not in target.selection.no_install]


Key = tuple[NormalizedName, object, object]


def _key(package: LockedPackage) -> Key:
    return (package.name, package.version, package.source_key)


def _roots(lock: Lock, target: InstallTarget) -> list[LockedPackage]:
    if target.kind in ("project", "projects"):
        return [_project(lock, name) for name in target.names]
    if lock.members:
        return [_project(lock, name) for name in lock.members]
    if target.kind == "virtual":
        return []  # a virtual root with no members: only its own groups
    if lock.root is None:
        raise LockError(f"{lock.path}: no project package (source virtual/editable) in the lock")
    return [lock.root]


def _project(lock: Lock, name: NormalizedName) -> LockedPackage:
    found = [p for p in lock.by_name(name) if p.is_project]
    if not found:
        raise LockError(f"{lock.path}: the project {name} is not in the lock (run `uv lock`)")
    return found[0]


def _walk_uv(lock: Lock, target: InstallTarget, env: Target) -> list[LockedPackage]:
    """uv's ``Installable::to_resolution``: the roots (with their extras, if the project's own
    dependencies are taken) and the groups they own, the virtual root's groups, then every
    dependency, its marker evaluated for ``env``. ``--no-install-*`` leaves a package out but
    still follows its dependencies."""
    roots = _roots(lock, target)
    chosen, groups = target.selection, target.groups
    members = frozenset(lock.members)
    root_name = lock.root.name if lock.root is not None else None
    _check_names(lock, target, roots)
    wanted_extras = chosen.extra_names()
    # uv's conflict markers ([tool.uv] conflicts) name the extras, groups and projects active
    # in this install: `extra == 'extra-11-pydantic-ai-mcp-tasks'`, `group-N-…`, `project-N-…`.
    active: set[str] = set()
    for root in roots:
        if groups.prod:
            active.add(_encoded("project", root.name))
            active |= {
                _encoded("extra", root.name, extra)
                for extra in root.optional
                if chosen.all_extras or extra in wanted_extras
            }
        active |= {
            _encoded("group", root.name, group)
            for group in root.groups
            if target.includes_group(root.name, group)
        }
    holds = _Evaluator(env.markers, active)
    installed: dict[Key, LockedPackage] = {}
    queued: set[tuple[Key, str | None]] = set()
    queue: deque[tuple[LockedPackage, str | None]] = deque()

    def take(package: LockedPackage) -> None:
        if target.includes_package(package.name, members, root_name):
            installed.setdefault(_key(package), package)

    def push(package: LockedPackage, extra: str | None) -> None:
        if (_key(package), extra) not in queued:
            queued.add((_key(package), extra))
            queue.append((package, extra))

    def follow(dep: Dep) -> None:
        if dep.marker is not None and not holds(dep.marker):
            return
        package = _find(lock, dep)
        take(package)
        push(package, None)
        for extra in sorted(dep.extras):
            active.add(_encoded("extra", package.name, extra))
            push(package, extra)

    for root in roots:
        if groups.prod:
            take(root)
            push(root, None)
            for extra in sorted(root.optional):
                if chosen.all_extras or extra in wanted_extras:
                    push(root, extra)
        for group, deps in sorted(root.groups.items()):
            if target.includes_group(root.name, group):
                for dep in deps:
                    follow(dep)
    for dep in lock.manifest_requirements:
        if dep.marker is None or holds(dep.marker):
            package = _find(lock, dep)
            if groups.prod:
                take(package)
            push(package, None)
    for group, deps in sorted(lock.manifest_groups.items()):
        if target.includes_group(None, group):
            for dep in deps:
                follow(dep)
    while queue:
        package, wanted = queue.popleft()
        for dep in package.optional.get(wanted, ()) if wanted else package.dependencies:
            follow(dep)
    # A virtual package (a non-packaged project or member) is never installed, only its
    # dependencies.
    return [p for p in installed.values() if p.source != "virtual"]


def _encoded(kind: str, package: str, item: str | None = None) -> str:
    """uv's name for a conflict item in markers: ``extra-11-pydantic-ai-mcp-tasks``."""
    return f"{kind}-{len(package)}-{package}" + (f"-{item}" if item else "")


_EXTRA_TEST = re.compile(r"""extra\s*(==|!=)\s*(['"])([^'"]+)\2""")


class _Evaluator:
    """A uv.lock marker for the environment, its ``extra`` tests read against the conflict
    items active in this install (as uv's ``evaluate`` with activated extras and groups)."""

    def __init__(self, markers: Mapping[str, str], active: AbstractSet[str]) -> None:
        self.env: dict[str, str | AbstractSet[str]] = {
            **markers,
            "extras": active,
            "dependency_groups": frozenset(),
        }
        self.plain = {**markers, "extra": ""}
        self._rewritten: dict[str, Marker] = {}

    def __call__(self, marker: Marker) -> bool:
        text = str(marker)
        if "extra" not in text:
            return marker.evaluate(self.plain)
        rewritten = self._rewritten.get(text)
        if rewritten is None:
            rewritten = Marker(
                _EXTRA_TEST.sub(
                    lambda m: f"'{m.group(3)}' {'in' if m.group(1) == '==' else 'not in'} extras",
                    text,
                )
            )
            self._rewritten[text] = rewritten
        return rewritten.evaluate(self.env, context="lock_file")


def _check_names(lock: Lock, target: InstallTarget, roots: list[LockedPackage]) -> None:
    """Extras and groups named on the command line must exist (uv says so, and so do we)."""
    extras = {e for r in roots for e in r.optional}
    unknown_extras = sorted(target.selection.extra_names() - extras)
    if unknown_extras and roots:
        have = ", ".join(sorted(extras)) or "none"
        raise LockError(
            f"{lock.path}: no extra named {', '.join(unknown_extras)} (the lock has: {have})"
        )
    available = {g for r in roots for g in r.groups} | set(lock.manifest_groups)
    _known(target.selection.groups.explicit(), dict.fromkeys(available), "group", lock)


def _known(asked: Iterable[str], available: Mapping[str, object], what: str, lock: Lock) -> None:
    unknown = sorted(set(asked) - set(available))
    if unknown:
        have = ", ".join(sorted(available)) or "none"
        raise LockError(f"{lock.path}: no {what} named {', '.join(unknown)} (the lock has: {have})")


def _find(lock: Lock, dep: Dep) -> LockedPackage:
    found = [p for p in lock.by_name(dep.name) if dep.version is None or p.version == dep.version]
    if len(found) > 1 and dep.source is not None:
        found = [p for p in found if p.source_key == dep.source]
    if not found:
        raise LockError(f"{lock.path}: dependency {dep.name} is not in the lock (damaged lock?)")
    if len(found) > 1:
        raise LockError(
            f"{lock.path}: several entries of {dep.name} match a dependency that names none "
            "(damaged lock?)"
        )
    return found[0]


def _pylock(lock: Lock, target: InstallTarget, env: Target) -> list[LockedPackage]:
    chosen = target.selection
    extras = set(lock.extras) if chosen.all_extras else set(chosen.extras)
    _known(extras, dict.fromkeys(lock.extras), "extra", lock)
    flags = chosen.groups
    groups_of = choose_groups(flags, tuple(canonicalize_name(g) for g in lock.default_groups))
    _known(flags.explicit(), {canonicalize_name(g): g for g in lock.groups}, "group", lock)
    groups = {g for g in lock.groups if groups_of.contains(g)}
    markers: dict[str, str | AbstractSet[str]] = {
        **env.markers,
        "extras": frozenset(extras),
        "dependency_groups": frozenset(groups),
    }
    picked: dict[NormalizedName, LockedPackage] = {}
    for package in lock.packages:
        if package.marker is not None and not package.marker.evaluate(markers, context="lock_file"):
            continue
        if package.name in picked:
            raise LockError(f"{package.where}: a second entry for {package.name} applies here")
        picked[package.name] = package
    return list(picked.values())


def source_link(package: LockedPackage, base: Path, *, no_editable: bool = False) -> Link | None:
    """For a package uv.lock takes from a source tree — the project, a path dependency
    (``editable``/``directory``, relative to the lock) or a git repository
    (``URL?subdirectory=S&rev=R#COMMIT``, pinned to COMMIT) — the link pipkey builds it from."""
    if package.source in ("editable", "directory"):
        if package.location is None:
            raise LockError(f"{package.where}: its {package.source} source has no path")
        tree = (base / url2pathname(package.location)).resolve()
        if not tree.is_dir():
            raise LockError(f"{package.where}: source directory {tree} does not exist")
        editable = package.source == "editable" and not no_editable
        return Link.from_url(tree.as_uri(), origin=str(base), editable=editable)
    if package.source == "git":
        parts = urlsplit(package.location or "")
        if not parts.scheme or not parts.fragment:
            raise LockError(f"{package.where}: git source {package.location!r} names no commit")
        query = dict(parse_qsl(parts.query))
        repo = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        sub = query.get("subdirectory")
        url = f"git+{repo}@{parts.fragment}" + (f"#subdirectory={quote(sub)}" if sub else "")
        return Link.from_url(url, filename=package.name)
    return None


def candidate(package: LockedPackage, target: Target) -> Candidate:
    """The locked package as a candidate with its best wheel for ``target`` (its sdist, to be
    built, when no wheel fits)."""
    if package.version is None:
        raise LockError(f"{package.where}: no version")
    best: tuple[int, LockedFile, Link] | None = None
    for file in package.wheels:
        link = _link(file, package)
        dist = DistFile.parse(link)
        rank = target.wheel_rank(dist.tags) if dist is not None else None
        if rank is not None and (best is None or rank < best[0]):
            best = (rank, file, link)
    direct = package.source in ("url", "path")  # PEP 610: recorded as where it came from
    if best is None:
        if package.sdist is not None:
            link = _link(package.sdist, package)
            return Candidate(canonicalize_name(package.name), package.version, link, direct=direct)
        raise LockError(
            f"{package.where}: none of its {count(len(package.wheels), 'wheel')} "
            "fits this interpreter "
            f"(Python {target.python_version}, {target.tags[0] if target.tags else 'no tags'})"
        )
    return Candidate(canonicalize_name(package.name), package.version, best[2], direct=direct)


def _link(file: LockedFile, package: LockedPackage) -> Link:
    if not file.hashes:
        raise LockError(f"{package.where}: {file.filename} has no hash in the lock")
    return Link.from_url(
        file.url, filename=file.filename, hashes=dict(file.hashes), origin=package.registry or ""
    )

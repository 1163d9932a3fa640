"""From a lock to what this environment gets: which packages (groups, extras, markers), and for
each the one file to install (the best wheel for the target's tags), as resolver candidates.

uv.lock is walked as a graph from the project (its dependencies, the extras and groups asked
for, each dependency's marker evaluated for the target). pylock.toml entries are kept when their
marker holds, with ``extras`` and ``dependency_groups`` set from the flags (PEP 751).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit
from urllib.request import url2pathname

from packaging.utils import NormalizedName, canonicalize_name

from pipkey.index.models import DistFile, Link
from pipkey.index.target import Target
from pipkey.lock.model import Dep, Lock, LockedFile, LockedPackage, LockError
from pipkey.resolve.candidates import Candidate
from pipkey.text import count


@dataclass(frozen=True)
class Selection:
    """Flags spelled as uv's (``--extra``, ``--all-extras``, ``--group``, ``--only-group``,
    ``--no-dev``, ``--no-install-project``, ``--no-install-package``)."""

    extras: frozenset[str] = frozenset()
    all_extras: bool = False
    groups: frozenset[str] = frozenset()
    only_groups: frozenset[str] = frozenset()
    no_dev: bool = False
    no_install_project: bool = False
    no_install: frozenset[NormalizedName] = field(default_factory=frozenset)


def select(lock: Lock, chosen: Selection, target: Target) -> list[LockedPackage]:
    if lock.requires_python is not None and not lock.requires_python.contains(
        target.python_version, prereleases=True
    ):
        raise LockError(
            f"{lock.path}: requires-python {lock.requires_python} does not include this "
            f"interpreter's Python {target.python_version}"
        )
    picked = (
        _walk_uv(lock, chosen, target) if lock.kind == "uv.lock" else _pylock(lock, chosen, target)
    )
    return [p for p in picked if p.name not in chosen.no_install]


def _walk_uv(lock: Lock, chosen: Selection, target: Target) -> list[LockedPackage]:
    root = lock.root
    if root is None:
        raise LockError(f"{lock.path}: no project package (source virtual/editable) in the lock")
    extras = set(root.optional) if chosen.all_extras else set(chosen.extras)
    _known(extras, root.optional, "extra", lock)
    groups = set(chosen.only_groups) or (
        set(chosen.groups) | ({"dev"} if "dev" in root.groups and not chosen.no_dev else set())
    )
    _known(groups, root.groups, "group", lock)
    start: list[Dep] = []
    if not chosen.only_groups:
        start += root.dependencies
        for extra in sorted(extras):
            start += root.optional[extra]
    for group in sorted(groups):
        start += root.groups[group]
    env = {**target.markers, "extra": ""}
    seen: dict[tuple[NormalizedName, object], LockedPackage] = {}
    extras_done: set[tuple[NormalizedName, str]] = set()
    queue = deque(start)
    while queue:
        dep = queue.popleft()
        if dep.marker is not None and not dep.marker.evaluate(env):
            continue
        package = _find(lock, dep)
        key = (package.name, package.version)
        if key not in seen:
            seen[key] = package
            queue.extend(package.dependencies)
        for extra in dep.extras:
            if (package.name, extra) not in extras_done:
                extras_done.add((package.name, extra))
                queue.extend(package.optional.get(extra, ()))
    if root.source != "virtual":  # uv installs a packaged project itself (editable)
        seen.setdefault((root.name, root.version), root)
    # A virtual package (the root of a non-packaged project, a virtual workspace member) is
    # never installed, only its dependencies; --no-install-project leaves out the root alone,
    # path dependencies stay (as uv's --no-install-project does).
    return [
        p
        for p in seen.values()
        if p.source != "virtual" and not (p is root and chosen.no_install_project)
    ]


def _known(asked: Iterable[str], available: Mapping[str, object], what: str, lock: Lock) -> None:
    unknown = sorted(set(asked) - set(available))
    if unknown:
        have = ", ".join(sorted(available)) or "none"
        raise LockError(f"{lock.path}: no {what} named {', '.join(unknown)} (the lock has: {have})")


def _find(lock: Lock, dep: Dep) -> LockedPackage:
    found = [p for p in lock.by_name(dep.name) if dep.version is None or p.version == dep.version]
    if not found:
        raise LockError(f"{lock.path}: dependency {dep.name} is not in the lock (damaged lock?)")
    if len(found) > 1:
        raise LockError(
            f"{lock.path}: several versions of {dep.name} are locked for different environments; "
            "choosing among them is not supported yet"
        )
    return found[0]


def _pylock(lock: Lock, chosen: Selection, target: Target) -> list[LockedPackage]:
    extras = set(lock.extras) if chosen.all_extras else set(chosen.extras)
    _known(extras, dict.fromkeys(lock.extras), "extra", lock)
    groups = set(chosen.only_groups) or (set(chosen.groups) | set(lock.default_groups))
    if chosen.no_dev:
        groups.discard("dev")
    _known(groups, dict.fromkeys(lock.groups), "group", lock)
    env: dict[str, str | AbstractSet[str]] = {
        **target.markers,
        "extras": frozenset(extras),
        "dependency_groups": frozenset(groups),
    }
    picked: dict[NormalizedName, LockedPackage] = {}
    for package in lock.packages:
        if package.marker is not None and not package.marker.evaluate(env, context="lock_file"):
            continue
        if package.name in picked:
            raise LockError(f"{package.where}: a second entry for {package.name} applies here")
        picked[package.name] = package
    return list(picked.values())


def source_link(package: LockedPackage, base: Path) -> Link | None:
    """For a package uv.lock takes from a source tree — the project, a path dependency
    (``editable``/``directory``, relative to the lock) or a git repository
    (``URL?subdirectory=S&rev=R#COMMIT``, pinned to COMMIT) — the link pipkey builds it from."""
    if package.source in ("editable", "directory"):
        if package.location is None:
            raise LockError(f"{package.where}: its {package.source} source has no path")
        tree = (base / url2pathname(package.location)).resolve()
        if not tree.is_dir():
            raise LockError(f"{package.where}: source directory {tree} does not exist")
        return Link.from_url(tree.as_uri(), origin=str(base), editable=package.source == "editable")
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

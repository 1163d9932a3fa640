"""A universal lock: resolve once per environment of the matrix (Python minor x platform, see
:mod:`pipkey.lock.environments`), then merge into one list of locked packages.

A package chosen in every environment gets no environment marker; one chosen in some gets the
marker naming those (two versions of one package in different environments become two
entries with disjoint markers). A package only a dependency group needs gets
``'G' in dependency_groups`` (PEP 751). Every wheel of the chosen version that fits any of
those environments is listed, with the sdist when there is one.

Hashes are the index's (PEP 503 fragment / PEP 691 ``hashes``), as uv's lock takes them: the
lock names wheels for platforms this machine never downloads. A file whose index publishes no
sha256 is downloaded and hashed here. ``sync`` checks every file against the lock's hash.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import partial

from packaging.version import Version

from pipkey.auth.errors import PipkeyError
from pipkey.index.finder import Finder
from pipkey.index.models import DistFile, Link, file_hashes, index_of
from pipkey.index.target import Target
from pipkey.install.pipeline import renewing, roots_and_constraints
from pipkey.install.request import Request
from pipkey.install.session import Session
from pipkey.install.store.artifacts import Artifacts
from pipkey.lock.environments import Environment, marker_for
from pipkey.lock.model import LockError
from pipkey.lock.pylock import PinnedFile
from pipkey.resolve.candidates import Candidate, Req
from pipkey.resolve.errors import BinaryOnly, NoMatchingDistribution, ResolutionConflict
from pipkey.resolve.provider import Provider
from pipkey.resolve.resolver import Resolution, resolve

_GROUP = re.compile(r": group (\S+)$")


@dataclass
class Merged:
    name: str
    version: Version
    index: str | None
    environments: list[Environment] = field(default_factory=list)
    groups: set[str | None] = field(default_factory=set)  # None: needed without any group
    files: dict[str, Link] = field(default_factory=dict)  # url → link (wheels, then sdist)

    def marker(self, every: Sequence[Environment], *, groups: bool = True) -> str | None:
        env = marker_for(self.environments, every)
        group = None
        if groups and None not in self.groups:
            names = sorted(g for g in self.groups if g is not None)
            group = " or ".join(f"'{g}' in dependency_groups" for g in names)
        parts = [p for p in (env, group) if p]
        if len(parts) == 2:
            return " and ".join(f"({p})" if " or " in p else p for p in parts)
        return parts[0] if parts else None


def resolve_everywhere(
    session: Session, request: Request, every: Sequence[Environment]
) -> Universe:
    """Resolve for every environment. One that cannot be resolved where the same Python can
    on another platform (a wheel missing for that platform) is left out of the lock with a
    warning; a Python no platform resolves for is an error, as in uv (requires-python then
    names a Python the requirements cannot serve)."""
    started = time.monotonic()
    merged: dict[tuple[str, Version], Merged] = {}
    direct: dict[tuple[str, str], tuple[Candidate, list[Environment]]] = {}
    failed: dict[tuple[Version, str], PipkeyError] = {}
    done: list[Environment] = []
    shared = SharedWheelMetadata(session.artifacts, session.finder)
    for env in every:
        roots, constraints, _ = roots_and_constraints(request, env.target.markers)
        if not roots:
            continue
        attempt = partial(_resolved, session, shared, request, env.target, roots, constraints)
        with session.reporter.status(f"Resolving for {env}…"):
            try:
                resolution, provider = renewing(session, attempt)
            except (NoMatchingDistribution, BinaryOnly, ResolutionConflict) as exc:
                failed[env.key] = _for_env(exc, env)
                continue
            except PipkeyError as exc:
                raise _for_env(exc, env) from None
        done.append(env)
        starts: dict[str | None, list[str]] = {}
        for root in roots:
            match = _GROUP.search(root.origin)
            starts.setdefault(match.group(1) if match else None, []).append(root.id)
        needed = {group: resolution.reachable(ids) for group, ids in starts.items()}
        for cand in resolution.candidates:
            if cand.link is None:
                continue
            if cand.link.is_directory:
                raise LockError(
                    f"{cand.name} comes from a local directory: "
                    "pipkey lock does not support local directories yet"
                )
            if cand.direct or cand.link.is_vcs:  # name @ URL, git: the same in every environment
                found = direct.setdefault((cand.name, cand.link.url), (cand, []))
                found[1].append(env)
                continue
            entry = merged.setdefault(
                (cand.name, cand.version),
                Merged(cand.name, cand.version, index_of(cand.link.origin, cand.name)),
            )
            entry.environments.append(env)
            entry.groups |= {g for g, names in needed.items() if cand.name in names}
            table = provider.table(cand.name)
            for dist in table.wheels.get(cand.version, ()):
                entry.files.setdefault(dist.link.url, dist.link)
            sdist = table.sdists.get(cand.version)
            if sdist is not None:
                entry.files.setdefault(sdist.link.url, sdist.link)
            entry.files.setdefault(cand.link.url, cand.link)
    _check_failures(failed, done, every, session)
    for cand, envs in direct.values():
        if len(envs) != len(done):
            raise LockError(
                f"{cand.name} @ {cand.link.filename if cand.link else '?'} is needed in some "
                "environments only: a universal lock of such a direct reference is not "
                "supported yet (lock with --python-platform / --python-version)"
            )
    chosen = sorted(merged.values(), key=lambda m: (m.name, m.version))
    seconds = time.monotonic() - started
    return Universe(chosen, [c for c, _ in direct.values()], done, seconds)


def _resolved(
    session: Session,
    shared: SharedWheelMetadata,
    request: Request,
    target: Target,
    roots: list[Req],
    constraints: dict[str, list[Req]],
) -> tuple[Resolution, Provider]:
    provider = Provider(session.finder, target, shared,
                        constraints=constraints, policy=request.policy)  # fmt: skip
    try:
        return resolve(provider, roots), provider
    finally:
        provider.close()


class SharedWheelMetadata:
    """One metadata fetch per (project, version) across every environment's resolution: the
    files of one release carry the same core metadata (uv reads a release's metadata from any
    of its wheels too), so numpy's cp310 ... cp313 wheels need one PEP 658 request, not 25, and
    an sdist whose release also has a wheel (for another Python or platform) needs no build to
    be locked. Otherwise sdists and trees go to the artifacts (their file or a build)."""

    def __init__(self, artifacts: Artifacts, finder: Finder) -> None:
        self.artifacts = artifacts
        self.finder = finder
        self._by_release: dict[tuple[str, Version], Future[bytes]] = {}
        self._lock = threading.Lock()

    def metadata(self, link: Link) -> Future[bytes]:
        dist = DistFile.parse(link) if not (link.is_directory or link.is_vcs) else None
        if dist is None:
            return self.artifacts.metadata(link)
        if dist.kind != "wheel":
            wheel = next(
                (f for f in self.finder.find(dist.name).files
                 if f.kind == "wheel" and f.version == dist.version),
                None,
            )  # fmt: skip
            if wheel is None:
                return self.artifacts.metadata(link)
            link = wheel.link
        key = (dist.name, dist.version)
        with self._lock:
            known = self._by_release.get(key)
            if known is None:
                known = self._by_release[key] = self.artifacts.metadata(link)
        return known


@dataclass(frozen=True)
class Universe:
    merged: list[Merged]
    direct: list[Candidate]
    environments: list[Environment]  # the ones resolved (the lock's environments)
    seconds: float


def _check_failures(
    failed: dict[tuple[Version, str], PipkeyError],
    done: list[Environment],
    every: Sequence[Environment],
    session: Session,
) -> None:
    resolved = {e.python for e in done}
    for env in every:
        exc = failed.get(env.key)
        if exc is None:
            continue
        if env.python not in resolved:
            raise exc
        first = str(exc).splitlines()[0]
        session.reporter.warn(f"left out of the lock: {env} ({first})")


def pinned_files(session: Session, entry: Merged) -> list[PinnedFile]:
    """Every file of ``entry`` with its sha256 (the index's; downloaded and hashed when the
    index gives none)."""
    out = []
    for link in entry.files.values():
        sha256 = link.sha256
        size = None
        if sha256 is None:
            path = session.artifacts.wheel(link).result()
            sha256 = file_hashes(str(path), ("sha256",))["sha256"]
            size = path.stat().st_size
        out.append(PinnedFile(link.filename, link.url, sha256, size))
    wheels = sorted((f for f in out if f.filename.endswith(".whl")), key=lambda f: f.filename)
    return wheels + [f for f in out if not f.filename.endswith(".whl")]


def _for_env(exc: PipkeyError, env: Environment) -> PipkeyError:
    wrapped = PipkeyError(f"for {env}: {exc}")
    wrapped.hint = exc.hint or (
        "lock for fewer environments with --python-version / --python-platform, "
        "or loosen the requirement"
    )
    wrapped.exit_code = exc.exit_code
    return wrapped

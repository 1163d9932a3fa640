"""``pipkey sync``: make an environment exactly match a lock — a sibling of ``install`` that
shares its staging, journal and commit.

Exactly: what the lock selects is installed at the locked version (from the locked file, hash
checked), and every other distribution is removed — except the installers a venv may carry (pip,
setuptools, wheel), which stay unless the lock lists them, as ``uv pip sync`` leaves them, and
the pipkey running this sync when it is installed in the target (env/own.py).
Credentials never come from the lock: its file URLs go through the auth engine like any request,
so the configured index of the same URL (``UV_INDEX_<NAME>_*``, keyring, store, netrc) applies.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipkey.auth.errors import PipkeyError
from pipkey.auth.redact import redact_url
from pipkey.config import Settings
from pipkey.index.models import Link
from pipkey.install.commit.lock import environment_lock
from pipkey.install.commit.plan import Plan
from pipkey.install.commit.repair import repaired, repaired_first
from pipkey.install.commit.transaction import Commit
from pipkey.install.env.environment import Environment, TargetError, rescan
from pipkey.install.env.own import running_pipkey
from pipkey.install.env.sources import is_current
from pipkey.install.report import Reporter
from pipkey.install.request import Request
from pipkey.install.store.cache import default_cache_dir
from pipkey.lock.files import read_lock
from pipkey.lock.freshness import BuiltRequirements, MetadataFor, stale_reasons
from pipkey.lock.model import Lock, LockedPackage, LockError
from pipkey.lock.select import candidate, select, source_link
from pipkey.project import InstallTarget, Pyproject, Selection, Workspace, install_target
from pipkey.project.metadata import cached_requires, store_requires
from pipkey.resolve.candidates import Candidate
from pipkey.resolve.metadata import CoreMetadata
from pipkey.text import count

if TYPE_CHECKING:  # the session (HTTP, auth, resolver) loads only when the lock needs it
    from pipkey.install.session import Session

_WAIT = "Waiting for another pipkey run…"
KEPT_TOOLS = frozenset(canonicalize_name(n) for n in ("pip", "setuptools", "wheel"))


class SystemTarget(PipkeyError):
    exit_code = 2
    hint = (
        "sync a virtual environment (the project's .venv by default, or --python .venv); "
        "an exact sync removes everything the lock does not name"
    )


def refuse_system(env: Environment) -> None:
    """An exact sync into an externally managed interpreter (PEP 668: the OS's own Python)
    would remove the system's packages: never, whatever the flags."""
    if env.externally_managed:
        raise SystemTarget(
            f"{env.executable} is externally managed (PEP 668): pipkey sync will not change it"
        )


class StaleLock(PipkeyError):
    exit_code = 2
    hint = "update the lock (`uv lock`), or pass --frozen to install it as it is"


@dataclass(frozen=True)
class SyncRequest:
    lock_path: Path
    target: InstallTarget = field(default_factory=lambda: install_target(None, Selection()))
    workspace: Workspace | None = None  # the project the lock belongs to (checked against it)
    locked: bool = False
    frozen: bool = False
    exact: bool = True  # remove what the lock does not select (uv's default; --inexact keeps)


@dataclass(frozen=True)
class Source:
    """A locked package built from a source tree (the project, a path dependency, a git
    commit): its version is learned from the build's metadata."""

    name: NormalizedName
    version: Version | None
    link: Link
    where: str


def check_fresh(lock: Lock, request: SyncRequest, metadata_for: MetadataFor | None = None) -> None:
    """Stop (saying what differs) when uv.lock no longer matches the workspace, as
    ``uv sync --locked`` does; pipkey never rewrites uv.lock, so a plain ``sync`` stops too."""
    workspace = request.workspace
    if lock.kind != "uv.lock" or request.frozen or workspace is None:
        return
    reasons = stale_reasons(lock, workspace, metadata_for)
    if reasons:
        raise StaleLock(
            f"{lock.path} does not match the project's pyproject.toml:\n"
            + "\n".join(f"  - {r}" for r in reasons)
        )


def plan_for(
    lock: Lock, request: SyncRequest, env: Environment, reporter: Reporter
) -> tuple[list[Candidate], list[Source]]:
    """What the lock selects for ``env``: registry and URL packages with their file, and
    packages built from source; every problem names its entry."""
    wanted: list[Candidate] = []
    sources: list[Source] = []
    no_editable = request.target.selection.no_editable
    for package in select(lock, request.target, env.target):
        link = source_link(package, lock.path.parent, no_editable=no_editable)
        if link is not None:
            sources.append(Source(package.name, package.version, link, package.where))
            continue
        for file in (*package.wheels, *([package.sdist] if package.sdist else [])):
            if "@" in file.url.split("//", 1)[-1].split("/", 1)[0]:
                reporter.warn(
                    f"{lock.path.name} holds a credential in a URL ({redact_url(file.url)}): "
                    "it is used, masked, but the lock leaks a secret; remove it from the lock"
                )
                break
        wanted.append(candidate(package, env.target))
    return wanted, sources


def exact_plan(
    wanted: Sequence[Candidate],
    env: Environment,
    unchanged: AbstractSet[str] = frozenset(),
    *,
    exact: bool = True,
) -> Plan:
    """``unchanged``: source-built packages already installed as locked (kept as they are);
    ``exact`` False (``--inexact``): what the lock does not name stays."""
    names = {c.name for c in wanted} | set(unchanged)
    install, keep, remove = [], [], []
    for cand in wanted:
        current = env.installed.get(cand.name)
        if (
            current is not None
            and current.version == cand.version
            and (
                is_current(current, cand.link, current.dist_info)
                if cand.direct
                else not current.direct_url
            )
        ):
            keep.append(cand)
            continue
        install.append(cand)
        if current is not None:
            remove.append(current)
    kept = KEPT_TOOLS | running_pipkey(env)
    remove += [
        dist
        for name, dist in sorted(env.installed.items())
        if exact and name not in names and name not in kept
    ]
    return Plan(tuple(install), tuple(remove), tuple(keep))


def _unchanged(sources: Sequence[Source], env: Environment) -> set[str]:
    return {
        s.name
        for s in sources
        if (dist := env.installed.get(s.name)) is not None
        and (s.version is None or dist.version == s.version)
        and is_current(dist, s.link, dist.dist_info)
    }


def _built(session: Session, sources: Sequence[Source]) -> list[Candidate]:
    """Build (or fetch from the built-wheel cache) each source package that must change, and
    check the build is the package the lock names."""
    out = []
    for source in sources:
        meta = CoreMetadata.parse(session.artifacts.metadata(source.link).result(), source.where)
        if canonicalize_name(meta.name) != source.name or (
            source.version is not None and meta.version != source.version
        ):
            raise LockError(
                f"{source.where}: the build made {meta.name} {meta.version}, not what the "
                "lock names (update the lock)"
            )
        out.append(Candidate(source.name, meta.version, source.link, direct=True))
    return out


def sync(
    settings: Settings,
    request: SyncRequest,
    env: Environment,
    reporter: Reporter,
    *,
    use_cache: bool = True,
    dry_run: bool = False,
    lock: Lock | None = None,
) -> Plan:
    """``lock``: the lock at ``request.lock_path`` when the caller has read it already (a big
    uv.lock costs ~0.1 s of TOML parsing each time)."""
    lock = lock or read_lock(request.lock_path)
    refuse_system(env)
    env = repaired_first(env, reporter)
    with ExitStack() as stack:
        opened: list[Session] = []

        def session() -> Session:
            if not opened:  # a lock already installed as it says needs no session at all
                from pipkey.install.build_env import attach_builder
                from pipkey.install.session import Session

                made = stack.enter_context(Session(settings, reporter, use_cache=use_cache))
                attach_builder(made, env.executable)
                made.artifacts.reuse_directory_builds = True  # uv sync's cache keys
                opened.append(made)
            return opened[0]

        cache_root = Path(settings.cache_dir or default_cache_dir())
        check_fresh(lock, request, _built_requirements(lock, session, cache_root, use_cache))
        return _sync_locked(lock, request, env, reporter, session, dry_run=dry_run)
    raise AssertionError("unreachable")  # pragma: no cover


def _built_requirements(
    lock: Lock, session: Callable[[], Session], cache_root: Path, use_cache: bool
) -> MetadataFor:
    """A dynamic project's requirements as its build backend reports them (as uv takes them),
    from the project-metadata cache while its cache-key files are unchanged."""

    def metadata_for(member: Pyproject, package: LockedPackage) -> BuiltRequirements:
        if use_cache and (hit := cached_requires(cache_root, member)) is not None:
            return BuiltRequirements(hit)
        link = source_link(package, lock.path.parent) or Link.from_url(
            member.directory.as_uri(), origin=str(lock.path.parent)
        )
        data = session().artifacts.metadata(link).result()
        requires = CoreMetadata.parse(data, str(member.path)).requires_dist
        if use_cache:
            store_requires(cache_root, member, requires)
        return BuiltRequirements(requires)

    return metadata_for


def _sync_locked(
    lock: Lock,
    request: SyncRequest,
    env: Environment,
    reporter: Reporter,
    session: Callable[[], Session],
    *,
    dry_run: bool,
) -> Plan:
    exact = request.exact
    wanted, sources = plan_for(lock, request, env, reporter)
    unchanged = _unchanged(sources, env)
    to_build = [s for s in sources if s.name not in unchanged]
    plan = exact_plan(wanted, env, unchanged, exact=exact)
    reporter.line(
        f"Lock {lock.path.name}: {count(len(wanted) + len(sources), 'package')} "
        "for this environment"
    )
    if dry_run or not (plan.install or plan.remove or to_build):
        _report(reporter, plan, dry_run, [s.name for s in to_build])
        return plan
    from pipkey.install.pipeline import build_all, stage  # past the no-op answer

    run = session()
    build_all(run, [s.link for s in to_build])  # side by side; metadata reads them
    wanted += _built(run, to_build)
    plan = exact_plan(wanted, env, unchanged, exact=exact)
    unpacked = stage(run, plan.install)
    with environment_lock(env.lock_path, lambda: reporter.line(_WAIT)):
        repaired(env, reporter)
        current = rescan(env)
        gone = sorted(unchanged - _unchanged(sources, current))
        if gone:  # another run changed them while this one built: do not commit blind
            raise LockError(
                f"another pipkey run changed {', '.join(gone)} meanwhile; "
                "nothing was changed by this run: run `pipkey sync` again"
            )
        plan = exact_plan(wanted, current, unchanged, exact=exact)
        Commit(current).run(plan, unpacked, reporter.detail, reporter.warn)
    _report(reporter, plan, dry_run)
    return plan


def sync_requirements(
    settings: Settings,
    request: Request,
    env: Environment,
    reporter: Reporter,
    *,
    use_cache: bool = True,
    dry_run: bool = False,
) -> Plan:
    """pip-sync semantics for a requirements file: resolve it (``--hash`` lines make every
    package need one), then install exactly that set."""
    from pipkey.install.pipeline import resolve_for, roots_and_constraints, stage
    from pipkey.install.session import Session

    refuse_system(env)
    env = repaired_first(env, reporter)
    roots, constraints, hashes = roots_and_constraints(request, env.markers)
    with Session(settings, reporter, use_cache=use_cache, required_hashes=hashes) as session:
        wanted, _seconds = resolve_for(session, request, env.target, {}, roots, constraints)
        plan = exact_plan(wanted, env)
        if dry_run or not (plan.install or plan.remove):
            _report(reporter, plan, dry_run)
            return plan
        unpacked = stage(session, plan.install)
        with environment_lock(env.lock_path, lambda: reporter.line(_WAIT)):
            repaired(env, reporter)
            current = rescan(env)
            plan = exact_plan(wanted, current)
            Commit(current).run(plan, unpacked, reporter.detail, reporter.warn)
    _report(reporter, plan, dry_run)
    return plan


def _report(reporter: Reporter, plan: Plan, dry_run: bool, builds: Sequence[str] = ()) -> None:
    if not plan.install and not plan.remove and not builds:
        reporter.line("Nothing to do: the environment matches the lock")
        return
    verb = "Would" if dry_run else ""
    for dist in plan.remove:
        reporter.line(f" - {dist.raw_name or dist.name}=={dist.version}")
    for cand in plan.install:
        reporter.line(f" + {cand.name}=={cand.version}")
    for name in builds:  # dry run: built from source, version known only after a build
        reporter.line(f" + {name} (built from source)")
    installed = len(plan.install) + len(builds)
    reporter.line(
        f"{verb + ' ' if verb else ''}{'removed' if not verb else 'remove'} {len(plan.remove)}, "
        f"{'installed' if not verb else 'install'} {installed}"
    )


def project_venv(project_dir: Path, requires_python: SpecifierSet | None) -> Path:
    """``<project>/.venv``, created (without pip, as uv does) when missing."""
    venv = project_dir / ".venv"
    if (venv / "pyvenv.cfg").is_file():
        return venv
    base = getattr(sys, "_base_executable", sys.executable)
    version = ".".join(map(str, sys.version_info[:3]))
    if requires_python is not None and not requires_python.contains(version, prereleases=True):
        raise TargetError(
            f"the project requires Python {requires_python}, and pipkey runs on {version}: "
            "create .venv with a matching interpreter, or pass --python"
        )
    from pipkey.install.env.venv import VenvRequest, create, project_prompt

    # as uv sync makes it: uv's pyvenv.cfg keys and prompt, .gitignore, CACHEDIR.TAG
    create(VenvRequest(venv, base, project_prompt(project_dir), allow_existing=True))
    return venv

"""``pipkey lock``: resolve a project's (or a requirements.in's) requirements for the target
environment and write a PEP 751 ``pylock.toml`` or a hashed ``requirements.txt``.

Every file is downloaded and hashed here (a lock must not trust a hash it did not check), and
no credential is written: URLs are stored without userinfo. Pins already in the output file are
kept (as constraints) unless ``--upgrade`` or ``--upgrade-package P``, as uv does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipkey import __version__
from pipkey.auth.urls import strip_credentials
from pipkey.build.vcs import parse_vcs_url
from pipkey.config import Settings
from pipkey.index.models import file_hashes, index_of
from pipkey.index.target import Target
from pipkey.install.build_env import attach_builder
from pipkey.install.pipeline import resolve_for, roots_and_constraints, stage_wheels
from pipkey.install.report import Reporter
from pipkey.install.request import Request
from pipkey.install.session import Session
from pipkey.lock.model import LockError
from pipkey.lock.pylock import Pinned, is_pylock, read_pylock, write_pylock
from pipkey.project import read_pyproject
from pipkey.resolve.candidates import Candidate
from pipkey.resolve.policy import Policy
from pipkey.resolve.reqfile import Line
from pipkey.text import count

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


@dataclass(frozen=True)
class ProjectInfo:
    """What a lock keeps of the project itself: its entry (a packaged project is installed
    editable by sync, as uv does; a project without [build-system] is not installed) and its
    dependency groups."""

    name: str
    version: str | None
    packaged: bool
    groups: tuple[str, ...] = ()
    default_groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class LockRequest:
    requirements: Sequence[Line]
    output: Path
    requires_python: str | None = None
    upgrade: bool = False
    upgrade_packages: frozenset[NormalizedName] = field(default_factory=frozenset)
    policy: Policy = field(default_factory=Policy)
    universal: bool = False  # one lock for every Python and platform of the matrix
    pythons: tuple[Version, ...] = ()  # --python-version: narrow the matrix
    platforms: tuple[str, ...] = ()  # --python-platform
    project: ProjectInfo | None = None


def project_requirements(
    pyproject: Path, extras: Sequence[str], groups: Sequence[str]
) -> tuple[list[Line], str | None]:
    """``[project].dependencies`` plus the extras and dependency groups asked for (names
    compared normalised, as the project model reads them)."""
    if not pyproject.is_file():
        raise LockError(f"{pyproject}: no such file (give -r requirements.in, or run in a project)")
    project = read_pyproject(pyproject)
    where = pyproject.name
    lines = [Line(t, f"{where}: dependencies") for t in project.dependencies]
    for extra in extras:
        items = project.optional_dependencies.get(canonicalize_name(extra))
        if items is None:
            raise LockError(f"{pyproject}: no extra named {extra!r}")
        lines += [Line(t, f"{where}: extra {extra}") for t in items]
    for group in groups:
        items = project.dependency_groups.get(canonicalize_name(group))
        if items is None:
            raise LockError(f"{pyproject}: no dependency group named {group!r}")
        lines += [Line(t, f"{where}: group {group}") for t in items]
    return lines, project.requires_python


def project_info(pyproject: Path) -> ProjectInfo | None:
    """The project (from :mod:`pipkey.project`) and every dependency group, with uv's
    default groups."""
    from pipkey.project.pyproject import read_pyproject

    project = read_pyproject(pyproject)
    if project.name is None:
        return None
    groups = tuple(project.dependency_groups)
    default = project.default_groups()
    defaults = groups if default == "all" else tuple(g for g in default if g in groups)
    return ProjectInfo(project.name, project.version, project.packaged, groups, defaults)


def existing_pins(output: Path) -> dict[NormalizedName, str]:
    if not output.is_file():
        return {}
    if is_pylock(output):
        seen: dict[NormalizedName, set[str]] = {}
        for package in read_pylock(output).packages:
            if package.version is not None and package.source == "registry":
                seen.setdefault(package.name, set()).add(str(package.version))
        # a package locked at two versions (for different environments) is not pinned
        return {name: next(iter(vs)) for name, vs in seen.items() if len(vs) == 1}
    pins = {}
    for raw in output.read_text(encoding="utf-8").splitlines():
        match = _PIN.match(raw.strip())
        if match:
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def lock(
    settings: Settings,
    request: LockRequest,
    target: Target,
    reporter: Reporter,
    *,
    python: str | None = None,
) -> list[Pinned]:
    """``python``: the target interpreter, to build what has only an sdist (its metadata, as
    ``install`` builds it); without it such a package cannot be locked."""
    pins = {} if request.upgrade else existing_pins(request.output)
    kept = [
        Line(f"{name}=={version}", f"{request.output.name} (kept pin)", constraint=True)
        for name, version in pins.items()
        if name not in request.upgrade_packages
    ]
    resolve_request = Request(lines=[*request.requirements, *kept], policy=request.policy)
    if request.universal:
        from pipkey.install.lock_universal import lock_universal

        lock_universal(settings, request, resolve_request, target, reporter, python=python)
        return []
    roots, constraints, _hashes = roots_and_constraints(resolve_request, target.markers)
    if not roots:
        raise LockError("nothing to lock: no requirements")
    with Session(settings, reporter) as session:
        if python is not None:
            attach_builder(session, python)
        chosen, seconds = resolve_for(session, resolve_request, target, {}, roots, constraints)
        reporter.line(f"Resolved {count(len(chosen), 'package')} in {seconds:.2f}s")
        local = [c for c in chosen if c.link is not None and c.link.is_directory]
        if local:
            raise LockError(
                f"{local[0].name} comes from a local directory: "
                "pipkey lock does not support local directories yet"
            )
        pinned = [_pinned_vcs(session, c) for c in chosen if c.link and c.link.is_vcs]
        wheels = stage_wheels(session, [c for c in chosen if not (c.link and c.link.is_vcs)])
        for cand, path in wheels.items():
            assert cand.link is not None
            pinned.append(
                Pinned(
                    name=cand.name,
                    version=str(cand.version),
                    index=None if cand.direct else index_of(cand.link.origin, cand.name),
                    url=cand.link.url,
                    filename=cand.link.filename,
                    sha256=file_hashes(str(path), ("sha256",))["sha256"],
                    size=path.stat().st_size,
                    direct=cand.direct,
                )
            )
    _write(request, pinned)
    reporter.line(f"Wrote {request.output} ({count(len(pinned), 'package')})")
    return pinned


def pin_direct(session: Session, cand: Candidate) -> Pinned:
    """A ``name @ URL`` file (hashed here) or a git requirement (pinned to its commit)."""
    assert cand.link is not None
    if cand.link.is_vcs:
        return _pinned_vcs(session, cand)
    path = stage_wheels(session, [cand])[cand]
    return Pinned(
        name=cand.name,
        version=str(cand.version),
        index=None,
        url=cand.link.url,
        filename=cand.link.filename,
        sha256=file_hashes(str(path), ("sha256",))["sha256"],
        size=path.stat().st_size,
        direct=True,
    )


def _pinned_vcs(session: Session, cand: Candidate) -> Pinned:
    """A git requirement, pinned to the commit its build came from."""
    assert cand.link is not None
    session.artifacts.build_first(cand.link)  # built already for its metadata: no second build
    info = dict(session.artifacts.vcs_info.get(cand.link.url, ()))
    source = parse_vcs_url(cand.link.url)
    commit = info.get("commit_id")
    if commit is None:
        raise LockError(f"{cand.name}: the commit of {source.url} is not known")
    return Pinned(
        name=cand.name,
        version=str(cand.version),
        index=None,
        url=f"git+{source.url}@{commit}"
        + (f"#subdirectory={source.subdirectory}" if source.subdirectory else ""),
        filename="",
        sha256="",
        size=None,
        direct=True,
        vcs=(source.url, commit, source.subdirectory),
    )


def _write(request: LockRequest, pinned: list[Pinned]) -> None:
    if request.output.suffix == ".txt":
        lines = [f"# pipkey {__version__} lock: pipkey sync {request.output.name}"]
        for pin in sorted(pinned, key=lambda p: canonicalize_name(p.name)):
            name = canonicalize_name(pin.name)
            if pin.vcs is not None:  # pip takes no hash for a VCS requirement
                lines.append(f"{name} @ {strip_credentials(pin.url)}")
                continue
            head = (
                f"{name} @ {strip_credentials(pin.url)}" if pin.direct else f"{name}=={pin.version}"
            )
            lines.append(f"{head} \\")
            lines.append(f"    --hash=sha256:{pin.sha256}")
        text = "\n".join(lines) + "\n"
        tmp = request.output.with_name(request.output.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(request.output)
        return
    if not is_pylock(request.output):
        raise LockError(f"{request.output}: write pylock.toml, pylock.NAME.toml or a .txt file")
    write_pylock(
        request.output,
        [Pinned(**{**p.__dict__, "url": strip_credentials(p.url)}) for p in pinned],
        requires_python=request.requires_python,
        created_by=f"pipkey {__version__}",
    )

"""``pipkey index versions P``: the versions the configured indexes offer the target, asked
with the same credentials, index priority and pins an install would use."""

from __future__ import annotations

from dataclasses import dataclass

from packaging.version import Version

from pipkey.auth.errors import PipkeyError
from pipkey.config import Settings
from pipkey.index.target import Target
from pipkey.install.report import Reporter
from pipkey.install.session import Session
from pipkey.resolve.errors import IndexLookupFailed


class NoVersions(PipkeyError):
    exit_code = 1


@dataclass(frozen=True)
class Offer:
    name: str
    versions: tuple[Version, ...]  # newest first
    locations: tuple[str, ...]  # redacted, as asked


def versions(settings: Settings, project: str, target: Target, reporter: Reporter, *,
             pre: bool = False) -> Offer:  # fmt: skip
    """Versions with at least one file the target can install (yanked files left out, as
    pip's ``index versions``); pre-releases only with ``pre``."""
    with Session(settings, reporter) as session:
        found = session.finder.find(project)
    answers = [f"{a.location}: {a.describe()}" for a in found.answers]
    if found.failure is not None:
        raise IndexLookupFailed(project, answers)
    usable = {
        dist.version
        for dist in found.files
        if not dist.is_yanked
        and dist.link.python_ok(target.python_version)
        and (dist.kind == "sdist" or target.wheel_rank(dist.tags) is not None)
    }
    if not pre:
        usable = {v for v in usable if not v.is_prerelease}
    if not usable:
        error = NoVersions(f"no versions of {project} found")
        error.hint = "asked: " + ("; ".join(answers) or "no index (--no-index and no --find-links)")
        raise error
    locations = tuple(a.location for a in found.answers)
    return Offer(str(found.name), tuple(sorted(usable, reverse=True)), locations)


@dataclass(frozen=True)
class Latest:
    version: Version
    kind: str  # "wheel" or "sdist": what the newest version ships (pip's list -o "Type")


def latest_versions(settings: Settings, names: list[str], target: Target, reporter: Reporter,
                    *, pre: bool = False) -> dict[str, Latest]:  # fmt: skip
    """``list --outdated``: the newest installable version of each name (one session, every
    page requested at once); a project no index knows is left out."""
    out: dict[str, Latest] = {}
    with Session(settings, reporter) as session:
        session.finder.prefetch(names)
        for name in names:
            found = session.finder.find(name)
            if found.failure is not None:
                answers = [f"{a.location}: {a.describe()}" for a in found.answers]
                raise IndexLookupFailed(name, answers)
            best: tuple[Version, str] | None = None
            for dist in found.files:
                if dist.is_yanked or not dist.link.python_ok(target.python_version):
                    continue
                if dist.kind == "wheel" and target.wheel_rank(dist.tags) is None:
                    continue
                if dist.version.is_prerelease and not pre:
                    continue
                if best is None or (dist.version, dist.kind) > best:
                    best = (dist.version, dist.kind)
            if best is not None:
                out[name] = Latest(*best)
    return out

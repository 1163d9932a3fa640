"""Is everything asked for already installed? Answered from the target's dist-info alone.

``pipkey install click`` into an environment that has click (and what click needs) should not
build an HTTP client, look up credentials or open the index: pip answers "Requirement already
satisfied" and uv "Audited 1 package", each without the network. :func:`audit` walks the
requirements and, transitively, the installed distributions' own ``Requires-Dist`` (markers
evaluated for the target, extras followed) and returns what it checked, or ``None`` as soon as
anything would need the index: a missing or out-of-range distribution, a URL or path, an
editable, hashes to verify, constraints, ``--upgrade`` or ``--reinstall``. ``None`` is never an
error: the normal install path then runs and decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pipkey.install.env.environment import Environment
from pipkey.install.request import Request
from pipkey.resolve.candidates import Installed


def audit_environment(
    request: Request, env: Environment, *, break_system_packages: bool = False
) -> tuple[Installed, ...] | None:
    """:func:`audit` for a target that needs no repair and may be installed into (the normal
    path reports those)."""
    if env.externally_managed and not break_system_packages:
        return None
    if env.journal_path.exists():
        return None
    return audit(request, env.installed, env.markers)


def audit(
    request: Request, installed: Mapping[str, Installed], markers: Mapping[str, str]
) -> tuple[Installed, ...] | None:
    """The installed distributions that satisfy ``request`` entirely, or ``None``."""
    try:
        return _audit(request, installed, markers)
    except Exception:  # a marker or metadata this walk cannot judge: let the resolver decide
        return None


def _audit(
    request: Request, installed: Mapping[str, Installed], markers: Mapping[str, str]
) -> tuple[Installed, ...] | None:
    policy = request.policy
    if policy.upgrade or policy.reinstall or request.require_hashes or request.editables:
        return None
    if (
        policy.upgrade_packages or policy.overrides or policy.reinstall_packages
    ):  # the resolver decides
        return None
    texts: list[str] = list(request.inputs)
    for line in request.lines:
        if line.constraint or line.hashes or line.editable:
            return None
        texts.append(line.text)
    roots = [_requirement(text) for text in texts]
    if not roots or any(root is None for root in roots):
        return None
    pending: list[tuple[Requirement, str]] = [(r, "") for r in roots if r is not None]
    seen: set[tuple[str, str]] = set()
    found: dict[str, Installed] = {}
    while pending:
        req, extra = pending.pop()
        if req.url:
            return None
        if not _applies(req.marker, markers, extra):
            continue
        name = canonicalize_name(req.name)
        dist = installed.get(name)
        if dist is None or not req.specifier.contains(dist.version, prereleases=True):
            return None
        found[name] = dist
        for wanted in ("", *sorted(canonicalize_name(e) for e in req.extras)):
            if (name, wanted) in seen:
                continue
            seen.add((name, wanted))
            for text in dist.requires:
                dependency = _requirement(text)
                if dependency is None:
                    return None
                pending.append((dependency, wanted))
    return tuple(found.values())


def _requirement(text: str) -> Requirement | None:
    """A named requirement, or None for anything else (paths, URLs, options, bad text)."""
    text = text.strip()
    if not text or text.startswith("-"):
        return None
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def _applies(marker: Marker | None, markers: Mapping[str, str], extra: str) -> bool:
    if marker is None:
        return True
    return marker.evaluate({**markers, "extra": extra})


def installed_names(found: Sequence[Installed]) -> list[str]:
    return sorted(f"{d.raw_name or d.name}=={d.version}" for d in found)

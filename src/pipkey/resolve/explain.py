"""Why a resolution is impossible, in plain words: a short derivation in the style uv prints
(PubGrub's "Because A depends on B and you require C, A and C are incompatible. And because
you require A, your requirements are unsatisfiable."), built from resolvelib's causes.

The versions that matter are named — the ones each requirement allows, or that none does —
never an arbitrary newest ten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from packaging.version import Version

from pipkey.auth.errors import PipkeyError
from pipkey.build.errors import BuildError
from pipkey.resolve.candidates import Candidate, Req
from pipkey.resolve.errors import NoMatchingDistribution, ResolutionConflict
from pipkey.resolve.provider import Provider
from pipkey.resolve.table import Table

SHOWN = 8  # versions listed in full before "…"
SKIPS_SHOWN = 12  # left-out files named in a "no matching distribution" message


@dataclass(frozen=True)
class Cause:
    requirement: Req
    parent: Candidate | None


def explain(provider: Provider, raw: Sequence[object]) -> Exception:
    causes = [
        Cause(c.requirement, c.parent)  # type: ignore[attr-defined]
        for c in raw
    ]
    for name in _unique(c.requirement.name for c in causes):
        for fact in provider.pruned.get(name, ()):
            causes += [Cause(req, cand) for cand, req in fact.ranges]
    causes = list({(str(c.requirement), c.parent): c for c in causes}.values())
    failed = _build_failure(provider, causes)
    if failed is not None:
        return failed
    for cause in causes:
        req = cause.requirement
        if req.link is None and req.pin is None and req.name in provider.loaded():
            try:
                fits = provider.files_by_version(req.name, [req])
            except PipkeyError as exc:
                return exc
            if not fits:
                return _no_match(provider, req, provider.table(req.name))
    return ResolutionConflict(derivation(provider, causes))


def derivation(provider: Provider, causes: Sequence[Cause]) -> list[str]:
    lines: list[str] = []
    by_name: dict[str, list[Cause]] = {}
    for cause in causes:
        by_name.setdefault(cause.requirement.name, []).append(cause)
    for name, group in by_name.items():
        lines.extend(_one_conflict(provider, name, group))
    return lines or ["the requirements conflict"]


def _one_conflict(provider: Provider, name: str, causes: list[Cause]) -> list[str]:
    users = _unique(str(c.requirement) for c in causes if c.parent is None)
    users += _unique(str(r) for r in provider.constraints.get(name, ()))
    parents: dict[str, dict[str, list[Version]]] = {}  # parent name → dep text → versions
    for cause in causes:
        if cause.parent is not None:
            texts = parents.setdefault(cause.parent.name, {})
            versions = texts.setdefault(_spec_text(cause.requirement), [])
            if cause.parent.version not in versions:
                versions.append(cause.parent.version)
    facts = [_depends(provider, parent, texts) for parent, texts in parents.items()]
    subjects = [_subject(provider, parent, texts, short=True) for parent, texts in parents.items()]
    if users:
        facts.append(f"you require {_and(users)}")
    lines = [f"Because {_and(facts)}, we can conclude that {_and(subjects + users)} are "
             "incompatible."]  # fmt: skip
    requested = _unique(str(r) for p in parents for r in provider.roots.get(p, ()))
    for parent in parents:
        if parent in provider.roots:
            continue
        cause = next(c for c in causes if c.parent is not None and c.parent.name == parent)
        assert cause.parent is not None
        path, top = chain(provider, cause.parent)
        if path:
            lines.append(f"And {parent} {cause.parent.version} is required by {path}.")
        requested += [r for r in top if r not in requested]
    if requested or users:
        lines.append(f"And because you require {_and(_unique([*requested, *users]))}, "
                     "we can conclude that your requirements are unsatisfiable.")  # fmt: skip
    lines.extend(_notes(provider, name, users, parents))
    return lines


def _depends(provider: Provider, parent: str, texts: dict[str, list[Version]]) -> str:
    parts = []
    allowed = allowed_versions(provider, parent)
    for text, versions in texts.items():
        every = len(texts) == 1 and allowed is not None and set(allowed) <= set(versions)
        who = _subject(provider, parent, texts) if every else _versions_of(parent, versions)
        verb = "depends" if every or len(versions) == 1 else "depend"
        parts.append(f"{who} {verb} on {text}")
    return _and(parts)


def _subject(
    provider: Provider, parent: str, texts: dict[str, list[Version]], *, short: bool = False
) -> str:
    allowed = allowed_versions(provider, parent)
    seen = {v for versions in texts.values() for v in versions}
    specs = _unique(str(r) for r in provider.roots.get(parent, ()) if r.specifier)
    if allowed is not None and set(allowed) <= seen:
        shown = _list(sorted(allowed))
        if specs and short:
            return _and(specs)
        if specs:
            return f"{_and(specs)} (every version it allows: {shown})"
        if short:
            return parent if len(allowed) > 1 else f"{parent} {shown}"
        return (
            f"every version of {parent} ({shown})"
            if len(allowed) > 1
            else (f"{parent} {shown} (its only version)")
        )
    return _versions_of(parent, sorted(seen))


def _notes(
    provider: Provider, name: str, users: list[str], parents: dict[str, dict[str, list[Version]]]
) -> list[str]:
    notes = []
    if users and name in provider.loaded():
        allowed = allowed_versions(provider, name)
        if allowed is not None:
            shown = _list(sorted(allowed, reverse=True))
            notes.append(f"note: {_and(users)} allows {shown}" if allowed else
                         f"note: no version of {name} satisfies {_and(users)}")  # fmt: skip
    for parent in [name, *parents]:
        for version, reason in yanked_in_range(provider, parent):
            why = f" (reason: {reason})" if reason else ""
            notes.append(f"note: {parent} {version} was yanked{why}, so it was not considered")
    return notes


def _build_failure(provider: Provider, causes: Sequence[Cause]) -> Exception | None:
    """Every version that would fit was skipped because its build failed: then the build
    failure *is* the answer (the first one, with the others noted)."""
    for cause in causes:
        name = cause.requirement.name
        failures = provider.build_failures.get(name)
        if not failures:
            continue
        allowed = allowed_versions(provider, name)
        failed = {v for v, _ in failures}
        if allowed is not None and allowed and set(allowed) <= failed:
            text = str(failures[0][1])
            others = [f"{name} {v}" for v, _ in failures[1:]]
            if others:
                text += f"\nalso failed to build: {', '.join(others)}"
            return BuildError(text)
    return None


def _no_match(provider: Provider, req: Req, table: Table) -> NoMatchingDistribution:
    answers = [f"{a.location}: {a.describe()}" for a in table.found.answers]
    skipped = _skipped_in_range(req, table)
    # a version whose every file is yanked is not "found": it is named as yanked below
    versions = sorted(
        {v for v, files in table.wheels.items() if any(not f.is_yanked for f in files)}
        | {v for v, dist in table.sdists.items() if not dist.is_yanked},
        reverse=True,
    )
    if versions:
        skipped.insert(0, f"no version satisfies {req}; versions found: {_list(versions)}")
    for version, reason in yanked_in_range(provider, req.name, req):
        why = f" (reason: {reason})" if reason else ""
        skipped.append(f"{req.name} {version} was yanked{why}, so it was not considered")
    return NoMatchingDistribution(str(req), answers, skipped)


def _skipped_in_range(req: Req, table: Table) -> list[str]:
    """The files left out of versions ``req`` allows, newest first, at most ``SKIPS_SHOWN``:
    ``pydantic>=3`` must not list 1,400 old wheels for other platforms (uv names only the
    versions that matter)."""
    relevant = sorted(
        ((v, why) for v, why in table.skipped if req.specifier.contains(v, prereleases=True)),
        key=lambda item: item[0],
        reverse=True,
    )
    notes = [why for _, why in relevant[:SKIPS_SHOWN]]
    if len(relevant) > SKIPS_SHOWN:
        rest = len(relevant) - SKIPS_SHOWN
        notes.append(f"… and {rest} more file{'s' if rest != 1 else ''} left out for such reasons")
    return notes


def _versions_of(name: str, versions: Sequence[Version]) -> str:
    return f"{name} {_and([str(v) for v in sorted(versions)])}"


def _spec_text(req: Req) -> str:
    return f"{req.id}{req.specifier}" if req.pin is None and req.link is None else str(req)


def _list(versions: Sequence[Version]) -> str:
    if len(versions) <= SHOWN:
        return ", ".join(str(v) for v in versions)
    head = ", ".join(str(v) for v in versions[: SHOWN - 1])
    return f"{head}, …, {versions[-1]} ({len(versions)} versions)"


def _and(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def user_requirements(provider: Provider, name: str) -> list[Req]:
    reqs = [r for rs in provider.roots.values() for r in rs if r.name == name]
    return reqs + list(provider.constraints.get(name, ()))


def allowed_versions(provider: Provider, name: str) -> list[Version] | None:
    """Versions of ``name`` that the user's own requirements allow (yanked and pre-releases
    left out as the resolver does); None when its page was never read."""
    if name not in provider.loaded():
        return None
    reqs = user_requirements(provider, name)
    try:
        files = provider.files_by_version(name, reqs)
    except PipkeyError:
        return None
    return sorted(files)


def yanked_in_range(
    provider: Provider, name: str, req: Req | None = None
) -> list[tuple[Version, str]]:
    if name not in provider.loaded():
        return []
    reqs = [req] if req is not None else user_requirements(provider, name)
    table = provider.table(name)
    out = []
    for version, link in sorted(provider.best_links(table).items()):
        if link.is_yanked and all(r.specifier.contains(version, prereleases=True) for r in reqs):
            out.append((version, link.yanked or ""))
    return out


def chain(provider: Provider, parent: Candidate) -> tuple[str, list[str]]:
    """Who needs ``parent`` (``"top 1.0 ← app 2.0"``), and what the user asked for at the top
    of that path."""
    path: list[str] = []
    seen = {parent.id}
    current = parent.id
    while True:
        above = sorted(provider.parents.get(current, ()))
        if not above:
            break
        step = above[0]
        key = step.split(" ", 1)[0]
        if key in seen:
            break
        seen.add(key)
        path.append(step)
        current = key
    top = [str(r) for r in provider.roots.get(current, ())]
    return " ← ".join(path), top

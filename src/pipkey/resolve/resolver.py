"""Run resolvelib over the provider and turn its failures into explanations."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver

from pipkey.resolve.candidates import Candidate, Req
from pipkey.resolve.errors import NoMatchingDistribution, ResolutionConflict
from pipkey.resolve.provider import Provider, Table

MAX_ROUNDS = 20_000


@dataclass(frozen=True)
class Resolution:
    """The chosen distributions, one per project (extras folded into their base project)."""

    candidates: tuple[Candidate, ...]


def resolve(provider: Provider, roots: Sequence[Req]) -> Resolution:
    provider.speculate(r.name for r in roots if r.link is None)
    resolver: Resolver[Req, Candidate, str] = Resolver(provider, BaseReporter())
    try:
        result = resolver.resolve(roots, max_rounds=MAX_ROUNDS)
    except ResolutionImpossible as exc:
        raise explain(provider, exc.causes) from None
    except ResolutionTooDeep:
        raise ResolutionConflict(
            [f"resolution gave up after {MAX_ROUNDS} rounds of backtracking"]
        ) from None
    chosen = sorted((c for c in result.mapping.values() if not c.extras), key=lambda c: c.name)
    return Resolution(tuple(chosen))


def explain(provider: Provider, causes: Sequence[object]) -> Exception:
    reqs: list[tuple[Req, Candidate | None]] = [
        (c.requirement, c.parent)  # type: ignore[attr-defined]
        for c in causes
    ]
    names = {r.name for r, _ in reqs}
    for req, _parent in reqs:
        if req.link is None and req.pin is None and req.name in provider.loaded():
            table = provider.table(req.name)
            if len(reqs) == 1 or not any(
                req.specifier.contains(v, prereleases=True) for v in table.wheels
            ):
                return _no_match(req, table)
    lines = ["the requirements conflict:"]
    for req, parent in reqs:
        lines.append(f"  {req} (required by {_chain(provider, req, parent)})")
    for name in sorted(names):
        table = provider.table(name) if name in provider.loaded() else None
        if table is not None and table.wheels:
            versions = ", ".join(str(v) for v in sorted(table.wheels)[-10:])
            lines.append(f"  available versions of {name}: {versions}")
    return ResolutionConflict(lines)


def _no_match(req: Req, table: Table) -> NoMatchingDistribution:
    answers = [f"{a.location}: {a.describe()}" for a in table.found.answers]
    skipped = list(table.skipped)
    if table.wheels:
        versions = ", ".join(str(v) for v in sorted(table.wheels))
        skipped.insert(0, f"versions with a usable wheel: {versions}")
    return NoMatchingDistribution(str(req), answers, skipped)


def _chain(provider: Provider, req: Req, parent: Candidate | None) -> str:
    if parent is None:
        return req.origin
    path = [f"{parent.name} {parent.version}"]
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
    if len(path) == 1 or not provider.parents.get(current):
        path.append("command line")
    return " ← ".join(path)

"""Run resolvelib over the provider and turn its failures into explanations."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver
from resolvelib.structs import RequirementInformation

from pipkey.resolve.candidates import Candidate, Req
from pipkey.resolve.errors import ResolutionConflict
from pipkey.resolve.explain import explain
from pipkey.resolve.provider import Provider

MAX_ROUNDS = 20_000


@dataclass(frozen=True)
class Resolution:
    """The chosen distributions, one per project (extras folded into their base project)."""

    candidates: tuple[Candidate, ...]


class _Conflicts(BaseReporter[Req, Candidate, str]):
    """Tells the provider which projects a conflict named (they become worth pruning)."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    def resolving_conflicts(
        self, causes: Collection[RequirementInformation[Req, Candidate]]
    ) -> None:
        self.provider.note_conflict(causes)


def resolve(provider: Provider, roots: Sequence[Req]) -> Resolution:
    roots = [provider.overridden(r) for r in roots]
    for root in roots:
        provider.roots.setdefault(root.id, []).append(root)
    provider.speculate(r.name for r in roots if r.link is None)
    resolver: Resolver[Req, Candidate, str] = Resolver(provider, _Conflicts(provider))
    try:
        result = resolver.resolve(roots, max_rounds=MAX_ROUNDS)
    except ResolutionImpossible as exc:
        raise explain(provider, list(exc.causes)) from None
    except ResolutionTooDeep:
        raise ResolutionConflict(
            [f"resolution gave up after {MAX_ROUNDS} rounds of backtracking"]
        ) from None
    chosen = sorted((c for c in result.mapping.values() if not c.extras), key=lambda c: c.name)
    return Resolution(tuple(chosen))

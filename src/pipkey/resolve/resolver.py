"""Run resolvelib over the provider and turn its failures into explanations."""

from __future__ import annotations

import gc
import logging
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver
from resolvelib.structs import RequirementInformation

from pipkey.resolve.candidates import Candidate, Req
from pipkey.resolve.derive import derivation
from pipkey.resolve.errors import ResolutionConflict
from pipkey.resolve.explain import Cause, explain, user_requirements
from pipkey.resolve.learned import Unsatisfiable
from pipkey.resolve.provider import Provider
from pipkey.resolve.requires import PYTHON

log = logging.getLogger(__name__)

MAX_ROUNDS = 20_000
# Allocations between two young-generation collections while resolving (CPython's default 700).
GC_YOUNG = 100_000


@dataclass(frozen=True)
class Resolution:
    """The chosen distributions, one per project (extras folded into their base project)."""

    candidates: tuple[Candidate, ...]
    # identifier → identifiers it depends on (None: the user's requirements), for locks
    edges: Mapping[str | None, tuple[str, ...]] = field(default_factory=dict)

    def reachable(self, starts: Iterable[str]) -> set[str]:
        """Base names needed by the identifiers ``starts`` (them included)."""
        seen: set[str] = set()
        todo = list(starts)
        while todo:
            key = todo.pop()
            if key in seen:
                continue
            seen.add(key)
            todo.extend(self.edges.get(key, ()))
        return {k.split("[", 1)[0] for k in seen}


class _Conflicts(BaseReporter[Req, Candidate, str]):
    """Tells the provider which projects a conflict named (they become worth pruning); at
    ``-vv`` logs each choice and each rejection, as ``uv -v`` does."""

    def __init__(self, provider: Provider) -> None:
        self.provider = provider

    def pinning(self, candidate: Candidate) -> None:
        log.debug("resolver: chose %s", candidate)

    def rejecting_candidate(self, criterion: Any, candidate: Candidate) -> None:
        log.debug("resolver: rejected %s", candidate)

    def resolving_conflicts(
        self, causes: Collection[RequirementInformation[Req, Candidate]]
    ) -> None:
        self.provider.note_conflict(causes)


def user_texts(provider: Provider, name: str) -> list[str]:
    return list(dict.fromkeys(str(r) for r in user_requirements(provider, name)))


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Reading big pages allocates millions of small objects that all live to the end of the
    run (Links, versions, tags): with CPython's default thresholds the cycle collector walked
    them again and again — 0.43 s of a warm jupyterlab resolution (342 young, 32 middle and 2
    full collections), holding the GIL the fetch threads need. Cycles are still collected,
    just in bigger batches; the thresholds are restored after.

    What the resolution read then lives to the end of the run: frozen (moved out of the
    collector's sight, ``gc.freeze``), the rest of the run and the interpreter's exit do not
    walk it again (the exit's collection cost 0.35 s after a jupyterlab resolution)."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_YOUNG), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.freeze()


def resolve(provider: Provider, roots: Sequence[Req]) -> Resolution:
    with fewer_collections():
        return _resolve(provider, roots)


def _resolve(provider: Provider, roots: Sequence[Req]) -> Resolution:
    roots = [provider.overridden(r) for r in roots]
    for root in roots:
        provider.roots.setdefault(root.id, []).append(root)
    provider.speculate((r.name, r.extras) for r in roots if r.link is None)
    resolver: Resolver[Req, Candidate, str] = Resolver(provider, _Conflicts(provider))
    try:
        result = resolver.resolve(roots, max_rounds=MAX_ROUNDS)
    except Unsatisfiable as found:
        if all(not d.blockers for d in found.deaths):  # one step: explain's own words
            causes = [Cause(d.requirement, d.candidate) for d in found.deaths]
            names = {d.requirement.name for d in found.deaths}
            causes += [Cause(r, None) for rs in provider.roots.values() for r in rs
                       if r.name in names]  # fmt: skip
            raise explain(provider, causes) from None
        asked = provider.roots.get(found.identifier, [])
        lines = derivation(asked, found.deaths, lambda name: user_texts(provider, name))
        raise ResolutionConflict(lines) from None
    except ResolutionImpossible as exc:
        raise explain(provider, list(exc.causes)) from None
    except ResolutionTooDeep:
        raise ResolutionConflict(
            [f"resolution gave up after {MAX_ROUNDS} rounds of backtracking"]
        ) from None
    chosen = sorted(
        (c for c in result.mapping.values() if not c.extras and c.name != PYTHON),
        key=lambda c: c.name,
    )
    graph = result.graph
    edges = {key: tuple(c for c in graph.iter_children(key) if c is not None) for key in graph}
    return Resolution(tuple(chosen), edges)

"""What every version of a requested project agrees on about one of its dependencies.

PubGrub learns facts such as "every djangorestframework>=3.16 depends on django>=4.2" and
prunes with them instead of trying each version of django; resolvelib backtracks version by
version (building old sdists along the way). So, once a project is named in a conflict, the
provider asks here: for each project the user requires, when the few versions the user's
requirement allows all depend on D, a version of D that none of their ranges admits cannot be
part of any solution and is dropped — no build of D is needed to prove the conflict.

Only root requirements (and constraints) are used: they stay for the whole resolution, so the
pruning is sound in every state resolvelib backtracks to. Only versions whose metadata needs
no build (wheels, known metadata) are read; otherwise nothing is concluded.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from packaging.version import Version

from pipkey.resolve.candidates import Candidate, Req

LIMIT = 40  # versions of one project read to learn a fact; more and nothing is concluded


@dataclass(frozen=True)
class Implied:
    """Every version of ``project`` the user allows depends on the dependency in one of
    ``ranges`` (one requirement per version)."""

    project: str
    ranges: tuple[tuple[Candidate, Req], ...]

    def allows(self, version: Version) -> bool:
        return any(r.allows(version) for _, r in self.ranges)


class Agreements:
    def __init__(
        self,
        candidates: Callable[[str], list[Candidate] | None],
        requires: Callable[[list[Candidate]], list[list[Req]] | None],
    ) -> None:
        self._candidates = candidates
        self._requires = requires
        self._facts: dict[str, dict[str, Implied]] = {}
        self._lock = threading.Lock()

    def about(self, dependency: str, projects: Iterable[str]) -> list[Implied]:
        out = []
        for project in projects:
            fact = self._learn(project).get(dependency)
            if fact is not None:
                out.append(fact)
        return out

    def _learn(self, project: str) -> dict[str, Implied]:
        with self._lock:
            known = self._facts.get(project)
        if known is not None:
            return known
        facts: dict[str, Implied] = {}
        cands = self._candidates(project)
        deps = self._requires(cands) if cands else None
        if cands and deps is not None:
            per_name: dict[str, list[tuple[Candidate, Req]]] = {}
            for cand, reqs in zip(cands, deps, strict=True):
                for req in reqs:
                    if req.link is None and req.pin is None:
                        per_name.setdefault(req.name, []).append((cand, req))
            for name, ranges in per_name.items():
                if len({c.version for c, _ in ranges}) == len({c.version for c in cands}):
                    facts[name] = Implied(cands[0].name, tuple(ranges))
        with self._lock:
            self._facts[project] = facts
        return facts

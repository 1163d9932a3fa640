"""Candidates that can never be part of a solution, learned as the resolver goes.

resolvelib forgets why a candidate failed once it backtracks past it. Asked for
``boto3 'botocore<1.20' 'urllib3>=2'`` it walked 1,400 boto3 releases again after every change
of botocore — minutes, where uv's PubGrub answers in seconds. Some failures, though, hold in
every state of the search, because they follow only from what the user asked for (root
requirements and constraints stay for the whole run) — PubGrub's incompatibilities derived
down to the root, in small:

- a candidate depends on D, and no version of D is allowed both by that dependency and by the
  user's own requirements on D (boto3 1.44 needs botocore>=1.44; the user said botocore<1.20);
- a candidate depends on D, and every version of D that dependency allows is itself dead
  (boto3 1.16.63 needs botocore 1.19.63, which needs urllib3<1.27; the user said urllib3>=2).

A dead candidate is dropped from find_matches for good, with the reason kept for the error
message. Only what needs no build is read (wheels, known metadata); what cannot be read
cheaply counts as alive, so the conclusion is always sound. The search below one candidate is
bounded (``DEPTH`` levels; at each, versions are read in the resolver's order and the first
live one ends the search), so a healthy dependency costs one metadata read.

Pure logic over two callbacks; the provider supplies packaging knowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipkey.resolve.candidates import Candidate, Req

DEPTH = 3


@dataclass(frozen=True)
class Death:
    """``candidate`` cannot be installed: its dependency ``requirement`` allows no version
    the user's requirements admit (``blockers`` empty), or only versions that are dead."""

    candidate: Candidate
    requirement: Req
    blockers: tuple[Death, ...] = ()


class Unsatisfiable(Exception):
    """Every candidate a root requirement allows is dead: no solution exists."""

    def __init__(self, identifier: str, deaths: Sequence[Death]) -> None:
        super().__init__(identifier)
        self.identifier = identifier
        self.deaths = tuple(deaths)


class Learned:
    def __init__(
        self,
        dependencies: Callable[[Candidate], Sequence[Req] | None],
        options: Callable[[Req], Sequence[Candidate] | None],
        *,
        depth: int = DEPTH,
    ) -> None:
        """``dependencies``: a candidate's requirements, or None when they cannot be read
        without a build; ``options``: the candidates a requirement allows together with the
        user's own requirements on the same project, in the resolver's order (None: not
        known cheaply — then nothing is concluded from that requirement)."""
        self._dependencies = dependencies
        self._options = options
        self._depth = depth
        self._dead: dict[Candidate, Death] = {}
        self._alive: set[Candidate] = set()
        self._busy: set[Candidate] = set()

    def death(self, candidate: Candidate) -> Death | None:
        return self._judge(candidate, self._depth)[0]

    def known(self, candidate: Candidate) -> Death | None:
        """The death of ``candidate`` if already learned (no reading)."""
        return self._dead.get(candidate)

    def _judge(self, cand: Candidate, depth: int) -> tuple[Death | None, bool]:
        """(the death, or None; whether the answer is definite — a search cut short by
        ``depth`` or by a cycle is not remembered)."""
        known = self._dead.get(cand)
        if known is not None:
            return known, True
        if cand in self._alive:
            return None, True
        if depth <= 0 or cand in self._busy:
            return None, False
        deps = self._dependencies(cand)
        if deps is None:
            self._alive.add(cand)
            return None, True
        self._busy.add(cand)
        definite = True
        try:
            for req in deps:
                death, sure = self._blocked(cand, req, depth)
                definite = definite and sure
                if death is not None:
                    self._dead[cand] = death
                    return death, True
        finally:
            self._busy.discard(cand)
        if definite:
            self._alive.add(cand)
        return None, definite

    def _blocked(self, cand: Candidate, req: Req, depth: int) -> tuple[Death | None, bool]:
        if req.link is not None:
            return None, True
        if req.pin is not None:  # an extra's candidate lives and dies with its base
            base, sure = self._judge(req.pin, depth - 1)
            return (Death(cand, req, (base,)) if base is not None else None), sure
        if req.name == cand.name:
            return None, True
        options = self._options(req)
        if options is None:
            return None, True
        blockers: list[Death] = []
        definite = True
        for option in options:
            death, sure = self._judge(option, depth - 1)
            if death is None:
                return None, definite and sure
            blockers.append(death)
        return Death(cand, req, tuple(blockers)), definite

"""The resolvelib Provider: all packaging knowledge the resolver needs, and nothing else.

Speed comes from speculation: as soon as a project's page arrives, the metadata of its most
likely candidate is fetched, and as soon as that arrives the pages of its dependencies are — all
in background threads — so by the time resolvelib asks, the answer is usually already here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version
from resolvelib import AbstractProvider

from pipkey.auth.errors import PipkeyError
from pipkey.build.errors import BuildError
from pipkey.index.finder import Finder
from pipkey.index.models import DistFile, Link
from pipkey.index.target import Target
from pipkey.resolve.agreement import LIMIT, Agreements, Implied
from pipkey.resolve.candidates import Candidate, Installed, MadeCandidates, Req
from pipkey.resolve.choice import lowest_first, ordered_versions
from pipkey.resolve.direct import direct_candidate
from pipkey.resolve.errors import (
    BinaryOnly,
    IndexLookupFailed,
    MetadataError,
)
from pipkey.resolve.learned import Death, Learned, Unsatisfiable
from pipkey.resolve.overrides import overridden, parse_overrides
from pipkey.resolve.policy import Policy
from pipkey.resolve.requires import PYTHON, MetadataSource, read_requires
from pipkey.resolve.speculation import Speculator
from pipkey.resolve.table import Table, build_table

READ_AHEAD = 16  # metadata fetched side by side while the resolver walks back a project
_PYTHON = Installed(PYTHON, Version("0"))


class Provider(AbstractProvider[Req, Candidate, str]):
    def __init__(
        self,
        finder: Finder,
        target: Target,
        source: MetadataSource,
        *,
        installed: Mapping[str, Installed] | None = None,
        constraints: Mapping[str, Sequence[Req]] | None = None,
        policy: Policy | None = None,
    ) -> None:
        self.finder = finder
        self.target = target
        self.source = source
        self.installed = dict(installed or {})
        self.constraints = dict(constraints or {})
        self.policy = policy or Policy()
        self.overrides = parse_overrides(self.policy.overrides, self.target.markers)
        self.parents: dict[str, set[str]] = {}
        self.roots: dict[str, list[Req]] = {}  # identifier → what the user asked for it
        self.suspects: set[str] = set()  # names met in a conflict: worth pruning (agreement)
        self.pruned: dict[str, list[Implied]] = {}  # name → facts that removed versions of it
        self.build_failures: dict[str, list[tuple[Version, PipkeyError]]] = {}
        self.agreements = Agreements(self._root_candidates, self._cheap_requires)
        self.learned = Learned(self._readable_requires, self._options)
        self._requires: dict[Candidate, list[Req]] = {}
        self._heads: dict[str, tuple[bool, int]] = {}  # id → (best needs a build, count)
        self._tables: dict[str, Future[Table]] = {}
        self._best: dict[str, tuple[Table, dict[Version, DistFile]]] = {}
        self._made = MadeCandidates()
        self._lock = threading.Lock()
        self._speculator = Speculator(
            finder, self.table, self.installed, self.policy, target.markers, source
        )

    def overridden(self, req: Req) -> Req:
        return overridden(self.overrides, req)

    def close(self) -> None:
        self._speculator.close()

    # -- files and versions ---------------------------------------------------------------

    def loaded(self) -> set[str]:
        """Projects whose table was built (or attempted) — safe to ask again without I/O."""
        with self._lock:
            return set(self._tables)

    def table(self, name: str) -> Table:
        with self._lock:
            fut = self._tables.get(name)
            if fut is None:
                fut = Future()
                self._tables[name] = fut
                owner = True
            else:
                owner = False
        if owner:
            try:
                fut.set_result(self._build_table(name))
            except BaseException as exc:
                fut.set_exception(exc)
        return fut.result()

    def _build_table(self, name: str) -> Table:
        found = self.finder.find(name)
        if found.failure is not None:
            raise IndexLookupFailed(name, [f"{a.location}: {a.describe()}" for a in found.answers])
        return build_table(found, self.target, self.policy.exclude_newer)

    # -- speculation ------------------------------------------------------------------------

    def speculate(self, wants: Iterable[tuple[str, frozenset[str]]]) -> None:
        self._speculator.speculate(wants)

    # -- resolvelib interface ---------------------------------------------------------------

    def identify(self, requirement_or_candidate: Req | Candidate) -> str:
        return requirement_or_candidate.id

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, bool, int, str]:
        """Direct and pinned first, then what the last conflict named; then a project whose
        best version needs no build, then the one with fewest versions left (PubGrub's
        choice): a narrow requirement is decided, and found impossible, before a wide one
        is walked version by version."""
        reqs = [info.requirement for info in information[identifier]]
        direct = any(r.link is not None or r.pin is not None for r in reqs)
        pinned = any(r.exact_pin for r in reqs)
        causes = {cause.requirement.id for cause in backtrack_causes}
        needs_build, count = self._heads.get(identifier, (False, 0))
        return (not direct, identifier not in causes, not pinned, needs_build, count, identifier)

    def note_conflict(self, causes: Iterable[Any]) -> None:
        named: list[str] = []
        for cause in causes:
            named.append(cause.requirement.id)
            if cause.parent is not None:
                named.append(cause.parent.id)
        self.suspects.update(i.split("[", 1)[0] for i in named)
        for identifier in dict.fromkeys(named):
            self._prove_root(identifier)

    def _prove_root(self, identifier: str) -> None:
        """Raise Unsatisfiable when every candidate the user's requirement on
        ``identifier`` allows is dead: the user's requirements stay in every state of the
        search, so resolvelib's backtracking (which cannot know that) would only walk the
        other projects' versions to no end. Stops at the first live candidate."""
        pool = self._user_pool(list(self.roots.get(identifier, ())))
        if not pool:
            return
        deaths: list[Death] = []
        for i, cand in enumerate(pool):
            self._read_ahead(pool, i + 1)
            death = self.learned.death(cand)
            if death is None:
                return
            deaths.append(death)
        if deaths:
            raise Unsatisfiable(identifier, deaths)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> list[Candidate]:
        reqs = list(requirements[identifier])
        if identifier == PYTHON:  # Requires-Python from metadata: the target's version or none
            python = Candidate(PYTHON, self.target.python_version, installed=_PYTHON)
            return [python] if all(self.is_satisfied_by(r, python) for r in reqs) else []
        name = reqs[0].name if reqs else canonicalize_name(identifier.split("[", 1)[0])
        extras = reqs[0].extras if reqs else frozenset()
        reqs += self.constraints.get(name, ())
        bad = set(incompatibilities[identifier])
        pins = [r.pin for r in reqs if r.pin is not None]
        directs = [r.link for r in reqs if r.link is not None]
        if pins:
            pool = [pins[0].with_extras(extras)]
        elif directs:
            pool = [self.direct_candidate(directs[0]).with_extras(extras)]
        else:
            pool = self._agreeing(name, self._indexed(name, extras, reqs))
        matches = [
            c for c in pool if c not in bad and all(self.is_satisfied_by(r, c) for r in reqs)
        ]
        first = matches[0].link if matches else None
        self._heads[identifier] = (first is not None and first.needs_build, len(matches))
        likely = first is not None and matches[0].installed is None and not first.needs_build
        if likely and not (pins or directs):
            assert first is not None
            self.source.metadata(first)  # start fetching the likely choice now
        if (
            len(matches) > 1
            or name in self.suspects
            or any(c.link is not None and c.link.needs_build and not c.direct for c in matches)
        ):
            return lambda: self._living(matches)  # type: ignore[return-value]
        return matches

    def _living(self, matches: list[Candidate]) -> Iterator[Candidate]:
        """Candidates in order, none known dead. The first as it is (what a resolution
        without conflicts takes: no extra reads) unless a conflict named its project; a
        later one — the resolver is backtracking — only if it is
        not known dead (see learned.py), with the metadata of the next few fetched side by
        side. A source candidate only once its metadata is built: one whose build fails is
        skipped with a note (pip does the same), not fatal — unless no version is left,
        then the build error is the answer (see explain)."""
        judge_first = bool(matches) and matches[0].name in self.suspects
        for i, cand in enumerate(matches):
            if self.learned.known(cand) is not None:
                continue
            if (i or judge_first) and not cand.direct:
                self._read_ahead(matches, i)
                if self.learned.death(cand) is not None:
                    continue
            link = cand.link
            if link is not None and link.needs_build and not cand.direct:
                try:
                    self.source.metadata(link).result()
                except (BuildError, MetadataError) as exc:
                    failures = self.build_failures.setdefault(cand.name, [])
                    if all(v != cand.version for v, _ in failures):
                        failures.append((cand.version, exc))
                    continue
            yield cand

    def _read_ahead(self, matches: list[Candidate], start: int) -> None:
        for cand in matches[start : start + READ_AHEAD]:
            link = cand.link
            if cand.installed is None and link is not None and not link.needs_build:
                self.source.metadata(link)

    def _readable_requires(self, cand: Candidate) -> list[Req] | None:
        """A candidate's dependencies when they need no build to know (learned.py)."""
        link = cand.link
        if cand.installed is None and (link is None or link.needs_build or cand.direct):
            return None
        try:
            return self.get_dependencies(cand, speculate=False)
        except PipkeyError:
            return None

    def _options(self, req: Req) -> list[Candidate] | None:
        """The candidates ``req`` and the user's own requirements on its project allow
        together (None: not known without more than a page read)."""
        if req.name == PYTHON:
            python = Candidate(PYTHON, self.target.python_version, installed=_PYTHON)
            return [python] if req.allows(python.version) else []
        return self._user_pool(
            [req, *(r for rs in self.roots.values() for r in rs if r.name == req.name)]
        )

    def _user_pool(self, reqs: list[Req]) -> list[Candidate] | None:
        """The candidates ``reqs`` (and the constraints on their project) allow together, in
        the resolver's order; None when there are none to go by, one is a URL or a pin, or
        the index could not answer."""
        if not reqs:
            return None
        reqs = [*reqs, *self.constraints.get(reqs[0].name, ())]
        if any(r.link is not None or r.pin is not None for r in reqs):
            return None
        try:
            pool = self._indexed(reqs[0].name, reqs[0].extras, reqs)
        except PipkeyError:
            return None
        return [c for c in pool if all(self.is_satisfied_by(r, c) for r in reqs)]

    def _agreeing(self, name: NormalizedName, pool: list[Candidate]) -> list[Candidate]:
        if name not in self.suspects:
            return pool
        others = [i for i, reqs in self.roots.items() if reqs[0].name != name]
        for fact in self.agreements.about(name, others):
            kept = [c for c in pool if fact.allows(c.version)]
            if len(kept) < len(pool):
                self.pruned.setdefault(name, []).append(fact)
            pool = kept
        return pool

    def _root_candidates(self, identifier: str) -> list[Candidate] | None:
        pool = self._user_pool(list(self.roots.get(identifier, ())))
        return pool if pool and len(pool) <= LIMIT else None

    def _cheap_requires(self, cands: list[Candidate]) -> list[list[Req]] | None:
        """Dependencies of each candidate, when none needs a build to know them."""
        if any(c.link is not None and c.link.needs_build and c.installed is None for c in cands):
            return None
        for cand in cands:  # start every fetch first: they run side by side
            if cand.installed is None and cand.link is not None:
                self.source.metadata(cand.link)
        try:
            return [self.get_dependencies(c, speculate=False) for c in cands]
        except PipkeyError:
            return None

    def _indexed(
        self,
        name: NormalizedName,
        extras: frozenset[str],
        reqs: list[Req],
        *,
        installed: bool = True,
    ) -> list[Candidate]:
        table = self.table(name)
        files = self._files(name, table)
        direct = [r for rs in self.roots.values() for r in rs if r.name == name]
        first_party = [*direct, *self.constraints.get(name, ())]
        wanted = ordered_versions(files, reqs, self.policy, first_party=first_party, direct=direct)
        if not wanted and not self.policy.sdist_ok(name):
            sdist_ok = sorted(
                (v for v in table.sdists if all(self._spec_ok(r, v) for r in reqs)), reverse=True
            )
            if sdist_ok:
                raise BinaryOnly(name, str(sdist_ok[0]))
        candidates = self._made.of(name, extras, files, wanted)
        inst = self.installed.get(name) if installed else None
        if inst is None or self.policy.reinstalls(name):
            return candidates
        keep = Candidate(name, inst.version, None, extras, installed=inst)
        rest = [c for c in candidates if c.version != inst.version]
        if not self.policy.upgrading(name):
            return [keep, *rest]
        # Upgrading: an installed version that is still the best choice stays as it is.
        merged = [*rest, keep]
        merged.sort(key=lambda c: c.version, reverse=not lowest_first(self.policy, direct))
        return merged

    def files_by_version(self, name: str, reqs: Sequence[Req]) -> dict[Version, Link]:
        """The versions the resolver would consider for ``reqs`` (no installed copy)."""
        pool = self._indexed(canonicalize_name(name), frozenset(), list(reqs), installed=False)
        return {c.version: c.link for c in pool if c.link is not None}

    def best_links(self, table: Table) -> dict[Version, Link]:
        return {v: d.link for v, d in self._files(table.found.name, table).items()}

    def _files(self, name: NormalizedName, table: Table) -> dict[Version, DistFile]:
        """One file per version: the best wheel, else (when builds are allowed) the sdist —
        the newest version wins either way, as with pip and uv."""
        known = self._best.get(name)
        if known is not None and known[0] is table:
            return known[1]  # asked on every find_matches: one table, one answer
        files: dict[Version, DistFile] = {}
        if self.policy.wheel_ok(name):
            files = {v: dists[0] for v, dists in table.wheels.items()}
        if self.policy.sdist_ok(name):
            for version, dist in table.sdists.items():
                files.setdefault(version, dist)
        self._best[name] = (table, files)
        return files

    @staticmethod
    def _spec_ok(req: Req, version: Version) -> bool:
        return req.allows(version)

    def direct_candidate(self, link: Link) -> Candidate:
        return direct_candidate(link, self.source.metadata, self.policy, self.target)

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        if requirement.pin is not None:
            return candidate.base() == requirement.pin
        if requirement.link is not None:
            return candidate.link is not None and candidate.link.url == requirement.link.url
        return self._spec_ok(requirement, candidate.version)

    def get_dependencies(self, candidate: Candidate, *, speculate: bool = True) -> list[Req]:
        """Worked out once per candidate: the same Req objects each time, so what they
        learned about versions (Req.allowed_among) serves every later find_matches."""
        out = self._requires.get(candidate)
        if out is None:
            out = self._requires.setdefault(
                candidate,
                read_requires(candidate, self.source, self.target, self.policy, self.overridden),
            )
        if speculate:
            where = f"{candidate.name} {candidate.version}"
            for req in out:
                if req.pin is None and req.name != PYTHON:
                    self.parents.setdefault(req.id, set()).add(where)
            self.speculate((r.name, r.extras) for r in out if r.name != PYTHON and r.pin is None)
        return list(out)

"""Requirements and candidates as the resolver sees them.

An identifier is the normalized name, plus ``[extras]`` when extras are asked for: a candidate
with extras depends on the plain candidate of the same version (pinned to the same file), which
is how one project with several extras resolves to one version.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

from pipkey.index.models import DistFile, Link
from pipkey.resolve.ranges import sorted_versions, window


def identifier(name: str, extras: frozenset[str] = frozenset()) -> str:
    base = canonicalize_name(name)
    return f"{base}[{','.join(sorted(extras))}]" if extras else base


@dataclass(frozen=True)
class Installed:
    """A distribution already in the target environment (from its dist-info)."""

    name: NormalizedName
    version: Version
    requires: tuple[str, ...] = ()
    dist_info: str = ""
    installer: str = ""
    direct_url: str | None = None
    raw_name: str = ""


@dataclass(frozen=True)
class Candidate:
    name: NormalizedName
    version: Version
    link: Link | None = None  # None only for an installed distribution kept as is
    extras: frozenset[str] = frozenset()
    installed: Installed | None = None
    direct: bool = False  # from a URL or path given by the user: gets direct_url.json

    @property
    def id(self) -> str:
        return identifier(self.name, self.extras)

    def with_extras(self, extras: frozenset[str]) -> Candidate:
        return Candidate(self.name, self.version, self.link, extras, self.installed, self.direct)

    def base(self) -> Candidate:
        return self.with_extras(frozenset())

    def __str__(self) -> str:
        return f"{self.id} {self.version}"


@dataclass(frozen=True)
class Req:
    """One requirement on one identifier, with where it came from (for conflict chains)."""

    name: NormalizedName
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    extras: frozenset[str] = frozenset()
    link: Link | None = None  # ``name @ url`` / a wheel path or URL given directly
    pin: Candidate | None = None  # extras candidate → its own base candidate
    origin: str = "command line"
    text: str = ""
    # version → allowed by ``specifier``: resolvelib asks one requirement about the same
    # versions again and again (a universal lock: millions of SpecifierSet.contains calls)
    _allowed: dict[Version, bool] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )
    _among: dict[int, tuple[Collection[Version], frozenset[Version]]] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    @property
    def id(self) -> str:
        return identifier(self.name, self.extras)

    def allowed_among(self, versions: Collection[Version]) -> frozenset[Version]:
        """The members of ``versions`` this requirement allows, worked out once per
        collection (a project's versions, asked about on every find_matches): the resolver
        then intersects sets instead of testing each version against each requirement, and
        only the versions inside the specifier's bisected window are tested (ranges.py)."""
        held = self._among.get(id(versions))
        if held is None or held[0] is not versions:
            ordered = sorted_versions(versions)
            lo, hi = window(self.specifier, ordered)
            held = (versions, frozenset(v for v in ordered[lo:hi] if self.allows(v)))
            self._among[id(versions)] = held  # holds ``versions``: its id stays its own
        return held[1]

    def allows(self, version: Version) -> bool:
        """``specifier.contains(version, prereleases=True)``, answered once per version
        (pre-release policy is the resolver's, see choice.py)."""
        known = self._allowed.get(version)
        if known is None:
            known = self._allowed[version] = self.specifier.contains(version, prereleases=True)
        return known

    @staticmethod
    def parse(text: str, origin: str, link: Link | None = None) -> Req:
        req = Requirement(text)
        return Req(
            name=canonicalize_name(req.name),
            specifier=req.specifier,
            extras=frozenset(canonicalize_name(e) for e in req.extras),
            link=link,
            origin=origin,
            text=text,
        )

    @cached_property
    def exact_pin(self) -> bool:
        """``==1.0`` / ``===1.0`` (no wildcard): may select a yanked file (PEP 592)."""
        return any(
            s.operator in ("==", "===") and not s.version.endswith(".*") for s in self.specifier
        )

    def __str__(self) -> str:
        if self.text:
            return self.text
        if self.pin is not None:
            return f"{self.name}=={self.pin.version}"
        return f"{self.id}{self.specifier}"


class MadeCandidates:
    """Each project's candidates made once per file map: find_matches asks for a project's
    versions again on every visit (a universal lock of fastapi: 18,673 times), and a frozen
    Candidate costs more to make than to look up."""

    def __init__(self) -> None:
        self._made: dict[
            tuple[str, frozenset[str]], tuple[Mapping[Version, DistFile], dict[Version, Candidate]]
        ] = {}

    def of(
        self,
        name: NormalizedName,
        extras: frozenset[str],
        files: Mapping[Version, DistFile],
        wanted: Sequence[Version],
    ) -> list[Candidate]:
        held = self._made.get((name, extras))
        if held is None or held[0] is not files:  # held: the map's id stays its own
            held = self._made[(name, extras)] = (files, {})
        made = held[1]
        out = []
        for version in wanted:
            cand = made.get(version)
            if cand is None:
                cand = made[version] = Candidate(name, version, files[version].link, extras)
            out.append(cand)
        return out

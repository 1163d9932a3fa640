"""A candidate's dependencies as requirements: read from its core metadata (or its
dist-info when installed), markers evaluated for the target, overrides applied."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from concurrent.futures import Future
from typing import Protocol

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import NormalizedName, canonicalize_name

from pipkey.index.models import Link
from pipkey.index.target import Target
from pipkey.resolve.candidates import Candidate, Req
from pipkey.resolve.errors import MetadataError
from pipkey.resolve.metadata import CoreMetadata, dependencies
from pipkey.resolve.policy import Policy

PYTHON = NormalizedName("<python>")  # the target interpreter, as a resolvelib identifier


class MetadataSource(Protocol):
    """Gives the METADATA bytes of a file (PEP 658 file, or read from the downloaded wheel)."""

    def metadata(self, link: Link) -> Future[bytes]: ...


def extras_of(names: Iterable[str]) -> frozenset[str]:
    return frozenset(canonicalize_name(e) for e in names)


def _specifier(text: str, where: str) -> SpecifierSet:
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise MetadataError(f"{where} has an invalid Requires-Python {text!r}") from None


def read_requires(
    candidate: Candidate,
    source: MetadataSource,
    target: Target,
    policy: Policy,
    overridden: Callable[[Req], Req],
) -> list[Req]:
    out: list[Req] = []
    if candidate.extras:
        out.append(Req(candidate.name, pin=candidate.base(), origin=str(candidate)))
    if policy.no_deps:
        return out
    where = f"{candidate.name} {candidate.version}"
    if candidate.installed is not None:
        requires = candidate.installed.requires
    else:
        assert candidate.link is not None
        meta = CoreMetadata.parse(source.metadata(candidate.link).result(), where)
        if canonicalize_name(meta.name) != candidate.name or meta.version != candidate.version:
            raise MetadataError(
                f"{candidate.link.filename} contains metadata for {meta.name} {meta.version}"
            )
        requires = meta.requires_dist
        if meta.requires_python and not candidate.link.requires_python:
            # The page did not say (PEP 503 data-requires-python): the metadata does.
            out.append(Req(PYTHON, _specifier(meta.requires_python, where), origin=where,
                           text=f"Python{meta.requires_python}"))  # fmt: skip
    for dep in dependencies(requires, dict(target.markers), candidate.extras, where):
        req = Req(
            canonicalize_name(dep.name),
            dep.specifier,
            extras_of(dep.extras),
            link=Link.from_url(dep.url) if dep.url else None,
            origin=where,
            text=str(dep),
        )
        out.append(overridden(req))
    return out

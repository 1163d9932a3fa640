"""Which of a project's versions a specifier can allow, found by bisection.

Testing a requirement against every version of a big project is the resolver's hottest loop:
``boto3 botocore<1.20`` asks 1,400 boto3 requirements (``botocore>=1.44.8,<1.45.0`` …) about
botocore's 1,800 versions — 5 million ``SpecifierSet.contains`` calls, 30 s. Each clause but
``!=`` and ``===`` bounds its matches to one run of the sorted versions, so bisection narrows
the run and ``contains`` settles only the versions inside it. The window is a superset by
construction (PEP 440's exclusions — ``<2.0`` not admitting ``2.0rc1``, ``>1.0`` not admitting
``1.0.post1``, local labels — all fall inside it), so the answer is exactly ``contains``'s.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Collection, Sequence

from packaging.specifiers import Specifier, SpecifierSet
from packaging.version import InvalidVersion, Version

_SORTED: dict[int, tuple[Collection[Version], list[Version]]] = {}


def sorted_versions(versions: Collection[Version]) -> list[Version]:
    """``versions`` ascending, once per collection object (held, so its id stays its own)."""
    held = _SORTED.get(id(versions))
    if held is None or held[0] is not versions:
        if len(_SORTED) > 4096:
            _SORTED.clear()
        held = (versions, sorted(versions))
        _SORTED[id(versions)] = held
    return held[1]


def window(specifier: SpecifierSet, ordered: Sequence[Version]) -> tuple[int, int]:
    """``(lo, hi)``: every version of ``ordered`` (ascending) the specifier allows lies in
    ``ordered[lo:hi]``."""
    lo, hi = 0, len(ordered)
    for clause in specifier:
        try:
            a, b = _clause_window(clause, ordered)
        except InvalidVersion:
            continue
        lo, hi = max(lo, a), min(hi, b)
        if lo >= hi:
            return lo, lo
    return lo, hi


def _clause_window(clause: Specifier, ordered: Sequence[Version]) -> tuple[int, int]:
    op, text, n = clause.operator, clause.version, len(ordered)
    if op in ("!=", "==="):
        return 0, n
    if op == "==" and text.endswith(".*"):
        prefix = Version(text[:-2])
        return _prefix_window(prefix, prefix.release, ordered)
    bound = Version(text)
    if op in (">=", ">"):
        return bisect_left(ordered, bound), n
    if op == "<":
        return 0, bisect_left(ordered, bound)
    if op == "~=":
        return bisect_left(ordered, bound), _prefix_window(bound, bound.release[:-1], ordered)[1]
    if op in ("<=", "=="):
        lo = bisect_left(ordered, bound) if op == "==" else 0
        return lo, _past_locals(bound, bisect_right(ordered, bound), ordered)
    return 0, n


def _prefix_window(
    spec: Version, release: tuple[int, ...], ordered: Sequence[Version]
) -> tuple[int, int]:
    """Versions whose release starts with ``release`` (zero-padded): from ``X.dev0``, the
    least version of that release, up to the next release's ``.dev0``."""
    epoch = f"{spec.epoch}!" if spec.epoch else ""
    first = Version(epoch + ".".join(map(str, release)) + ".dev0")
    following = (*release[:-1], release[-1] + 1)
    after = Version(epoch + ".".join(map(str, following)) + ".dev0")
    return bisect_left(ordered, first), bisect_left(ordered, after)


def _past_locals(bound: Version, hi: int, ordered: Sequence[Version]) -> int:
    """``<=1.0`` and ``==1.0`` admit ``1.0+local``, which sorts just after ``1.0``."""
    public = Version(bound.public)
    while (
        hi < len(ordered)
        and ordered[hi].local is not None
        and (Version(ordered[hi].public) == public)
    ):
        hi += 1
    return hi

"""Paths that more than one distribution installs: the later distribution's file wins.

Real environments have them: ``pydantic-ai`` and ``pydantic-ai-slim`` both ship ``bin/pai``,
``fastapi`` and ``fastapi-cli`` both ship ``bin/fastapi``, ``dbt-core`` and ``dbt-adapters`` the
same ``dbt/include/__init__.py``. pip and uv overwrite; so does pipkey, through the journal: the
file already there is moved into the stash like an old version's, so a rollback (or the repair of
a killed run) puts it back.

"Later" is pip's install order: a distribution goes in after the ones it requires, so when two
wheels of one run write the same path, the file of the one that depends on the other is used
(``pydantic-ai``'s ``bin/pai``, not ``pydantic-ai-slim``'s); without such an edge, the order of
the plan decides. Both RECORDs list the path, as after pip.

Uninstalling one of them keeps a file that a distribution staying installed also lists (pip
deletes it and leaves the other one broken; ``pipkey check`` would then report it).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from pipkey.auth.errors import PipkeyError
from pipkey.install.commit.uninstall import listed
from pipkey.install.store.unpacked import Unpacked
from pipkey.resolve.candidates import Installed


@dataclass(frozen=True)
class Sharing:
    """Which wheel of a run writes each path several of them install."""

    skip: tuple[frozenset[str], ...]  # per wheel: paths a later wheel writes instead
    writers: dict[str, tuple[int, ...]]  # shared path → every wheel writing it, winner last


def share(
    names: Sequence[NormalizedName], wheels: Sequence[Unpacked], planned: Sequence[Sequence[str]]
) -> Sharing:
    """Set operations find the shared paths (none, usually); only those get their writers
    counted — a commit plans tens of thousands of paths."""
    seen: set[str] = set()
    shared: set[str] = set()
    repeats: list[Counter[str] | None] = []  # per wheel: paths it lists more than once
    for paths in planned:
        own = set(paths)
        again = Counter(paths) if len(own) != len(paths) else None
        if again is not None:
            shared.update(p for p, n in again.items() if n > 1)
        repeats.append(again)
        shared |= own & seen
        seen |= own
    if not shared:
        return Sharing(tuple(frozenset() for _ in planned), {})
    several: dict[str, list[int]] = {path: [] for path in shared}
    for index, paths in enumerate(planned):
        again = repeats[index]
        for path in shared.intersection(paths):
            several[path].extend([index] * (again[path] if again is not None else 1))
    skip: list[set[str]] = [set() for _ in planned]
    involved = sorted({i for found in several.values() for i in found})
    rank = _install_order(involved, names, wheels)
    shown: dict[str, tuple[int, ...]] = {}
    for path in sorted(several, key=lambda p: (several[p][0], p)):
        ordered = sorted(several[path], key=lambda i: (rank[i], i))
        for loser in ordered[:-1]:
            skip[loser].add(path)
        shown[path] = tuple(ordered)
    return Sharing(tuple(frozenset(s) for s in skip), shown)


def _install_order(
    involved: Sequence[int], names: Sequence[NormalizedName], wheels: Sequence[Unpacked]
) -> dict[int, int]:
    """Depth in the requirement graph among ``involved``: required ones come first."""
    by_name = {names[i]: i for i in involved}
    needs = {i: {by_name[n] for n in _requires(wheels[i]) if n in by_name} - {i} for i in involved}
    depth: dict[int, int] = {}

    def visit(i: int, seen: frozenset[int]) -> int:
        if i not in depth:
            below = [visit(j, seen | {i}) for j in needs[i] if j not in seen]
            depth[i] = 1 + max(below, default=-1)
        return depth[i]

    for i in involved:
        visit(i, frozenset())
    return depth


def _requires(wheel: Unpacked) -> set[NormalizedName]:
    try:
        text = (wheel.root / wheel.dist_info / "METADATA").read_text("utf-8", errors="replace")
    except OSError:
        return set()
    names = set()
    for line in HeaderParser().parsestr(text).get_all("Requires-Dist") or ():
        try:
            names.add(canonicalize_name(Requirement(line).name))
        except InvalidRequirement:
            continue
    return names


class Owners:
    """Which installed distribution lists a path in its RECORD; read only when asked (an
    upgrade or uninstall reads every RECORD once: path strings, no ``Path`` objects)."""

    def __init__(self, dists: Iterable[Installed]) -> None:
        self._dists = list(dists)
        self._owners: dict[str, Installed] | None = None

    def get(self, path: str | Path) -> Installed | None:
        if self._owners is None:
            self._owners = {}
            for dist in self._dists:
                try:
                    for entry in listed(dist):
                        self._owners.setdefault(entry, dist)
                except PipkeyError:
                    continue  # no RECORD: owns nothing pipkey can see
        return self._owners.get(str(path))


def label(dist: Installed) -> str:
    return f"{dist.raw_name or dist.name} {dist.version}"

"""What a commit changes: the candidates to install, the distributions they replace, and what
stays — worked out without the commit layer's machinery (a dry run plans, never links)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipkey.install.env.environment import Environment
from pipkey.resolve.candidates import Candidate, Installed


@dataclass(frozen=True)
class Plan:
    install: tuple[Candidate, ...]
    remove: tuple[Installed, ...]
    keep: tuple[Candidate, ...]


def make_plan(
    chosen: Sequence[Candidate],
    env: Environment,
    *,
    reinstall: bool | Callable[[str], bool] = False,
) -> Plan:
    """What to change; planned again under the lock, where a concurrent run may have done
    part of it already (same version now installed → nothing to do for that one).
    ``reinstall``: for all, or a predicate on the name (``--reinstall-package``)."""
    install, remove, keep = [], [], []
    for cand in chosen:
        current = env.installed.get(cand.name)
        same = current is not None and current.version == cand.version
        again = reinstall(cand.name) if callable(reinstall) else reinstall
        if cand.installed is not None or (same and not again and not cand.direct):
            keep.append(cand)
            continue
        install.append(cand)
        if current is not None:
            remove.append(current)
    return Plan(tuple(install), tuple(remove), tuple(keep))

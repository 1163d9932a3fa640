"""What the user allows the resolver to choose: upgrades, reinstalls, pre-releases, binaries or
sources. A light module (no resolvelib, no index client): the CLI builds it before anything
heavy is imported."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Policy:
    upgrade: bool = False
    reinstall: bool = False
    pre: bool = False
    no_deps: bool = False
    only_binary: frozenset[str] = frozenset()  # names, or ":all:" (pip/uv --only-binary)
    no_binary: frozenset[str] = frozenset()  # names, or ":all:" (pip/uv --no-binary)
    builds: bool = True  # False when no builder is available (download of sdists only)

    def sdist_ok(self, name: str) -> bool:
        return self.builds and not ({":all:", name} & self.only_binary)

    def wheel_ok(self, name: str) -> bool:
        return not ({":all:", name} & self.no_binary)

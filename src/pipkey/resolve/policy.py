"""What the user allows the resolver to choose: upgrades, reinstalls, pre-releases, binaries or
sources, which end of a range, how new. A light module (no resolvelib, no index client): the
CLI builds it before anything heavy is imported."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# uv's --prerelease modes; the default is uv's too.
PRERELEASE_MODES = ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
# uv's --resolution strategies.
RESOLUTIONS = ("highest", "lowest", "lowest-direct")


@dataclass(frozen=True)
class Policy:
    upgrade: bool = False
    reinstall: bool = False
    pre: bool = False  # pip's --pre: the same as --prerelease allow
    no_deps: bool = False
    only_binary: frozenset[str] = frozenset()  # names, or ":all:" (pip/uv --only-binary)
    no_binary: frozenset[str] = frozenset()  # names, or ":all:" (pip/uv --no-binary)
    builds: bool = True  # False when no builder is available (download of sdists only)
    prerelease: str = "if-necessary-or-explicit"
    resolution: str = "highest"
    exclude_newer: datetime | None = None  # files uploaded after this are left out (uv)
    upgrade_packages: frozenset[str] = frozenset()  # normalized names (-P / --upgrade-package)
    overrides: tuple[str, ...] = ()  # requirement lines that replace every other (--override)
    reinstall_packages: frozenset[str] = frozenset()  # normalized names (--reinstall-package)

    def reinstalls(self, name: str) -> bool:
        """``--reinstall`` for all, ``--reinstall-package P`` for P only (as uv)."""
        return self.reinstall or name in self.reinstall_packages

    def sdist_ok(self, name: str) -> bool:
        return self.builds and not ({":all:", name} & self.only_binary)

    def wheel_ok(self, name: str) -> bool:
        return not ({":all:", name} & self.no_binary)

    @property
    def prerelease_mode(self) -> str:
        return "allow" if self.pre else self.prerelease

    def upgrading(self, name: str) -> bool:
        return self.upgrade or name in self.upgrade_packages

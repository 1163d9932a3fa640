"""The environments a universal lock is made for: each supported Python minor version (from the
project's ``requires-python``) on each platform pipkey locks for — Linux (x86_64, aarch64),
macOS (arm64, x86_64) and Windows (AMD64) — as marker environments, no interpreter needed.

The lock resolves once per environment and merges (see :mod:`pipkey.install.universal`): a
package needed everywhere gets no marker, one needed in some environments gets the marker
that names exactly those (:func:`marker_for`). ``--python-version`` / ``--python-platform``
narrow the matrix; uv's target triples are accepted as platform names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.version import Version

from pipkey.index.target import Target
from pipkey.lock.model import LockError

PYTHONS = tuple(Version(f"3.{minor}") for minor in range(8, 15))


@dataclass(frozen=True)
class Platform:
    name: str  # as written in messages and accepted by --python-platform
    system: str  # sys_platform
    machine: str  # platform_machine
    platforms: tuple[str, ...]  # wheel platform tags, most preferred first

    @property
    def marker(self) -> str:
        return f"sys_platform == '{self.system}' and platform_machine == '{self.machine}'"

    def markers(self, python: Version, base: Mapping[str, str]) -> dict[str, str]:
        windows = self.system == "win32"
        return {
            **base,
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
            "python_version": f"{python.major}.{python.minor}",
            "python_full_version": f"{python.major}.{python.minor}.0",
            "sys_platform": self.system,
            "platform_system": {"linux": "Linux", "darwin": "Darwin", "win32": "Windows"}[
                self.system
            ],
            "platform_machine": self.machine,
            "os_name": "nt" if windows else "posix",
            "platform_release": "",
            "platform_version": "",
        }


def _linux(arch: str) -> tuple[str, ...]:
    many = [f"manylinux_2_{minor}_{arch}" for minor in range(39, 16, -1)]
    legacy = [f"manylinux2014_{arch}"]
    if arch == "x86_64":
        legacy += [f"manylinux_2_{m}_{arch}" for m in (12, 5)] + [
            f"manylinux2010_{arch}",
            f"manylinux1_{arch}",
        ]
    musl = [f"musllinux_1_{minor}_{arch}" for minor in (2, 1)]
    return (*many, *legacy, *musl, f"linux_{arch}")


PLATFORMS = (
    Platform("linux-x86_64", "linux", "x86_64", _linux("x86_64")),
    Platform("linux-aarch64", "linux", "aarch64", _linux("aarch64")),
    Platform("macos-arm64", "darwin", "arm64", tuple(mac_platforms((15, 0), "arm64"))),
    Platform("macos-x86_64", "darwin", "x86_64", tuple(mac_platforms((15, 0), "x86_64"))),
    Platform("windows-amd64", "win32", "AMD64", ("win_amd64",)),
)
# --python-platform spellings: pipkey's names, families, and uv's target triples.
ALIASES: Mapping[str, tuple[str, ...]] = {
    "linux": ("linux-x86_64", "linux-aarch64"),
    "macos": ("macos-arm64", "macos-x86_64"),
    "windows": ("windows-amd64",),
    "x86_64-unknown-linux-gnu": ("linux-x86_64",),
    "x86_64-manylinux_2_28": ("linux-x86_64",),
    "aarch64-unknown-linux-gnu": ("linux-aarch64",),
    "aarch64-apple-darwin": ("macos-arm64",),
    "x86_64-apple-darwin": ("macos-x86_64",),
    "x86_64-pc-windows-msvc": ("windows-amd64",),
    **{p.name: (p.name,) for p in PLATFORMS},
}


@dataclass(frozen=True)
class Environment:
    python: Version  # a minor version: 3.12
    platform: Platform
    target: Target

    @property
    def key(self) -> tuple[Version, str]:
        return (self.python, self.platform.name)

    def __str__(self) -> str:
        return f"Python {self.python} on {self.platform.name}"


def matrix(
    requires_python: str | None,
    base: Target,
    *,
    pythons: Sequence[Version] = (),
    platforms: Sequence[str] = (),
) -> list[Environment]:
    """Every (Python, platform) to lock for. Without ``requires-python`` the interpreter's
    minor version is the lowest (uv does the same, with a warning)."""
    spec = SpecifierSet(requires_python) if requires_python else None
    lowest = Version(f"{base.python_version.major}.{base.python_version.minor}")
    chosen = [v for v in (pythons or PYTHONS) if pythons or spec is not None or v >= lowest]
    if spec is not None:
        chosen = [v for v in chosen if spec.contains(f"{v}.0", prereleases=True)]
    if not chosen:
        raise LockError(
            f"no Python version to lock for: requires-python {requires_python or '(unset)'} "
            f"and --python-version {', '.join(map(str, pythons)) or '(unset)'} share none"
        )
    plats = _platforms(platforms)
    return [Environment(v, p, _target(v, p, base)) for v in chosen for p in plats]


def _platforms(names: Iterable[str]) -> list[Platform]:
    wanted: list[str] = []
    for name in names:
        if name.lower() not in ALIASES:
            known = ", ".join(sorted(ALIASES))
            raise LockError(f"unknown --python-platform {name!r} (known: {known})")
        wanted += [n for n in ALIASES[name.lower()] if n not in wanted]
    return [p for p in PLATFORMS if not wanted or p.name in wanted]


def _target(python: Version, platform: Platform, base: Target) -> Target:
    version = (python.major, python.minor)
    tags: list[Tag] = list(cpython_tags(version, platforms=list(platform.platforms)))
    tags += compatible_tags(version, f"cp{version[0]}{version[1]}", list(platform.platforms))
    return Target(tuple(tags), Version(f"{python}.0"), platform.markers(python, base.markers))


def marker_for(chosen: Iterable[Environment], every: Sequence[Environment]) -> str | None:
    """A marker true in exactly the environments ``chosen`` (of ``every``), None for all."""
    keys = {e.key for e in chosen}
    if keys >= {e.key for e in every}:
        return None
    pythons = sorted({e.python for e in every})
    plats = [p for p in PLATFORMS if any(e.platform == p for e in every)]
    by_pythons: dict[tuple[Version, ...], list[Platform]] = {}
    for plat in plats:
        on = tuple(v for v in pythons if (v, plat.name) in keys)
        if on:
            by_pythons.setdefault(on, []).append(plat)
    parts = []
    for on, where in by_pythons.items():
        py = _python_marker(list(on), pythons)
        pl = _platform_marker(where, plats)
        both = [m for m in (py, pl) if m]
        if len(both) == 2 and len(by_pythons) > 1:
            parts.append(f"({both[0]}) and ({both[1]})" if " or " in "".join(both) else
                         " and ".join(both))  # fmt: skip
        else:
            parts.append(" and ".join(f"({m})" if " or " in m else m for m in both))
    if len(parts) == 1:
        return parts[0]
    return " or ".join(f"({p})" for p in parts)


def _python_marker(on: list[Version], every: list[Version]) -> str | None:
    if on == every:
        return None
    start, end = every.index(on[0]), every.index(on[-1])
    if every[start : end + 1] == on:  # one contiguous run
        low = f"python_version >= '{on[0]}'" if start > 0 else ""
        high = f"python_version < '{every[end + 1]}'" if end + 1 < len(every) else ""
        if len(on) == 1 and low and high:
            return f"python_version == '{on[0]}'"
        return " and ".join(m for m in (low, high) if m)
    return " or ".join(f"python_version == '{v}'" for v in on)


def _platform_marker(where: list[Platform], every: list[Platform]) -> str | None:
    if where == every:
        return None
    parts = []
    for system in ("linux", "darwin", "win32"):
        mine = [p for p in where if p.system == system]
        theirs = [p for p in every if p.system == system]
        if mine and mine == theirs:
            parts.append(f"sys_platform == '{system}'")
        else:
            parts += [p.marker for p in mine]
    if len(parts) == 1:
        return parts[0]
    return " or ".join(f"({p})" if " and " in p else p for p in parts)


def environments_markers(done: Sequence[Environment]) -> list[str]:
    """PEP 751 ``environments``: one marker per platform locked for (with the Pythons it was
    locked for, when a platform was left out for some)."""
    pythons = sorted({e.python for e in done})
    out = []
    for plat in PLATFORMS:
        on = sorted(e.python for e in done if e.platform == plat)
        if on:
            py = _python_marker(on, pythons)
            out.append(plat.marker + (f" and ({py})" if py else ""))
    return out

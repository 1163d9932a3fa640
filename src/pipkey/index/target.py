"""The interpreter a resolution is for: its tags, Python version and marker environment.

Lives in the index layer because choosing files needs it; the install layer fills it in by
introspecting the real interpreter, ``download --python-version/--platform`` fills it in by hand.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from packaging.tags import Tag, compatible_tags, cpython_tags, generic_tags
from packaging.version import Version


@dataclass(frozen=True)
class Target:
    tags: tuple[Tag, ...]  # most preferred first
    python_version: Version  # full version, e.g. 3.11.7; requires-python is checked against it
    markers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def tag_rank(self) -> dict[Tag, int]:
        rank: dict[Tag, int] = {}
        for i, tag in enumerate(self.tags):
            rank.setdefault(tag, i)
        return rank

    @cached_property
    def _ranks(self) -> dict[frozenset[Tag], int]:
        return {}

    def wheel_rank(self, tags: frozenset[Tag]) -> int | None:
        """Lower is better; None when the wheel cannot be installed on this target.

        Memoized per tag set (-1: incompatible): a page's wheels share a few dozen tag sets
        (see ``parse_wheel_name``), and the answer for one set never changes."""
        rank = self._ranks.get(tags)
        if rank is None:
            ranks = [self.tag_rank[t] for t in tags if t in self.tag_rank]
            rank = self._ranks[tags] = min(ranks) if ranks else -1
        return None if rank < 0 else rank


_SYSTEMS = {
    "linux": ("linux", "Linux"),
    "manylinux": ("linux", "Linux"),
    "musllinux": ("linux", "Linux"),
    "win": ("win32", "Windows"),
    "macosx": ("darwin", "Darwin"),
}


def synthetic_target(
    base: Target,
    *,
    python_version: Version | None,
    platforms: Sequence[str] = (),
    implementation: str = "cp",
    abis: Sequence[str] = (),
) -> Target:
    """Tags and markers for another interpreter than any here (``download --python-version``).

    Unset parts come from ``base`` (the interpreter pipkey would otherwise use).
    """
    if python_version is None and not platforms and not abis:
        return base
    version = python_version or base.python_version
    major_minor = (version.major, version.minor)
    plats = list(platforms) or _platforms_of(base)
    interpreter = f"{implementation}{major_minor[0]}{major_minor[1]}"
    tags: list[Tag] = []
    if implementation == "cp":
        tags.extend(cpython_tags(major_minor, abis=list(abis) or None, platforms=plats))
    else:
        tags.extend(generic_tags(interpreter, abis=list(abis) or None, platforms=plats))
    tags.extend(compatible_tags(major_minor, interpreter, plats))
    markers = dict(base.markers)
    markers["python_version"] = f"{version.major}.{version.minor}"
    markers["python_full_version"] = str(version)
    if platforms:
        family = platforms[0].split("_", 1)[0]
        system = _SYSTEMS.get(family)
        if system is not None:
            markers["sys_platform"], markers["platform_system"] = system
        markers["platform_machine"] = _machine(platforms[0])
    return Target(tuple(tags), version, markers)


def parse_python_version(text: str) -> Version:
    """pip's ``--python-version`` forms: ``3``, ``3.12``, ``3.12.1``, or ``312`` without dots."""
    if re.fullmatch(r"\d+(\.\d+){0,2}", text) is None:
        raise ValueError(f"{text!r} is not a Python version (like 3, 3.12, 3.12.1 or 312)")
    return Version(text if "." in text or len(text) == 1 else f"{text[0]}.{text[1:]}")


def _platforms_of(base: Target) -> list[str]:
    seen: dict[str, None] = {}
    for tag in base.tags:
        if tag.platform != "any":
            seen.setdefault(tag.platform)
    return list(seen) or ["any"]


def _machine(platform: str) -> str:
    for arch in ("x86_64", "aarch64", "arm64", "i686", "ppc64le", "s390x", "amd64", "win32"):
        if platform.endswith(arch):
            return {"amd64": "AMD64", "win32": "x86"}.get(arch, arch)
    return ""

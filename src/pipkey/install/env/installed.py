"""Installed distributions as ``freeze``, ``show``, ``tree`` and ``list`` present them: their
core metadata, PEP 610 origin, RECORD, and the requires graph evaluated for the target's markers.

Read from the dist-info directories the environment's introspection found (plain files, so a
target of another Python version reads the same way); nothing here changes the environment.
"""

from __future__ import annotations

import csv
import email.parser
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from packaging.markers import UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import NormalizedName, canonicalize_name

from pipkey.install.env.environment import Environment
from pipkey.resolve.candidates import Installed
from pipkey.urlpath import url2pathname

# pip freeze leaves out its own tools (setuptools, wheel, distribute too before Python 3.12).
FREEZE_SKIP_ALWAYS = frozenset({canonicalize_name("pip")})
FREEZE_SKIP_BEFORE_312 = frozenset(map(canonicalize_name, ("setuptools", "wheel", "distribute")))


@dataclass(frozen=True)
class Dist:
    """One installed distribution and what its dist-info says."""

    installed: Installed

    @property
    def name(self) -> NormalizedName:
        return self.installed.name

    @property
    def display_name(self) -> str:
        return self.installed.raw_name or self.installed.name

    @property
    def dist_info(self) -> Path:
        return Path(self.installed.dist_info)

    @property
    def location(self) -> Path:
        return self.dist_info.parent

    @cached_property
    def metadata(self) -> Message:
        try:
            text = (self.dist_info / "METADATA").read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        return email.parser.Parser().parsestr(text, headersonly=True)

    def field(self, key: str) -> str:
        value = self.metadata.get(key)
        return "" if value is None else str(value)

    @property
    def homepage(self) -> str:
        """``Home-page``, else a ``Project-URL`` labelled homepage (as pip show)."""
        value = self.field("Home-page")
        if value:
            return value
        for entry in self.metadata.get_all("Project-URL") or []:
            label, _, url = str(entry).partition(",")
            if label.strip().lower().replace("-", "").replace("_", "") == "homepage":
                return url.strip()
        return ""

    @cached_property
    def origin(self) -> dict[str, object] | None:
        """direct_url.json (PEP 610), when the distribution came from a URL or a path."""
        if not self.installed.direct_url:
            return None
        try:
            data = json.loads(self.installed.direct_url)
        except ValueError:
            return None
        return data if isinstance(data, dict) and isinstance(data.get("url"), str) else None

    @property
    def editable_location(self) -> str | None:
        origin = self.origin
        if origin is None:
            return None
        dir_info = origin.get("dir_info")
        if not (isinstance(dir_info, dict) and dir_info.get("editable")):
            return None
        return _path_of(str(origin["url"]))

    def direct_reference(self) -> str | None:
        """``name @ url`` as PEP 440/508 spell a direct reference (PEP 610's recipe)."""
        origin = self.origin
        if origin is None or self.editable_location is not None:
            return None
        url = str(origin["url"])
        fragments: list[str] = []
        vcs = origin.get("vcs_info")
        archive = origin.get("archive_info")
        if isinstance(vcs, dict):
            url = f"{vcs.get('vcs')}+{url}@{vcs.get('commit_id')}"
        elif isinstance(archive, dict):
            hashes = archive.get("hashes")
            if isinstance(hashes, dict) and "sha256" in hashes:
                fragments.append(f"sha256={hashes['sha256']}")
            elif isinstance(archive.get("hash"), str):
                fragments.append(str(archive["hash"]))
        if isinstance(origin.get("subdirectory"), str):
            fragments.append(f"subdirectory={origin['subdirectory']}")
        return f"{self.display_name} @ {url}" + ("#" + "&".join(fragments) if fragments else "")

    def requirements(self, markers: Mapping[str, str]) -> list[Requirement]:
        """Requires-Dist entries that apply to the target without extras (what pip and uv
        count as a dependency of the installed distribution)."""
        out = []
        for text in self.installed.requires:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                continue
            try:
                applies = req.marker is None or req.marker.evaluate({**markers, "extra": ""})
            except UndefinedEnvironmentName:
                applies = False
            if applies:
                out.append(req)
        return out

    def files(self) -> list[str] | None:
        """RECORD's paths as written (relative to the location); None without a RECORD."""
        try:
            text = (self.dist_info / "RECORD").read_text(encoding="utf-8")
        except OSError:
            return None
        return [row[0] for row in csv.reader(text.splitlines()) if row]


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "file":
        return url
    return url2pathname(unquote(parts.path))


def dists(env: Environment) -> dict[NormalizedName, Dist]:
    return {
        canonicalize_name(name): Dist(installed)
        for name, installed in sorted(env.installed.items())
    }


@dataclass(frozen=True)
class Graph:
    """Who requires whom among the installed distributions, for one target's markers."""

    nodes: Mapping[NormalizedName, Dist]
    requires: Mapping[NormalizedName, tuple[NormalizedName, ...]]

    @classmethod
    def of(cls, nodes: Mapping[NormalizedName, Dist], markers: Mapping[str, str]) -> Graph:
        requires: dict[NormalizedName, tuple[NormalizedName, ...]] = {}
        for name, dist in nodes.items():
            wanted = []
            for req in dist.requirements(markers):
                dep = canonicalize_name(req.name)
                if dep in nodes and dep not in wanted and dep != name:
                    if req.specifier and nodes[dep].installed.version not in req.specifier:
                        continue  # uv draws no edge to a version the requirement excludes
                    wanted.append(dep)
            requires[name] = tuple(sorted(wanted))
        return cls(nodes, requires)

    def required_by(self, name: NormalizedName) -> list[NormalizedName]:
        return sorted(n for n, deps in self.requires.items() if name in deps)

    def reversed(self) -> Graph:
        inverse: dict[NormalizedName, list[NormalizedName]] = {n: [] for n in self.nodes}
        for name, deps in self.requires.items():
            for dep in deps:
                inverse[dep].append(name)
        return Graph(self.nodes, {n: tuple(sorted(v)) for n, v in inverse.items()})

    def roots(self) -> list[NormalizedName]:
        """Nodes nothing points at; in a cycle with no way in, its first member by name."""
        pointed = {dep for deps in self.requires.values() for dep in deps}
        roots = [n for n in self.nodes if n not in pointed]
        reached = set(self.reachable(roots))
        for name in sorted(self.nodes):
            if name not in reached:
                roots.append(name)
                reached |= self.reachable([name])
        return sorted(roots)

    def reachable(self, starts: Iterable[NormalizedName]) -> set[NormalizedName]:
        seen: set[NormalizedName] = set()
        stack = list(starts)
        while stack:
            name = stack.pop()
            if name not in seen:
                seen.add(name)
                stack.extend(self.requires.get(name, ()))
        return seen


def freeze_lines(
    env: Environment,
    *,
    include_all: bool = False,
    exclude_editable: bool = False,
    exclude: Iterable[str] = (),
) -> list[str]:
    """pip freeze's lines: ``Name==version``, ``Name @ url`` (PEP 610), editables as
    ``-e /path`` after pip's comment; sorted case-insensitively."""
    skip = {canonicalize_name(name) for name in exclude}
    if not include_all:
        skip |= FREEZE_SKIP_ALWAYS
        if (env.version.major, env.version.minor) < (3, 12):
            skip |= FREEZE_SKIP_BEFORE_312
    lines: list[str] = []
    for dist in sorted(dists(env).values(), key=lambda d: d.display_name.lower()):
        if dist.name in skip:
            continue
        editable = dist.editable_location
        if editable is not None:
            if exclude_editable:
                continue
            pinned = f"{dist.display_name}=={dist.installed.version}"
            lines += [f"# Editable install with no version control ({pinned})", f"-e {editable}"]
            continue
        lines.append(dist.direct_reference() or f"{dist.display_name}=={dist.installed.version}")
    return lines

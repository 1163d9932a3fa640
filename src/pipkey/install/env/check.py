"""``pipkey check``: is this environment whole? (pip's command name, a stricter answer)

Three kinds of problem: a distribution whose RECORD lists files that are gone; a requirement
that is missing or not satisfied by what is installed; and orphans — files or directories in
site-packages that no RECORD claims (what a killed installer leaves), plus a leftover journal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import UndefinedComparison, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from pipkey.auth.errors import PipkeyError
from pipkey.install.commit.journal import load
from pipkey.install.commit.journal_file import JournalError
from pipkey.install.commit.transaction import outside_roots
from pipkey.install.commit.uninstall import Bounds, record_paths
from pipkey.install.env.environment import JOURNAL_NAME, Environment
from pipkey.text import count

# Entries Python or venv make in site-packages that belong to no distribution.
_EXPECTED = frozenset({"__pycache__", "README.txt"})


@dataclass
class Report:
    missing_files: dict[str, list[str]] = field(default_factory=dict)  # dist → paths
    no_record: list[str] = field(default_factory=list)
    missing_requirements: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # dist → "req (have X)"
    orphans: list[str] = field(default_factory=list)
    interrupted: bool = False
    journal_problem: str | None = None  # a leftover journal pipkey refuses, with its recovery
    outside: dict[str, list[str]] = field(default_factory=dict)  # dist → RECORD entries

    @property
    def ok(self) -> bool:
        return not (
            self.missing_files
            or self.no_record
            or self.missing_requirements
            or self.conflicts
            or self.orphans
            or self.interrupted
            or self.outside
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "missing_files": self.missing_files,
            "without_record": self.no_record,
            "missing_requirements": self.missing_requirements,
            "conflicting_requirements": self.conflicts,
            "orphans": self.orphans,
            "interrupted_transaction": self.interrupted,
            "journal_problem": self.journal_problem,
            "record_entries_outside": self.outside,
        }

    def lines(self) -> list[str]:
        out: list[str] = []
        if self.journal_problem is not None:
            out.append(self.journal_problem)
        elif self.interrupted:
            out.append(
                "an interrupted pipkey run left a journal: the next install, uninstall or sync "
                "on this environment repairs it"
            )
        for dist, entries in self.outside.items():
            out.append(
                f"{dist}: RECORD lists {len(entries)} path(s) outside the environment "
                f"(never touched by pipkey): {', '.join(entries[:5])}"
            )
        for dist, paths in self.missing_files.items():
            shown = ", ".join(paths[:5]) + (f" (+{len(paths) - 5} more)" if len(paths) > 5 else "")
            out.append(f"{dist}: {count(len(paths), 'file')} listed in RECORD missing: {shown}")
        out += [f"{dist}: has no RECORD (installed by hand?)" for dist in self.no_record]
        for dist, reqs in self.missing_requirements.items():
            out += [f"{dist} requires {req}, which is not installed" for req in reqs]
        for dist, reqs in self.conflicts.items():
            out += [f"{dist} requires {req}" for req in reqs]
        out += [f"orphan: {path} (no installed distribution owns it)" for path in self.orphans]
        return out or ["no problems found"]


def check(env: Environment) -> Report:
    report = Report()
    base = env.target_dir or env.prefix
    report.interrupted = (base / JOURNAL_NAME).exists()
    roots = outside_roots(env.scheme(), base)
    if report.interrupted:
        try:
            load(base / JOURNAL_NAME, roots)
        except JournalError as exc:
            report.journal_problem = f"{exc}\n  to recover: {exc.recovery}"
    bounds = Bounds(base, roots)
    claimed: set[Path] = set()
    for dist in sorted(env.installed.values(), key=lambda d: d.name):
        label = f"{dist.raw_name or dist.name} {dist.version}"
        skipped: list[str] = []
        try:
            paths = record_paths(dist, bounds, skipped)
        except PipkeyError:
            report.no_record.append(label)
            claimed.add(Path(dist.dist_info))
            continue
        if skipped:
            report.outside[label] = skipped
        claimed.update(paths)
        claimed.add(Path(dist.dist_info))
        gone = [str(p) for p in paths if not p.exists() and p.suffix != ".pyc"]
        if gone:
            report.missing_files[label] = gone
        _requirements(env, dist.name, label, dist.requires, report)
    for directory in sorted({Path(env.paths["purelib"]), Path(env.paths["platlib"])}):
        report.orphans += _orphans(directory, claimed)
    return report


def _requirements(
    env: Environment, name: str, label: str, requires: tuple[str, ...], report: Report
) -> None:
    for text in requires:
        try:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({**env.markers, "extra": ""}):
                continue
        except (InvalidRequirement, UndefinedComparison, UndefinedEnvironmentName):
            continue
        have = env.installed.get(canonicalize_name(req.name))
        if have is None:
            report.missing_requirements.setdefault(label, []).append(str(req))
        elif req.specifier and not req.specifier.contains(have.version, prereleases=True):
            report.conflicts.setdefault(label, []).append(f"{req} (installed: {have.version})")


def _orphans(site: Path, claimed: set[Path]) -> list[str]:
    if not site.is_dir():
        return []
    inside = {p for c in claimed for p in (c, *c.parents) if site in p.parents}
    orphans = []
    for entry in sorted(site.iterdir()):
        if entry.name in _EXPECTED or entry.name.startswith(".pipkey"):
            continue
        if entry not in inside:
            orphans.append(str(entry))
    return orphans

"""Take a distribution out of an environment using its RECORD.

Files are moved into a stash first (same file system, so it is a rename) and only deleted when
the whole transaction commits; a failure puts them back.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipkey.auth.errors import PipkeyError
from pipkey.resolve.candidates import Installed


class UninstallError(PipkeyError):
    pass


@dataclass(frozen=True)
class Bounds:
    """Where an environment's files may be: under its root, or under a scheme directory that
    lies outside it (a system Python's site-packages). A RECORD naming anything else — an
    absolute path, ``../`` out of the root, a path through a symlink leading out — is not the
    distribution's to delete (uv skips such entries with a warning, and so does pipkey)."""

    base: Path
    roots: frozenset[Path] = frozenset()
    _real: dict[Path, bool] = field(default_factory=dict, compare=False, repr=False)

    def contains(self, path: Path) -> bool:
        if not any(path == r or r in path.parents for r in (self.base, *self.roots)):
            return False
        parent = path.parent
        known = self._real.get(parent)
        if known is None:
            real = Path(os.path.realpath(parent))
            targets = {Path(os.path.realpath(r)) for r in (self.base, *self.roots)}
            known = any(real == r or r in real.parents for r in targets)
            self._real[parent] = known
        return known


def record_paths(
    dist: Installed, bounds: Bounds | None = None, skipped: list[str] | None = None
) -> list[Path]:
    """Every file RECORD lists (plus the .pyc files Python made from its .py files); entries
    outside ``bounds`` are left out and noted in ``skipped``."""
    paths: list[Path] = []
    for path in listed_paths(dist, bounds, skipped):
        paths.append(path)
        if path.suffix == ".py":
            cache = path.parent / "__pycache__"
            if cache.is_dir():
                paths.extend(cache.glob(f"{path.stem}.*.pyc"))
    return paths


def listed_paths(
    dist: Installed, bounds: Bounds | None = None, skipped: list[str] | None = None
) -> list[Path]:
    """Every file RECORD lists, RECORD included (no file system access beyond reading it)."""
    dist_info = Path(dist.dist_info)
    record = dist_info / "RECORD"
    if not record.is_file():
        raise UninstallError(
            f"cannot uninstall {dist.raw_name or dist.name} {dist.version}: "
            f"no RECORD in {dist_info}"
        )
    base = dist_info.parent
    paths: list[Path] = []
    try:
        with record.open(newline="", encoding="utf-8", errors="surrogateescape") as fh:
            rows = list(csv.reader(fh))
    except (OSError, csv.Error) as exc:
        raise UninstallError(
            f"cannot read the RECORD of {dist.raw_name or dist.name} {dist.version}: {exc}"
        ) from None
    for row in rows:
        if not row or not row[0]:
            continue
        path = Path(os.path.normpath(base / row[0]))
        if bounds is not None and not bounds.contains(path):
            if skipped is not None:
                skipped.append(row[0])
            continue
        paths.append(path)
    if record not in paths:
        paths.append(record)
    return paths


def prune(dirs: set[Path], keep: frozenset[Path]) -> None:
    """Remove directories left empty, deepest first, stopping at the scheme directories."""
    for directory in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        current = directory
        while current.is_dir() and current not in keep and any(k in current.parents for k in keep):
            try:
                current.rmdir()
            except OSError:
                break
            current = current.parent

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
    _real: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def contains(self, path: str) -> bool:
        """``path``: normalised, absolute (strings: RECORDs list thousands of entries)."""
        tops = [str(r) for r in (self.base, *self.roots)]
        if not any(path == top or path.startswith(top.rstrip(os.sep) + os.sep) for top in tops):
            return False
        parent = os.path.dirname(path)
        known = self._real.get(parent)
        if known is None:
            real = os.path.realpath(parent)
            targets = [os.path.realpath(top) for top in tops]
            known = any(real == r or real.startswith(r.rstrip(os.sep) + os.sep) for r in targets)
            self._real[parent] = known
        return known


def record_paths(
    dist: Installed, bounds: Bounds | None = None, skipped: list[str] | None = None
) -> list[Path]:
    """Every file RECORD lists (plus the .pyc files Python made from its .py files); entries
    outside ``bounds`` are left out and noted in ``skipped``."""
    paths: list[Path] = []
    for path in listed(dist, bounds, skipped):
        paths.append(Path(path))
        if path.endswith(".py"):
            cache = os.path.join(os.path.dirname(path), "__pycache__")
            if os.path.isdir(cache):
                stem = os.path.basename(path)[:-3]
                paths.extend(Path(cache).glob(f"{stem}.*.pyc"))
    return paths


def listed(
    dist: Installed, bounds: Bounds | None = None, skipped: list[str] | None = None
) -> list[str]:
    """Every file RECORD lists, RECORD included, as normalised absolute path strings (no file
    system access beyond reading it)."""
    dist_info = Path(dist.dist_info)
    record = dist_info / "RECORD"
    if not record.is_file():
        raise UninstallError(
            f"cannot uninstall {dist.raw_name or dist.name} {dist.version}: "
            f"no RECORD in {dist_info}"
        )
    base = str(dist_info.parent)
    try:
        with record.open(newline="", encoding="utf-8", errors="surrogateescape") as fh:
            rows = list(csv.reader(fh))
    except (OSError, csv.Error) as exc:
        raise UninstallError(
            f"cannot read the RECORD of {dist.raw_name or dist.name} {dist.version}: {exc}"
        ) from None
    paths: list[str] = []
    for row in rows:
        if not row or not row[0]:
            continue
        path = os.path.normpath(os.path.join(base, row[0]))
        if bounds is not None and not bounds.contains(path):
            if skipped is not None:
                skipped.append(row[0])
            continue
        paths.append(path)
    own = str(record)
    if own not in paths:
        paths.append(own)
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

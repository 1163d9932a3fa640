"""Take a distribution out of an environment using its RECORD.

Files are moved into a stash first (same file system, so it is a rename) and only deleted when
the whole transaction commits; a failure puts them back.
"""

from __future__ import annotations

import csv
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from pipkey.auth.errors import PipkeyError
from pipkey.resolve.candidates import Installed


class UninstallError(PipkeyError):
    pass


def record_paths(dist: Installed) -> list[Path]:
    """Every file RECORD lists (plus the .pyc files Python made from its .py files)."""
    paths: list[Path] = []
    for path in listed_paths(dist):
        paths.append(path)
        if path.suffix == ".py":
            cache = path.parent / "__pycache__"
            if cache.is_dir():
                paths.extend(cache.glob(f"{path.stem}.*.pyc"))
    return paths


def listed_paths(dist: Installed) -> list[Path]:
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
    with record.open(newline="", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            if row and row[0]:
                paths.append(Path(os.path.normpath(base / row[0])))
    if record not in paths:
        paths.append(record)
    return paths


@dataclass
class Stash:
    """Removed files, held aside until commit (delete) or rollback (restore)."""

    root: Path
    keep: frozenset[Path] = frozenset()  # scheme directories: never pruned even when empty
    moved: list[tuple[Path, Path]] = field(default_factory=list)

    def remove(self, dist: Installed) -> int:
        count = 0
        for path in record_paths(dist):
            if not path.exists() and not path.is_symlink():
                continue
            hidden = self.root / str(len(self.moved))
            os.replace(path, hidden) if _same_fs(path, self.root) else shutil.move(path, hidden)
            self.moved.append((path, hidden))
            count += 1
        prune({p.parent for p, _ in self.moved} | {Path(dist.dist_info)}, self.keep)
        return count

    def restore(self) -> None:
        for original, hidden in reversed(self.moved):
            original.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(hidden, original)
        self.moved.clear()

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)
        self.moved.clear()


def _same_fs(a: Path, b: Path) -> bool:
    try:
        return a.lstat().st_dev == b.stat().st_dev
    except OSError:
        return False


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

"""``pipkey cache dir|info|clean|prune``: what the cache holds, and removing it safely.

Only pipkey's own buckets under the cache root are ever removed (never the root itself, nor
anything else a mistaken ``--cache-dir`` points at), and ``prune`` leaves alone in-flight
downloads younger than an hour: another run may be writing them right now.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from pipkey.install.store.unpacked import MANIFEST

BUCKETS = {
    "wheels-v1": "downloaded wheels",
    "built-v1": "wheels built from source",
    "unpacked-v1": "unpacked wheels",
    "metadata-v1": "wheel metadata",
    "pages-v1": "index pages",
    "parsed-v1": "parsed index pages",
    "locks-v1": "parsed lock files",
    "interpreters-v1": "interpreter facts",
    "auth-hints-v1": "indexes to look credentials up ahead for",
    "tmp": "downloads in flight",
}
IN_FLIGHT_SECONDS = 3600


@dataclass(frozen=True)
class Usage:
    bucket: str
    files: int
    size: int


@dataclass(frozen=True)
class Removed:
    files: int = 0
    size: int = 0

    def __add__(self, other: Removed) -> Removed:
        return Removed(self.files + other.files, self.size + other.size)

    def describe(self) -> str:
        noun = "file" if self.files == 1 else "files"
        return f"Removed {self.files} {noun} ({human_size(self.size)})"


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _walk(path: Path) -> Iterable[Path]:
    if path.is_file() or path.is_symlink():
        yield path
        return
    for dirpath, _dirs, files in os.walk(path):
        for name in files:
            yield Path(dirpath) / name


def _measure(path: Path) -> Removed:
    files = size = 0
    for item in _walk(path):
        try:
            size += item.lstat().st_size
        except OSError:
            continue
        files += 1
    return Removed(files, size)


def info(root: Path) -> list[Usage]:
    return [Usage(b, *_fields(_measure(root / b))) for b in BUCKETS if (root / b).exists()]


def _fields(removed: Removed) -> tuple[int, int]:
    return removed.files, removed.size


def _remove(path: Path) -> Removed:
    measured = _measure(path)
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return measured


def clean(root: Path, packages: Iterable[str] = ()) -> Removed:
    """Every bucket, or only the wheels (downloaded, built, unpacked) of ``packages``."""
    names = {canonicalize_name(p) for p in packages}
    removed = Removed()
    if not names:
        for bucket in BUCKETS:
            if (root / bucket).exists():
                removed += _remove(root / bucket)
        return removed
    for bucket in ("wheels-v1", "built-v1", "unpacked-v1"):
        base = root / bucket
        if not base.is_dir():
            continue
        for entry in base.glob("*/*/*"):
            if any(_project_of(filename) in names for filename in _filenames(entry)):
                removed += _remove(entry)
    return removed


def _filenames(entry: Path) -> list[str]:
    """The wheel (or sdist) file names an entry is about: its files, or an unpacked entry's
    manifest."""
    manifest = entry / MANIFEST
    if manifest.is_file():
        import json

        try:
            return [str(json.loads(manifest.read_text(encoding="utf-8"))["filename"])]
        except (OSError, ValueError, KeyError, TypeError):
            return []
    return [item.name for item in entry.iterdir()]


def _project_of(filename: str) -> str:
    """A wheel or sdist file name's project, normalized (wheel names escape '-' as '_')."""
    stem = filename.split("-", 1)[0]
    return canonicalize_name(stem)


def prune(root: Path, *, now: float | None = None) -> Removed:
    """Leftovers only: in-flight files over an hour old, temp names, interpreter facts whose
    interpreter is gone, and directories left empty."""
    now = time.time() if now is None else now
    removed = Removed()
    tmp = root / "tmp"
    if tmp.is_dir():
        for entry in tmp.iterdir():
            if now - entry.lstat().st_mtime > IN_FLIGHT_SECONDS:
                removed += _remove(entry)
    for bucket in ("wheels-v1", "built-v1", "unpacked-v1"):
        base = root / bucket
        if base.is_dir():
            for item in list(base.rglob(".tmp-*")):
                if now - item.lstat().st_mtime > IN_FLIGHT_SECONDS:
                    removed += _remove(item)
    facts = root / "interpreters-v1"
    if facts.is_dir():
        import json

        for item in facts.glob("*.json"):
            try:
                executable = json.loads(item.read_text(encoding="utf-8")).get("executable")
            except (OSError, ValueError, AttributeError):
                executable = None
            if not isinstance(executable, str) or not os.path.exists(executable):
                removed += _remove(item)
    for bucket in BUCKETS:
        base = root / bucket
        if base.is_dir():
            for dirpath, _dirs, _files in sorted(os.walk(base), reverse=True):
                if Path(dirpath) != base and not os.listdir(dirpath):
                    os.rmdir(dirpath)
    return removed

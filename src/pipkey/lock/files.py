"""Which lock file a project means, and reading it: uv.lock or PEP 751 pylock.toml."""

from __future__ import annotations

from pathlib import Path

from pipkey.lock.model import Lock, LockError
from pipkey.lock.pylock import is_pylock, read_pylock
from pipkey.lock.uvlock import read_uv_lock


def find_lock(given: Path | None, cwd: Path) -> Path:
    """The lock named, else the project's ``uv.lock`` or ``pylock.toml``. With both there,
    pipkey refuses to guess: either may be the stale one (docs/lock-files.md)."""
    if given is not None:
        if not given.is_file():
            raise LockError(f"{given}: no such lock file")
        return given
    for parent in (cwd, *cwd.parents):
        found = [parent / n for n in ("uv.lock", "pylock.toml") if (parent / n).is_file()]
        if len(found) == 2:
            raise both_locks(parent)
        if found:
            return found[0]
        if (parent / "pyproject.toml").is_file():
            break
    raise LockError(f"no uv.lock or pylock.toml in {cwd} (name one: pipkey sync FILE)")


def both_locks(directory: Path) -> LockError:
    return LockError(
        f"{directory} has both uv.lock and pylock.toml, and pipkey does not guess which is "
        "current: name one (pipkey sync uv.lock, or pipkey sync pylock.toml)"
    )


def read_lock(path: Path, cache_dir: Path | None = None) -> Lock:
    if path.name == "uv.lock":
        return read_uv_lock(path, cache_dir)
    if is_pylock(path):
        return read_pylock(path)
    raise LockError(
        f"{path}: not a lock pipkey knows (uv.lock, pylock.toml, pylock.NAME.toml); "
        "for requirements files use `pipkey sync requirements.txt`"
    )

"""Downloaded wheels, keyed by their sha256 — never by URL, so no credential can end up here.

Layout: ``<cache>/wheels-v1/<aa>/<bb>/<sha256>/<filename>``. An entry is written to a temp
name and renamed into place, so a crash never leaves a half file under a valid key.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def default_cache_dir() -> Path:
    """platformdirs' user cache dir; on Linux computed as it does (``$XDG_CACHE_HOME`` or
    ``~/.cache``, then ``pipkey``) without importing it: 18 ms of every run's start-up."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "").strip()
        if not os.path.isabs(base):  # the XDG spec: a relative path is ignored
            base = os.path.expanduser("~/.cache")
        return Path(base) / "pipkey"
    import platformdirs

    return Path(platformdirs.user_cache_dir("pipkey"))


STAGING_LOCK = ".in-use"
STAGING_GRACE = 60.0  # seconds: a directory this young may not have its lock yet
_HELD: dict[Path, int] = {}


def sweep_dead_staging(parent: Path) -> None:
    """Remove staging directories under ``parent`` whose run is gone (their lock is free)."""
    try:
        children = list(parent.iterdir())
    except OSError:
        return
    for child in children:
        if child in _HELD or not child.is_dir():
            continue
        try:
            fd = os.open(child / STAGING_LOCK, os.O_RDONLY)
        except FileNotFoundError:
            with contextlib.suppress(OSError):
                if time.time() - child.stat().st_mtime > STAGING_GRACE:
                    shutil.rmtree(child, ignore_errors=True)
            continue
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a live run's
        else:
            shutil.rmtree(child, ignore_errors=True)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class WheelCache:
    root: Path

    def _dir(self, sha256: str) -> Path:
        return self.root / "wheels-v1" / sha256[:2] / sha256[2:4] / sha256

    def get(self, sha256: str, filename: str) -> Path | None:
        path = self._dir(sha256) / filename
        return path if path.is_file() else None

    def discard(self, path: Path) -> None:
        """Drop an entry whose content no longer matches its key (a damaged disk, a stray edit)."""
        path.unlink(missing_ok=True)

    def put(self, path: Path, sha256: str, filename: str) -> Path:
        """Move a verified download in (or copy, across file systems); return the cached path."""
        dest_dir = self._dir(sha256)
        dest_dir.mkdir(parents=True, exist_ok=True)
        final = dest_dir / filename
        if final.is_file():
            path.unlink(missing_ok=True)
            return final
        fd, tmp = tempfile.mkstemp(dir=dest_dir, prefix=".tmp-")
        os.close(fd)
        try:
            shutil.move(str(path), tmp)
            os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return final

    def staging(self) -> Path:
        """A directory on the cache's file system for downloads in flight (renames stay cheap).

        It holds a lock for as long as this process lives; directories of runs that died
        (SIGKILL, power loss: their ``.part`` downloads) are swept here first."""
        parent = self.root / "tmp"
        parent.mkdir(parents=True, exist_ok=True)
        sweep_dead_staging(parent)
        made = Path(tempfile.mkdtemp(dir=parent))
        fd = os.open(made / STAGING_LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _HELD[made] = fd  # released when the process ends, however it ends
        return made


@dataclass(frozen=True)
class BuiltCache:
    """Wheels built from sdists, keyed by the sdist's sha256: a second install does not build.

    ``<cache>/built-v1/<aa>/<bb>/<sdist sha256>/<wheel>``, moved in under a temporary name."""

    root: Path

    def _dir(self, sha256: str) -> Path:
        return self.root / "built-v1" / sha256[:2] / sha256[2:4] / sha256

    def get(self, sha256: str) -> Path | None:
        entry = self._dir(sha256)
        wheels = sorted(entry.glob("*.whl")) if entry.is_dir() else []
        return wheels[0] if wheels else None

    def put(self, sha256: str, wheel: Path) -> Path:
        entry = self._dir(sha256)
        entry.mkdir(parents=True, exist_ok=True)
        final = entry / wheel.name
        fd, tmp = tempfile.mkstemp(dir=entry, prefix=".tmp-", suffix=".part")
        os.close(fd)
        try:
            shutil.move(str(wheel), tmp)
            os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return final

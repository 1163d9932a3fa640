"""Unpack a source distribution safely (no path may leave the target directory)."""

from __future__ import annotations

import tarfile
import zipfile
from pathlib import Path, PurePosixPath

from pipkey.build.errors import BuildError


def unpack_sdist(archive: Path, dest: Path) -> Path:
    """Extract ``archive`` into ``dest``; return the project directory inside it."""
    dest.mkdir(parents=True, exist_ok=True)
    try:
        if archive.name.endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                for name in zf.namelist():
                    path = PurePosixPath(name)
                    if path.is_absolute() or ".." in path.parts:
                        raise BuildError(f"{archive.name}: unsafe path {name!r} in the archive")
                zf.extractall(dest)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(dest, filter="data")
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BuildError(f"{archive.name} cannot be unpacked: {exc}") from None
    entries = [p for p in dest.iterdir() if p.is_dir()]
    if len(entries) == 1 and not (dest / "pyproject.toml").exists():
        return entries[0]
    return dest

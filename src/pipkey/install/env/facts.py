"""What an interpreter is — its version, tags, markers, install paths — remembered per
interpreter file, so that a run does not start a subprocess to ask it again (~50-100 ms: most of
an already-satisfied ``pipkey install``).

Keyed by the interpreter's path as given (a venv's ``bin/python`` is a symlink to its base, and
the venv decides ``sys.prefix``), where the symlink points, the real binary's identity (inode,
size, mtime) and the *content* of the venv's ``pyvenv.cfg``: upgrading the Python, pointing the
symlink elsewhere or recreating the venv with other options gives a new key, while a venv
recreated as it was (CI, Docker, bench: ``rm -rf .venv && python -m venv .venv``) keeps it —
its facts are the same, as uv, which keys interpreter info by path and binary, also finds.
Installed distributions are never cached: they are read in-process on every run. Facts hold
no secret; entries are written atomically.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

_FORMAT = "2"


def _identity(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path}:-"
    return f"{path}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}"


def _link(path: Path) -> str:
    """Where a symlink points (a copied binary: its own identity, new with each copy)."""
    try:
        return f"{path}->{os.readlink(path)}"
    except OSError:
        return _identity(path)


def _content(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return "-"


def key(executable: str, target_dir: Path | None) -> str:
    exe = Path(os.path.abspath(executable))
    parts = [
        _FORMAT,
        str(target_dir or ""),
        _link(exe),
        _identity(exe),
        _content(exe.parent.parent / "pyvenv.cfg"),
    ]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _path(cache_dir: Path, executable: str, target_dir: Path | None) -> Path:
    return cache_dir / "interpreters-v1" / f"{key(executable, target_dir)}.json"


def known(cache_dir: Path, executable: str, target_dir: Path | None) -> bool:
    """Whether :func:`load` will likely answer (so introspection costs no subprocess)."""
    return _path(cache_dir, executable, target_dir).is_file()


def load(cache_dir: Path, executable: str, target_dir: Path | None) -> dict[str, Any] | None:
    try:
        data = json.loads(_path(cache_dir, executable, target_dir).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def store(cache_dir: Path, executable: str, target_dir: Path | None, facts: dict[str, Any]) -> None:
    """Best effort: a read-only or full cache only costs the next run its subprocess."""
    path = _path(cache_dir, executable, target_dir)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "w") as out:
            json.dump(facts, out)
        os.replace(tmp, path)
    except OSError:
        return

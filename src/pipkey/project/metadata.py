"""Requirements a project's build backend reported, kept between runs.

Keyed as uv keys a source tree's metadata: the tree's path and the content of its cache-key
files (``tool.uv.cache-keys``; by default pyproject.toml, setup.py and setup.cfg) — so a
``dynamic = ["dependencies"]`` project is built once for ``--locked``, not on every ``sync``,
and again as soon as one of those files changes.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from pipkey.project.pyproject import Pyproject

_DIR = "project-metadata-v1"


def metadata_key(project: Pyproject) -> str:
    digest = hashlib.sha256(str(project.directory.resolve()).encode())
    for pattern in project.uv.cache_keys:
        for path in sorted(project.directory.glob(pattern)):
            if path.is_file():
                digest.update(f"\0{path.relative_to(project.directory)}\0".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_requires(cache_root: Path, project: Pyproject) -> tuple[str, ...] | None:
    path = cache_root / _DIR / f"{metadata_key(project)}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    requires = data.get("requires_dist") if isinstance(data, dict) else None
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        return None
    return tuple(requires)


def store_requires(cache_root: Path, project: Pyproject, requires: tuple[str, ...]) -> None:
    """Best effort: a cache that cannot be written costs a build next time, nothing more."""
    folder = cache_root / _DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"requires_dist": list(requires)}, out)
        os.replace(tmp, folder / f"{metadata_key(project)}.json")
    except OSError:
        return

"""When is the wheel built from a local project still the one a new build would make?

uv's answer, which pipkey follows: when the project's *cache keys* are unchanged — by default
``pyproject.toml``, ``setup.py`` and ``setup.cfg`` (which also hold the backend and its
requirements), or the list in ``[tool.uv] cache-keys`` (``{ file = GLOB }``,
``{ dir = PATH }``, ``{ git = { commit = true, tags = true } }``, ``{ env = NAME }``). pipkey
hashes the files' contents rather than their mtimes (a checkout that restores a file keeps the
cache; a touch alone does not rebuild), and adds what uv keys by elsewhere: the project's real
path, editable or not, the build's config settings and the interpreter it builds for.

The key is one sha256 over all of that: no path, value or secret is readable from it.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tomllib
from collections.abc import Mapping
from pathlib import Path

DEFAULT_KEYS: tuple[dict[str, object], ...] = (
    {"file": "pyproject.toml"},
    {"file": "setup.py"},
    {"file": "setup.cfg"},
)
_FORMAT = "pipkey-tree-key-v1"


def interpreter_identity(python: str) -> str:
    """The interpreter a venv's ``python`` resolves to, and its file's identity: a new venv of
    the same Python shares built wheels; another Python (or a rebuilt one) does not."""
    real = os.path.realpath(python)
    try:
        st = os.stat(real)
    except OSError:
        return real
    return f"{real}\0{st.st_size}\0{st.st_mtime_ns}"


def tree_key(
    source: Path,
    *,
    editable: bool,
    interpreter: str,
    config_settings: Mapping[str, str | list[str]] | None = None,
    environ: Mapping[str, str] | None = None,
) -> str:
    root = Path(os.path.realpath(source))
    digest = hashlib.sha256()

    def feed(*parts: object) -> None:
        for part in parts:
            digest.update(str(part).encode("utf-8", "surrogateescape"))
            digest.update(b"\0")

    settings = json.dumps(dict(config_settings or {}), sort_keys=True)
    feed(_FORMAT, root, editable, interpreter, settings)
    env = os.environ if environ is None else environ
    for entry in cache_keys(root):
        feed("entry", json.dumps(entry, sort_keys=True, default=str))
        if isinstance(file := entry.get("file"), str):
            for path in _matches(root, file):
                feed(path.relative_to(root), _content(path))
        elif isinstance(folder := entry.get("dir"), str):
            feed(_mtime(root / folder))
        elif isinstance(git := entry.get("git"), dict | bool):
            feed(_git(root, git))
        elif isinstance(name := entry.get("env"), str):
            feed(env.get(name, "\0unset"))
    return digest.hexdigest()


def cache_keys(root: Path) -> tuple[Mapping[str, object], ...]:
    """``[tool.uv] cache-keys`` when the project sets it (a bare string counts as a file),
    else uv's defaults."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return DEFAULT_KEYS
    tool = data.get("tool")
    uv = tool.get("uv") if isinstance(tool, dict) else None
    keys = uv.get("cache-keys") if isinstance(uv, dict) else None
    if not isinstance(keys, list):
        return DEFAULT_KEYS
    out: list[Mapping[str, object]] = []
    for key in keys:
        if isinstance(key, str):
            out.append({"file": key})
        elif isinstance(key, dict):
            out.append(key)
    return tuple(out)


def _matches(root: Path, pattern: str) -> list[Path]:
    if not any(ch in pattern for ch in "*?["):
        path = root / pattern
        return [path] if path.is_file() else []
    return sorted(p for p in root.glob(pattern) if p.is_file())


def _content(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError:
        return "\0unreadable"


def _mtime(path: Path) -> str:
    try:
        return str(os.stat(path).st_mtime_ns)
    except OSError:
        return "\0missing"


def _git(root: Path, spec: Mapping[str, object] | bool) -> str:
    wants = spec if isinstance(spec, Mapping) else {"commit": bool(spec)}
    parts = []
    if wants.get("commit"):
        parts.append(_run_git(root, "rev-parse", "HEAD"))
    if wants.get("tags"):
        parts.append(_run_git(root, "tag", "--points-at", "HEAD"))
    return "\0".join(parts)


def _run_git(root: Path, *args: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "\0no-git"
    return proc.stdout.strip() if proc.returncode == 0 else "\0no-git"

"""``uv_cache.json``: how uv tells that an installed local project is still fresh.

``uv sync`` reinstalls a project installed from a directory (the editable project itself, path
dependencies) unless its dist-info holds ``uv_cache.json`` matching the tree's cache keys now
(``Requirement installed, but not fresh``). pipkey writes the same record, so a ``uv sync``
after a ``pipkey sync`` has nothing to do. Format as uv 0.13 writes it: ``timestamp`` — the
newest *ctime* of the key files (uv's ``Timestamp`` on Unix); ``commit``/``tags``; ``env``;
``directories`` — each key directory's creation time (``statx`` birth time; its inode where the
file system keeps none), ``null`` when missing. uv's default keys are ``pyproject.toml``,
``setup.py``, ``setup.cfg`` and the directory ``src``.

Written only when every key can be stated exactly: a set environment variable (its value would
sit in site-packages) or ``git`` tags leave the file out, and uv then rebuilds, as it would for
an install by another tool.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from pipkey.build.tree_key import DEFAULT_KEYS, cache_keys

UV_DEFAULT_KEYS: tuple[Mapping[str, object], ...] = (*DEFAULT_KEYS, {"dir": "src"})


def uv_cache_info(tree: Path) -> bytes | None:
    keys = cache_keys(tree)
    if keys is DEFAULT_KEYS:
        keys = UV_DEFAULT_KEYS
    newest: int | None = None
    commit: str | None = None
    env: dict[str, None] = {}
    directories: dict[str, dict[str, int] | int | None] = {}
    for key in keys:
        if isinstance(name := key.get("file"), str):
            for path in _files(tree, name):
                ctime = _ctime_ns(path)
                if ctime is not None and (newest is None or ctime > newest):
                    newest = ctime
        elif isinstance(folder := key.get("dir"), str):
            path = tree / folder
            if not path.is_dir():
                directories[folder] = None
                continue
            born = _birth(path)
            if born is None:
                return None
            directories[folder] = born
        elif isinstance(git := key.get("git"), dict | bool):
            wants = git if isinstance(git, dict) else {"commit": git}
            if wants.get("tags"):
                return None
            if wants.get("commit"):
                commit = _head(tree)
        elif isinstance(variable := key.get("env"), str):
            if variable in os.environ:
                return None
            env[variable] = None
        else:
            return None
    record = {
        "timestamp": None if newest is None else _timestamp(newest),
        "commit": commit,
        "tags": None,
        "env": env,
        "directories": directories,
    }
    return json.dumps(record, separators=(",", ":")).encode()


def _files(tree: Path, pattern: str) -> list[Path]:
    if not any(ch in pattern for ch in "*?["):
        path = tree / pattern
        return [path] if path.is_file() else []
    return sorted(p for p in tree.glob(pattern) if p.is_file())


def _ctime_ns(path: Path) -> int | None:
    try:
        return os.stat(path).st_ctime_ns
    except OSError:
        return None


_STATX_BTIME = 0x800
_AT_FDCWD = -100


def _birth(path: Path) -> dict[str, int] | int | None:
    """A directory's creation time as uv reads it (Rust's ``Metadata::created``: ``statx``),
    or its inode when the file system records no birth time; None if neither can be read."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        buf = ctypes.create_string_buffer(256)
        if libc.statx(_AT_FDCWD, os.fsencode(path), 0, _STATX_BTIME, buf) != 0:
            return None
    except (OSError, AttributeError):
        return None
    raw = buf.raw
    mask = int.from_bytes(raw[0:4], "little")
    if mask & _STATX_BTIME:
        seconds = int.from_bytes(raw[80:88], "little", signed=True)
        nanos = int.from_bytes(raw[88:92], "little")
        return _timestamp(seconds * 1_000_000_000 + nanos)
    return int.from_bytes(raw[32:40], "little")


def _timestamp(ns: int) -> dict[str, int]:
    return {"secs_since_epoch": ns // 1_000_000_000, "nanos_since_epoch": ns % 1_000_000_000}


def _head(tree: Path) -> str | None:
    try:
        proc = subprocess.run(
            ["git", "-C", str(tree), "rev-parse", "HEAD"],
            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() or None if proc.returncode == 0 else None

"""Which of a commit's target directories and files exist, and making the missing directories.

A fresh environment has almost none of them: a path whose directory is missing is missing too,
so the check costs one ``stat`` per directory (1,200 for the 8,000 files of a flask sync), and a
file is ``lstat``-ed only where its directory exists. The missing directories are then made
once, parents first (sorted order puts a directory before everything under it), instead of one
``makedirs`` (a ``stat`` and a ``mkdir`` per level) per directory per wheel.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from concurrent.futures import Executor

if os.sep == "/" and os.altsep is None:

    def parent(path: str) -> str:
        """``os.path.dirname`` of a normalised absolute path, a tenth of its cost (a commit
        asks for ~60,000 of them: fastapi's lock is 30,000 files)."""
        return path[: path.rfind("/")] or "/"

else:

    def parent(path: str) -> str:
        return os.path.dirname(path)


class Tree:
    """Memoised ``isdir`` of target directories (``str`` paths) and of their parents."""

    def __init__(self) -> None:
        self._dirs: dict[str, bool] = {}
        self.directories: list[str] = []  # the parents of what existing() was asked about

    def is_dir(self, directory: str) -> bool:
        known = self._dirs.get(directory)
        if known is None:
            up = parent(directory)
            known = (up == directory or self.is_dir(up)) and os.path.isdir(directory)
            self._dirs[directory] = known
        return known

    def existing(self, paths: Sequence[str]) -> list[str]:
        """Those of ``paths`` that exist (as anything: ``lexists``), in their order."""
        by_dir: dict[str, list[str]] = {}
        for path in paths:
            directory = parent(path)
            files = by_dir.get(directory)
            if files is None:
                by_dir[directory] = [path]
            else:
                files.append(path)
        self.directories = list(by_dir)
        found: set[str] = set()
        for directory, files in by_dir.items():
            if self.is_dir(directory):
                found.update(p for p in files if os.path.lexists(p))
        return [p for p in paths if p in found] if found else []

    def journaled(self, paths: Sequence[str]) -> list[str]:
        """What a journal must list for a rollback to remove ``paths`` once they are made:
        each missing directory whose parent exists (the top of a new subtree — everything
        under it is this commit's, so removing it removes them), then each path whose
        directory already exists. A fresh venv's 8,000 files become ~100 entries: the
        journal's encoding and fsync no longer grow with the file count. Call after
        :meth:`existing` was asked about ``paths``."""
        known = self._dirs
        tops = sorted(
            d for d, there in known.items()
            if not there and known.get(parent(d), True)
        )  # fmt: skip
        return tops + [p for p in paths if known.get(parent(p), True)]

    def missing(self, directories: Iterable[str]) -> list[str]:
        """Every directory that must be made for ``directories`` to exist, parents first."""
        for directory in directories:
            self.is_dir(directory)
        return sorted(d for d, there in self._dirs.items() if not there)


# Below this many directories a pool costs more than it saves.
POOL_FROM_DIRS = 64


def make_dirs(directories: Sequence[str]) -> None:
    """Make ``directories`` (sorted: parents first), each missing one with one ``mkdir``."""
    make_missing(Tree().missing(directories))


def make_missing(missing: list[str], pool: Executor | None = None) -> None:
    """Make ``missing`` (sorted, parents first, as :meth:`Tree.missing` lists them).

    A ``mkdir`` is kernel CPU time (0.2-0.7 ms each on the bench VM's ext4: a fresh venv's
    ~1,000 directories cost more than linking its ~3,500 files) and releases the GIL, so with a
    ``pool`` the new subtrees are made side by side, each by one thread, parents first within
    it: what one thread makes never waits on another's."""
    if pool is None or len(missing) < POOL_FROM_DIRS:
        for directory in missing:
            made(directory)
        return
    for future in [pool.submit(_make_all, group) for group in subtrees(missing)]:
        future.result()


def subtrees(missing: list[str]) -> list[list[str]]:
    """``missing`` (sorted, parents first) grouped by the new subtree each lies in — a
    directory whose parent is not missing starts a group — the largest groups first."""
    groups: dict[str, list[str]] = {}
    top_of: dict[str, str] = {}
    for directory in missing:
        top = top_of.get(parent(directory), directory)
        top_of[directory] = top
        groups.setdefault(top, []).append(directory)
    return sorted(groups.values(), key=len, reverse=True)


def _make_all(directories: list[str]) -> None:
    for directory in directories:
        made(directory)


def made(directory: str) -> None:
    try:
        os.mkdir(directory)
    except FileExistsError:
        if not os.path.isdir(directory):
            raise

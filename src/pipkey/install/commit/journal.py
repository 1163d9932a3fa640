"""A write-ahead journal that makes a commit survive SIGKILL at any instant.

Before a transaction touches the environment it writes, fsyncs and renames into place
``.pipkey-journal.json`` next to the environment's lock: every file it will move aside (into its
stash, and where to) and every file it will create. Moves and creations then happen; once all
are done the journal is marked committed, the stash deleted, and the journal removed.

The next pipkey run that changes the environment finds a leftover journal under the environment
lock and repairs before doing anything else: a pending transaction is rolled back (created files
deleted, moved files put back), a committed one is rolled forward (its stash deleted). Both are
idempotent, so a run killed while repairing is repaired by the next one. The same rollback runs
in-process when a commit fails in a way pipkey sees (disk full, a read-only file system).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipkey.install.commit.journal_file import Entries, JournalError, decode, encode
from pipkey.install.commit.uninstall import prune
from pipkey.install.env.environment import JOURNAL_NAME
from pipkey.text import count


@dataclass(frozen=True)
class Recovery:
    """What repairing a leftover journal did, for the one line the user sees."""

    state: str  # "pending" → rolled back; "committed" → finished
    removed: int
    restored: int
    started: float

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.started))
        if self.state == "committed":
            return f"finished an interrupted pipkey run from {when} (it had committed)"
        return (
            f"rolled back an interrupted pipkey run from {when}: removed "
            f"{count(self.removed, 'file')} it had written, restored {self.restored}"
        )


@dataclass
class Journal:
    path: Path
    stash: Path
    moves: list[tuple[Path, Path]] = field(default_factory=list)  # (original, in stash)
    creates: list[str] = field(default_factory=list)
    keep: frozenset[Path] = frozenset()  # scheme directories: never pruned
    state: str = "pending"
    started: float = field(default_factory=time.time)
    roots: frozenset[Path] = frozenset()  # scheme directories outside the environment's root

    @classmethod
    def begin(
        cls,
        path: Path,
        stash: Path,
        moves: Sequence[tuple[Path, Path]],
        creates: Iterable[str],
        keep: frozenset[Path],
        roots: frozenset[Path] = frozenset(),
    ) -> Journal:
        journal = cls(path, stash, list(moves), list(creates), keep, roots=roots)
        journal._write(journal.moves, journal.creates)
        return journal

    def committed(self) -> None:
        """From here on a repair finishes the transaction (deletes the stash) instead of
        undoing it. With nothing in the stash, undoing is as good an end as finishing (the
        environment as before), so the pending journal stands and no write is needed; else
        the mark must be on disk before the stash goes. Rolling forward needs only the stash:
        the moves and creations are left out."""
        self.state = "committed"
        if self.moves:
            self._write([], [])

    def finish(self) -> None:
        """The transaction is complete: drop the stash, then the journal (in that order)."""
        shutil.rmtree(self.stash, ignore_errors=True)
        self.path.unlink(missing_ok=True)
        _fsync_dir(self.path.parent)

    def rollback(self) -> Recovery:
        """Undo whatever part of the transaction happened; safe to run more than once."""
        removed = restored = 0
        if self.state == "pending":
            untouched = {str(orig) for orig, hidden in self.moves if not _exists(hidden)}
            for target in reversed(self.creates):
                if target in untouched or not _exists(target):
                    continue  # an original never moved aside is not ours to delete
                if os.path.isdir(target) and not os.path.islink(target):
                    # a directory this run made: all under it is the run's (tree.journaled)
                    removed += sum(len(files) for _, _, files in os.walk(target))
                    shutil.rmtree(target, ignore_errors=True)
                    continue
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(target)
                removed += 1
            for original, hidden in reversed(self.moves):
                if _exists(hidden) and not _exists(original):
                    original.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(hidden, original)
                    restored += 1
            parents = {os.path.dirname(p) for p in self.creates}
            prune({Path(p) for p in parents}, self.keep)
        recovery = Recovery(self.state, removed, restored, self.started)
        self.finish()
        return recovery

    def _write(self, moves: list[tuple[Path, Path]], creates: list[str]) -> None:
        """One write of the whole journal, fsynced, renamed into place, the rename fsynced:
        the next run finds it complete or not at all."""
        entries = Entries(self.state, self.started, self.stash, moves, creates, self.keep)
        data = json.dumps(encode(self.path.parent, entries, self.roots), separators=(",", ":"))
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        _fsync_dir(self.path.parent)


def load(path: Path, roots: frozenset[Path] = frozenset()) -> Journal | None:
    """The leftover journal at ``path``, checked (see journal_file.py): one killed while first
    written never exists under the final name, so anything there is complete — or damaged by
    something else, and then refused with the recovery step."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise JournalError(
            f"the journal of an interrupted pipkey run, {path}, cannot be read: {exc}",
            f"fix its permissions, or move it aside (`mv {path} {path}.damaged`)",
        ) from None
    e = decode(path, text, roots)
    return Journal(path, e.stash, e.moves, e.creates, e.keep, e.state, e.started, roots)


def recover(base: Path, roots: frozenset[Path] = frozenset()) -> Recovery | None:
    """Repair after a killed run; call with the environment lock held."""
    path = base / JOURNAL_NAME
    path.with_name(path.name + ".tmp").unlink(missing_ok=True)  # never took effect
    journal = load(path, roots)
    return journal.rollback() if journal is not None else None


def _exists(path: Path | str) -> bool:
    return os.path.lexists(path)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

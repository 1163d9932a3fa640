"""Stage everything, then commit: an environment is either as before or fully updated — even
when the process is killed (see :mod:`pipkey.install.commit.journal`).

Staging (downloads, hash checks, unpacking) touches nothing in the environment. Commit plans
every move and creation, writes them to the journal, moves the files of distributions being
replaced (and debris no distribution owns) into a stash, links the new wheels in, and only then
deletes the stash. Any failure rolls back through the same journal code the next run would use.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from pipkey.auth.errors import PipkeyError
from pipkey.install.commit.journal import Journal, Recovery, recover
from pipkey.install.commit.launchers import launcher_kind
from pipkey.install.commit.linker import Linker
from pipkey.install.commit.plan import Plan
from pipkey.install.commit.shared import Owners, label, share
from pipkey.install.commit.tree import POOL_FROM_DIRS, Tree, make_missing
from pipkey.install.commit.uninstall import Bounds, prune, record_paths
from pipkey.install.commit.wheel import extra_files
from pipkey.install.env.environment import JOURNAL_NAME, Environment
from pipkey.install.store.unpacked import Unpacked
from pipkey.resolve.candidates import Candidate, Installed

# Linking is kernel CPU time (a few µs to 0.3 ms per file on the bench VM): more threads than
# cores only contend.
INSTALL_WORKERS = min(4, os.cpu_count() or 2)
POOL_FROM_FILES = 2000
LINK_CHUNK = 1024  # files per linking task: ~10 ms of work, enough to share out one big wheel


_Job = tuple[Candidate, Unpacked, Linker, dict[str, bytes]]


class InstallError(PipkeyError):
    hint = "the environment was left as it was before this run"


def repair(env: Environment) -> Recovery | None:
    """Finish or undo a transaction a killed run left behind (environment lock held)."""
    base = env.target_dir or env.prefix
    return recover(base, outside_roots(env.scheme(), base))


def outside_roots(scheme: Mapping[str, str], base: Path) -> frozenset[Path]:
    """Scheme directories not under the environment's root (a system Python's site-packages
    outside its prefix): the only other places a journal may name."""
    dirs = {Path(os.path.normpath(p)) for p in scheme.values()}
    return frozenset(d for d in dirs if d != base and base not in d.parents)


@dataclass
class Commit:
    env: Environment
    link_mode: str = "hardlink"
    # PEP 376 REQUESTED: the names the user asked for (pip's rule for install); None: every
    # distribution installed (a sync installs exactly the lock the user asked for, as uv does).
    requested: frozenset[str] | None = None

    def run(
        self,
        plan: Plan,
        wheels: Mapping[Candidate, Unpacked],
        on_step: Callable[[str], None] = lambda _: None,
        on_warning: Callable[[str], None] | None = None,
    ) -> None:
        scheme = self.env.scheme()
        keep = frozenset(Path(p) for p in scheme.values())
        base = self.env.target_dir or self.env.prefix
        kind = launcher_kind(self.env.markers, dict.fromkeys(t.platform for t in self.env.tags))
        jobs = [(cand, wheels[cand],
                 Linker(_headers_for(scheme, cand), self.env.executable, self.link_mode,
                        launcher=kind, python_version=self.env.markers["python_version"]),
                 self._extra(cand, wheels[cand]))
                for cand in plan.install]  # fmt: skip
        planned = [linker.planned(wheel, extra) for _, wheel, linker, extra in jobs]
        sharing = share([c.name for c, *_ in jobs], [w for _, w, *_ in jobs], planned)
        for (_, _, linker, _), skip in zip(jobs, sharing.skip, strict=True):
            linker.skip = skip
        for path, writers in sharing.writers.items():
            names = [f"{jobs[i][0].name} {jobs[i][0].version}" for i in writers]
            on_step(f"shared file {_shown(path, base)}: installed by {', '.join(names)}; "
                    f"{names[-1]}'s copy is used")  # fmt: skip
        creates = list(dict.fromkeys(path for paths in planned for path in paths))
        leaving = {d.name for d in plan.remove}
        staying = Owners(d for d in self.env.installed.values() if d.name not in leaving)
        bounds = Bounds(base, outside_roots(scheme, base))
        listed = dict.fromkeys(
            p for dist in plan.remove for p in self._owned(dist, bounds, on_warning or on_step)
        )
        if listed:
            listed = self._unshared(listed, staying, set(creates), base, on_step)
        originals = [p for p in listed if _exists(p)]
        tree = Tree()
        blocking = self._blocking(tree, creates, originals, staying, base, on_step)
        originals += [Path(p) for p in blocking]
        stash = Path(tempfile.mkdtemp(prefix=".pipkey-stash-", dir=base))
        moves = [(path, stash / str(i)) for i, path in enumerate(originals)]
        try:
            journal = Journal.begin(
                base / JOURNAL_NAME,
                stash,
                moves,
                tree.journaled(creates),
                keep,
                outside_roots(scheme, base),
            )
        except BaseException:
            stash.rmdir()
            raise
        try:
            for original, hidden in moves:
                _move(original, hidden)
            prune({p.parent for p in originals}, keep)
            for dist in plan.remove:
                on_step(f"- {dist.raw_name or dist.name}=={dist.version}")
            # Moving files aside may have pruned directories the memo saw: look again then.
            self._place(jobs, (Tree() if moves else tree).missing(tree.directories), on_step)
            journal.committed()
        except BaseException as exc:
            journal.rollback()
            if isinstance(exc, PipkeyError):
                raise
            if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise InstallError(f"no space left on the device holding {base}") from None
            if isinstance(exc, OSError) and exc.errno == errno.EROFS:
                raise InstallError(f"{base} is on a read-only file system") from None
            if isinstance(exc, Exception):
                raise InstallError(f"installing failed: {type(exc).__name__}: {exc}") from exc
            raise
        journal.finish()

    @classmethod
    def _place(cls, jobs: list[_Job], missing: list[str], on_step: Callable[[str], None]) -> None:
        """The new directories, then the wheels' files: in a pool when there are enough of
        either (``mkdir`` and ``link`` are kernel time and release the GIL)."""
        files = sum(len(wheel.files) for _, wheel, _, _ in jobs)
        if len(missing) < POOL_FROM_DIRS and files < POOL_FROM_FILES:
            make_missing(missing)
            for cand, wheel, linker, extra in jobs:
                linker.install(wheel, extra=extra, dirs_made=True)
                on_step(f"+ {cand.name}=={cand.version}")
            return
        with ThreadPoolExecutor(INSTALL_WORKERS, thread_name_prefix="pipkey-install") as pool:
            make_missing(missing, pool)
            cls._link(jobs, on_step, pool)

    @staticmethod
    def _link(jobs: list[_Job], on_step: Callable[[str], None], pool: Executor) -> None:
        """Every wheel's links in chunks of at most LINK_CHUNK files, the biggest first (one
        wheel of 16,000 files is not one thread's work), then each wheel's other files
        (scripts, RECORD). Distinct wheels write distinct files. The two stages do not mix:
        a thread building a RECORD holds the GIL for milliseconds, and every ``os.link``
        returning meanwhile would wait for it."""
        chunks = [partial(linker.place, links[at : at + LINK_CHUNK])
                  for _, wheel, linker, _ in jobs
                  for links in (linker.links(wheel),)
                  for at in range(0, len(links), LINK_CHUNK)]  # fmt: skip
        chunks.sort(key=lambda task: len(task.args[0]), reverse=True)
        for fut in [pool.submit(chunk) for chunk in chunks]:
            fut.result()
        futures = {pool.submit(linker.finish, wheel, extra): cand
                   for cand, wheel, linker, extra in jobs}  # fmt: skip
        for fut in as_completed(futures):
            fut.result()
            on_step(f"+ {futures[fut].name}=={futures[fut].version}")

    @staticmethod
    def _owned(dist: Installed, bounds: Bounds, warn: Callable[[str], None]) -> list[Path]:
        skipped: list[str] = []
        paths = record_paths(dist, bounds, skipped)
        for entry in skipped:
            warn(f"{label(dist)}: its RECORD lists {entry!r}, outside the environment: left alone")
        return paths

    def _extra(self, cand: Candidate, wheel: Unpacked) -> dict[str, bytes]:
        requested = self.requested is None or cand.name in self.requested
        link = cand.link if cand.direct and cand.link else None
        return extra_files(link, wheel.vcs_info, requested=requested)

    @staticmethod
    def _unshared(
        listed: dict[Path, None],
        staying: Owners,
        creates: set[str],
        base: Path,
        note: Callable[[str], None],
    ) -> dict[Path, None]:
        """A file a distribution staying installed also lists is kept (see commit/shared.py);
        when this run writes it anew, it is moved aside as a file in the way instead."""
        kept = set()
        for path in listed:
            owner = staying.get(path)
            if owner is not None:
                kept.add(path)
                if str(path) not in creates:
                    note(f"keeping {_shown(path, base)}: {label(owner)} also installs it")
        return {path: None for path in listed if path not in kept}

    @staticmethod
    def _blocking(
        tree: Tree,
        creates: list[str],
        leaving: list[Path],
        staying: Owners,
        base: Path,
        note: Callable[[str], None],
    ) -> list[str]:
        """Files in the way are moved aside like an old version's: one another installed
        distribution also ships (the later one wins, as with pip and uv), or one no RECORD
        claims (a killed run of any installer left it)."""
        gone = {str(p) for p in leaving}
        blocking = [p for p in tree.existing(creates) if p not in gone]
        for path in blocking:
            owner = staying.get(path)
            if owner is not None:
                note(f"shared file {_shown(path, base)}: also installed by {label(owner)}; "
                     "the new copy is used")  # fmt: skip
            else:
                note(f"replacing {path}: no installed distribution owns it (left by a killed run?)")
        return blocking


def _shown(path: Path | str, base: Path) -> str:
    try:
        return Path(path).relative_to(base).as_posix()
    except ValueError:
        return str(path)


def _headers_for(scheme: dict[str, str], cand: Candidate) -> dict[str, str]:
    """``.data/headers`` go to ``include/site/pythonX.Y/<name>/``, the name normalised (uv's
    spelling; pip uses the requirement as typed)."""
    return {**scheme, "headers": os.path.join(scheme["headers"], cand.name)}


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _move(original: Path, hidden: Path) -> None:
    try:
        os.replace(original, hidden)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.move(original, hidden)

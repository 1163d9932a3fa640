"""Stage everything, then commit: an environment is either as before or fully updated.

Staging (downloads, hash checks) touches nothing in the environment. Commit stashes the files of
distributions being replaced, installs the new wheels, and only then deletes the stash. Any
failure during commit removes what was written and puts the stash back.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from pipkey.auth.errors import PipkeyError
from pipkey.install.environment import Environment
from pipkey.install.uninstall import Stash, prune
from pipkey.install.unpacked import Unpacked
from pipkey.install.wheel import install_wheel
from pipkey.resolve.candidates import Candidate, Installed

# Linking is kernel CPU time (a few µs to 0.3 ms per file on the bench VM): more threads than
# cores only contend.
INSTALL_WORKERS = min(4, os.cpu_count() or 2)


class InstallError(PipkeyError):
    hint = "the environment was left as it was before this run"


@dataclass(frozen=True)
class Plan:
    install: tuple[Candidate, ...]
    remove: tuple[Installed, ...]
    keep: tuple[Candidate, ...]


def make_plan(chosen: Sequence[Candidate], env: Environment, *, reinstall: bool = False) -> Plan:
    """What to change; planned again under the lock, where a concurrent run may have done
    part of it already (same version now installed → nothing to do for that one)."""
    install, remove, keep = [], [], []
    for cand in chosen:
        current = env.installed.get(cand.name)
        same = current is not None and current.version == cand.version
        if cand.installed is not None or (same and not reinstall and not cand.direct):
            keep.append(cand)
            continue
        install.append(cand)
        if current is not None:
            remove.append(current)
    return Plan(tuple(install), tuple(remove), tuple(keep))


@dataclass
class Commit:
    env: Environment
    written: list[Path] = field(default_factory=list)

    def run(
        self,
        plan: Plan,
        wheels: Mapping[Candidate, Unpacked],
        on_step: Callable[[str], None] = lambda _: None,
    ) -> None:
        scheme = self.env.scheme()
        keep = frozenset(Path(p) for p in scheme.values())
        stash_parent = self.env.target_dir or self.env.prefix
        stash = Stash(Path(tempfile.mkdtemp(prefix=".pipkey-stash-", dir=stash_parent)), keep)
        try:
            for dist in plan.remove:
                stash.remove(dist)
                on_step(f"- {dist.raw_name or dist.name}=={dist.version}")
            # Distinct wheels write distinct files; file creation dominates (and releases the
            # GIL), so installing them side by side is the biggest win on slow file systems.
            with ThreadPoolExecutor(INSTALL_WORKERS, thread_name_prefix="pipkey-install") as pool:
                futures = {
                    pool.submit(
                        install_wheel,
                        wheels[cand],
                        scheme,
                        self.env.executable,
                        direct=cand.link.url if cand.direct and cand.link else None,
                        written=self.written,
                    ): cand
                    for cand in plan.install
                }
                for fut in as_completed(futures):
                    fut.result()
                    on_step(f"+ {futures[fut].name}=={futures[fut].version}")
        except BaseException as exc:
            self._undo(keep)
            stash.restore()
            stash.discard()
            if isinstance(exc, PipkeyError):
                raise
            if isinstance(exc, Exception):
                raise InstallError(f"installing failed: {type(exc).__name__}: {exc}") from exc
            raise
        stash.discard()

    def _undo(self, keep: frozenset[Path]) -> None:
        for path in reversed(self.written):
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
        prune({p.parent for p in self.written}, keep)
        self.written.clear()

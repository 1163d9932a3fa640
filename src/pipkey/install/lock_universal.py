"""``pipkey lock`` of a project: one pylock.toml (or hashed requirements.txt) for every
supported Python and platform — the matrix of :mod:`pipkey.lock.environments`, resolved and
merged by :mod:`pipkey.install.universal`.

The pylock keeps the project itself (a ``directory`` entry, editable, when it is packaged, so
``sync`` installs it as ``uv sync`` does) and every dependency group (entries only a group needs
carry ``'G' in dependency_groups``; ``default-groups`` as uv chooses them). A requirements.txt
cannot say "only with group G": it gets the groups asked for with ``--group``, unconditionally,
and each line carries its environment marker and the hash of every file.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from pipkey import __version__
from pipkey.config import Settings
from pipkey.index.target import Target
from pipkey.install.build_env import attach_builder
from pipkey.install.report import Reporter
from pipkey.install.request import Request
from pipkey.install.session import Session
from pipkey.install.universal import Merged, pinned_files, resolve_everywhere
from pipkey.lock.environments import Environment, environments_markers, matrix
from pipkey.lock.model import LockError
from pipkey.lock.pylock import Entry, Pinned, is_pylock, write_pylock
from pipkey.resolve.candidates import Candidate
from pipkey.text import count

if TYPE_CHECKING:
    from pipkey.install.compile import LockRequest


def lock_universal(
    settings: Settings,
    request: LockRequest,
    resolve_request: Request,
    target: Target,
    reporter: Reporter,
    *,
    python: str | None = None,
) -> list[Entry | Pinned]:
    txt = request.output.suffix == ".txt"
    if not txt and not is_pylock(request.output):
        raise LockError(f"{request.output}: write pylock.toml, pylock.NAME.toml or a .txt file")
    every = matrix(
        request.requires_python, target, pythons=request.pythons, platforms=request.platforms
    )
    with Session(settings, reporter) as session:
        if python is not None:
            attach_builder(session, python)  # sdist-only packages: metadata from a build
        universe = resolve_everywhere(session, resolve_request, every)
        merged, direct, seconds = universe.merged, universe.direct, universe.seconds
        every = universe.environments
        reporter.line(
            f"Resolved {count(len(merged), 'package')} for "
            f"{count(len(every), 'environment')} in {seconds:.2f}s"
        )
        if txt and direct:
            raise LockError("a hashed requirements.txt of direct references is not supported yet")
        entries: list[Entry | Pinned] = [_entry(session, m, every, txt) for m in merged]
        entries += direct_pins(session, direct)
    lowest = min(e.python for e in every)
    requires_python = request.requires_python or f">={lowest}"
    if txt:
        _write_txt(request.output, entries)
    else:
        project = request.project
        if project is not None and project.packaged:
            where = os.path.relpath(os.getcwd(), request.output.resolve().parent)
            entries.append(Entry(project.name, project.version, None, None, (),
                                 directory=where.replace(os.sep, "/"), editable=True))  # fmt: skip
        write_pylock(
            request.output,
            entries,
            requires_python=requires_python,
            created_by=f"pipkey {__version__}",
            environments=environments_markers(every),
            groups=project.groups if project else (),
            default_groups=project.default_groups if project else (),
        )
    reporter.line(f"Wrote {request.output} ({count(len(entries), 'package')})")
    return entries


def _entry(session: Session, merged: Merged, every: list[Environment], txt: bool) -> Entry:
    # requirements.txt: the --group lines were resolved as plain requirements (no group marker)
    marker = merged.marker(every, groups=not txt)
    files = tuple(pinned_files(session, merged))
    return Entry(merged.name, str(merged.version), merged.index, marker, files)


def direct_pins(session: Session, cands: list[Candidate]) -> list[Pinned]:
    """``name @ URL`` and git requirements, pinned as the single-target lock pins them."""
    from pipkey.install.compile import pin_direct

    return [pin_direct(session, c) for c in cands]


def _write_txt(output: os.PathLike[str] | str, entries: list[Entry | Pinned]) -> None:
    from pathlib import Path

    from packaging.utils import canonicalize_name

    path = Path(output)
    lines = [f"# pipkey {__version__} lock (every platform): pipkey sync {path.name}"]
    for entry in entries:
        assert isinstance(entry, Entry)
        marker = f" ; {entry.marker}" if entry.marker else ""
        lines.append(f"{canonicalize_name(entry.name)}=={entry.version}{marker} \\")
        hashes = [f"    --hash=sha256:{f.sha256}" for f in entry.files]
        lines.append(" \\\n".join(hashes))
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp.replace(path)

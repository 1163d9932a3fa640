"""The journal on disk: every path relative to the environment, checked before it is trusted.

A journal is read by the next run to undo or finish a transaction: it decides what is deleted
and what is moved. So nothing in it may point outside the environment that holds it — not an
absolute path, not a ``..``, not a stash that is not the environment's own
``.pipkey-stash-*`` directory. Paths are stored relative to the environment (format 2), so a
venv copied with ``cp -a`` while a journal was pending repairs *the copy*. A format-1 journal
(absolute paths, older pipkey) is accepted when every path lies inside this environment; one
written for another location, or one that is damaged (not JSON, wrong types, empty), is
refused with the exact step that gets the environment going again — never guessed at.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipkey.auth.errors import PipkeyError

FORMAT = 2
STASH_PREFIX = ".pipkey-stash-"
_STATES = ("pending", "committed")


class JournalError(PipkeyError):
    """A leftover journal pipkey will not act on; ``recovery`` is the step that fixes it."""

    exit_code = 1

    def __init__(self, message: str, recovery: str) -> None:
        super().__init__(message)
        self.recovery = recovery
        self.hint = recovery


@dataclass(frozen=True)
class Entries:
    state: str
    started: float
    stash: Path
    moves: list[tuple[Path, Path]]
    creates: list[str]
    keep: frozenset[Path]


class OutsideEnvironment(PipkeyError):
    hint = "the wheel or distribution is unsafe; nothing was changed"


def encode(base: Path, entries: Entries, roots: frozenset[Path] = frozenset()) -> dict[str, Any]:
    """``roots``: the environment's scheme directories that lie outside ``base`` (a system
    Python whose site-packages is not under its prefix); paths there are stored absolute."""

    def rel(path: Path | str) -> str:
        return _relative(base, roots, path)

    return {
        "format": FORMAT,
        "state": entries.state,
        "started": entries.started,
        "stash": rel(entries.stash),
        "keep": sorted(rel(k) for k in entries.keep),
        "moves": [[rel(a), rel(b)] for a, b in entries.moves],
        "creates": _relative_all(base, roots, entries.creates),
    }


def _relative_all(base: Path, roots: frozenset[Path], paths: list[str]) -> list[str]:
    """:func:`_relative` of each, by slicing where a path plainly lies under ``base``: no
    ``.``/``..`` component or doubled separator that normalising could change (a commit
    journals thousands of paths; any other path takes the checked way)."""
    top = str(base).rstrip(os.sep) + os.sep
    cut, sep = len(top), os.sep
    dot, double = sep + ".", sep + sep
    out = []
    for path in paths:
        if path.startswith(top) and dot not in path and double not in path and path[-1] != sep:
            out.append(path[cut:] if sep == "/" else path[cut:].replace(sep, "/"))
        else:
            out.append(_relative(base, roots, path))
    return out


def decode(path: Path, text: str, roots: frozenset[Path] = frozenset()) -> Entries:
    base = path.parent
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _damaged(path, f"not JSON ({exc})") from None
    if not isinstance(data, dict):
        raise _damaged(path, "not a journal object")
    fmt = data.get("format")
    if fmt not in (1, FORMAT):
        raise _damaged(path, f"unknown format {fmt!r}")
    state, started = data.get("state"), data.get("started")
    if state not in _STATES:
        raise _damaged(path, f"unknown state {state!r}")
    if not isinstance(started, int | float) or isinstance(started, bool):
        raise _damaged(path, "no start time")
    stash_text = data.get("stash")
    keep, moves, creates = data.get("keep"), data.get("moves"), data.get("creates")
    if not isinstance(stash_text, str) or not _strings(keep) or not _strings(creates):
        raise _damaged(path, "wrong types for stash, keep or creates")
    if not isinstance(moves, list) or not all(
        isinstance(m, list) and len(m) == 2 and _strings(m) for m in moves
    ):
        raise _damaged(path, "wrong types for moves")

    memo: dict[str, bool] = {}

    def inside(text: str, *, root_ok: bool = False) -> Path:
        return _inside(path, base, roots, text, fmt == 1, memo, root_ok=root_ok)

    stash = inside(stash_text)
    if stash.parent != base or not stash.name.startswith(STASH_PREFIX):
        raise _elsewhere(path, f"its stash is {stash_text!r}, not a .pipkey-stash-* directory here")
    pairs = [(inside(a), inside(b)) for a, b in moves]
    for _, hidden in pairs:
        if hidden.parent != stash:
            raise _elsewhere(path, f"it would restore from {hidden}, outside its stash")
    return Entries(
        state,
        float(started),
        stash,
        pairs,
        [str(inside(p)) for p in creates or ()],
        frozenset(inside(k, root_ok=True) for k in keep or ()),
    )


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def _under(path: Path, roots: frozenset[Path]) -> bool:
    return any(path == r or r in path.parents for r in roots)


def _relative(base: Path, roots: frozenset[Path], path: Path | str) -> str:
    """Strings, not ``Path`` objects: a commit journals thousands of paths, twice."""
    normal, top = os.path.normpath(path), str(base).rstrip(os.sep)
    if normal == top:
        return "."
    if normal.startswith(top + os.sep):
        return normal[len(top) + 1 :].replace(os.sep, "/")
    if _under(Path(normal), roots):
        return normal
    raise OutsideEnvironment(f"refusing to change {path}: it is outside the environment {base}")


def _inside(
    journal: Path,
    base: Path,
    roots: frozenset[Path],
    text: str,
    legacy: bool,
    memo: dict[str, bool],
    *,
    root_ok: bool,
) -> Path:
    if legacy or os.path.isabs(text):  # format 1: absolute paths, only inside this environment
        if not os.path.isabs(text):
            raise _damaged(journal, f"a relative path in a format-1 journal: {text!r}")
        full = Path(os.path.normpath(text))
        if full != base and base not in full.parents and not _under(full, roots):
            raise _elsewhere(journal, f"it names {text}, outside {base}")
    else:
        if "\\" in text:
            raise _elsewhere(journal, f"it names {text!r}")
        normal = os.path.normpath(text)
        if normal == ".." or normal.startswith("../"):
            raise _elsewhere(journal, f"it names {text!r}, outside the environment")
        full = base if normal == "." else base / normal
    if full == base and not root_ok:
        raise _elsewhere(journal, "it names the environment directory itself")
    if full != base and not _real_inside(str(full.parent), base, roots, memo):
        raise _elsewhere(journal, f"{text!r} leads through a link out of the environment")
    return full


def _real_inside(directory: str, base: Path, roots: frozenset[Path], memo: dict[str, bool]) -> bool:
    """No symlinked directory inside may lead out of it (memoised per directory: a journal
    names thousands of files in far fewer directories)."""
    known = memo.get(directory)
    if known is None:
        real = os.path.realpath(directory)
        tops = [os.path.realpath(r).rstrip(os.sep) for r in (base, *roots)]
        known = any(real == top or real.startswith(top + os.sep) for top in tops)
        memo[directory] = known
    return known


def _recovery(journal: Path) -> str:
    return (
        f"move it aside (`mv {journal} {journal}.damaged`), then run `pipkey check` on this "
        "environment and `pipkey install --reinstall PKG` for each package it reports; files "
        f"the interrupted run had set aside are in {journal.parent}/{STASH_PREFIX}*"
    )


def _damaged(journal: Path, why: str) -> JournalError:
    return JournalError(
        f"the journal of an interrupted pipkey run, {journal}, is damaged: {why}; nothing was "
        "changed",
        _recovery(journal),
    )


def _elsewhere(journal: Path, why: str) -> JournalError:
    return JournalError(
        f"the journal {journal} does not belong to this environment: {why} (a copy of a venv "
        "made while a run was interrupted?); nothing was changed",
        _recovery(journal),
    )

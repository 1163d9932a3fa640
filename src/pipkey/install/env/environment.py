"""The target interpreter, introspected once per run by a script it runs itself.

Everything about the target — install paths, tags, markers, installed distributions, PEP 668 —
comes from one subprocess: the target may be another Python version than pipkey's own, and
asking it is the only way to get its sysconfig and tags right. ``packaging`` is put on the
script's path (after the target's own) so tags and markers are computed *in* the target.
"""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import packaging
from packaging.tags import Tag
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from pipkey.auth.errors import PipkeyError
from pipkey.index.target import Target
from pipkey.install.env import facts
from pipkey.resolve.candidates import Installed

log = logging.getLogger("pipkey.install")
JOURNAL_NAME = ".pipkey-journal.json"  # a transaction in progress (install/commit/journal.py)

_SCRIPT = r"""
import json, os, sys, sysconfig
sys.path.append(sys.argv[1])
from packaging import tags, markers
target = sys.argv[2] or None
paths = sysconfig.get_paths()
if target:
    scripts = os.path.join(target, "Scripts" if os.name == "nt" else "bin")
    paths = {"purelib": target, "platlib": target, "scripts": scripts,
             "data": target, "include": os.path.join(target, "include")}
search = [target] if target else sorted({paths["purelib"], paths["platlib"]})
dists = []
import importlib.metadata as md
for d in md.distributions(path=search):
    p = getattr(d, "_path", None)
    def read(n):
        try:
            return d.read_text(n)
        except Exception:
            return None
    dists.append({"name": d.metadata["Name"], "version": d.version, "requires": d.requires or [],
                  "dist_info": str(p) if p else "", "installer": (read("INSTALLER") or "").strip(),
                  "direct_url": read("direct_url.json")})
in_venv = sys.prefix != getattr(sys, "base_prefix", sys.prefix)
marker = os.path.join(sysconfig.get_path("stdlib"), "EXTERNALLY-MANAGED")
print(json.dumps({
    "executable": sys.executable, "prefix": sys.prefix, "in_venv": in_venv,
    "version": ".".join(map(str, sys.version_info[:3])),
    "paths": {k: paths[k] for k in ("purelib", "platlib", "scripts", "data", "include")},
    "tags": [str(t) for t in tags.sys_tags()],
    "markers": markers.default_environment(),
    "in_venv": in_venv, "marker": marker,
    "dists": dists,
}))
"""


class TargetError(PipkeyError):
    """The target interpreter or directory is missing, broken or protected."""

    exit_code = 2


@dataclass(frozen=True)
class Environment:
    executable: str
    prefix: Path
    version: Version
    paths: dict[str, str]
    tags: tuple[Tag, ...]
    markers: dict[str, str]
    externally_managed: bool
    installed: dict[str, Installed] = field(default_factory=dict)
    target_dir: Path | None = None

    @cached_property
    def target(self) -> Target:
        """One per environment: a Target memoises its tag ranks (a sync asks for every
        locked package's wheels; a new Target each time re-ranked ~900 tags 190 times)."""
        return Target(self.tags, self.version, self.markers)

    @property
    def lock_path(self) -> Path:
        base = self.target_dir if self.target_dir is not None else self.prefix
        return base / ".pipkey.lock"

    @property
    def journal_path(self) -> Path:
        """Present only while a transaction runs, or after one was killed: repair first."""
        return (self.target_dir if self.target_dir is not None else self.prefix) / JOURNAL_NAME

    def scheme(self) -> dict[str, str]:
        """installer's scheme; headers go where pip puts them: include/site/pythonX.Y."""
        paths = {k: self.paths[k] for k in ("purelib", "platlib", "scripts", "data")}
        major_minor = f"python{self.version.major}.{self.version.minor}"
        if self.target_dir is not None:
            paths["headers"] = self.paths["include"]
        else:
            paths["headers"] = os.path.join(str(self.prefix), "include", "site", major_minor)
        return paths


def introspect(
    executable: str, *, target_dir: Path | None = None, cache_dir: Path | None = None
) -> Environment:
    """The target interpreter's facts (from ``cache_dir`` when it has them: see
    :mod:`pipkey.install.env.facts`) and its installed distributions."""
    if cache_dir is not None:
        known = facts.load(cache_dir, executable, target_dir)
        if known is not None:
            try:
                return rescan(_environment(known, {}, target_dir))
            except (KeyError, TypeError, ValueError, OSError):
                pass  # an entry from another version of pipkey: ask the interpreter
    packaging_root = str(Path(packaging.__file__).resolve().parent.parent)
    try:
        proc = subprocess.run(
            [executable, "-I", "-c", _SCRIPT, packaging_root, str(target_dir or "")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except OSError as exc:
        raise TargetError(f"cannot run the target interpreter {executable}: {exc}") from None
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        raise TargetError(f"the target interpreter {executable} failed: {tail[0]}")
    data = json.loads(proc.stdout)
    dists = data.pop("dists")
    if cache_dir is not None:
        facts.store(cache_dir, executable, target_dir, data)
    return _environment(data, _installed(dists), target_dir)


def _environment(
    data: dict[str, Any], installed: dict[str, Installed], target_dir: Path | None
) -> Environment:
    return Environment(
        executable=data["executable"],
        prefix=Path(data["prefix"]),
        version=Version(data["version"]),
        paths={k: v for k, v in data["paths"].items() if v},
        tags=tuple(_parse_tag(t) for t in data["tags"]),
        markers=data["markers"],
        # Checked on every run, not remembered: a distribution may add the marker file.
        externally_managed=(
            not data["in_venv"] and target_dir is None and os.path.exists(data["marker"])
        ),
        installed=installed,
        target_dir=target_dir,
    )


def introspect_in_background(
    executable: str, *, target_dir: Path | None = None, cache_dir: Path | None = None
) -> Future[Environment]:
    """Start :func:`introspect` on its own thread: the subprocess (~0.1 s) then overlaps building
    the session and fetching the first pages, which do not depend on the target."""
    future: Future[Environment] = Future()

    def run() -> None:
        try:
            future.set_result(introspect(executable, target_dir=target_dir, cache_dir=cache_dir))
        except BaseException as exc:
            future.set_exception(exc)

    threading.Thread(target=run, name="pipkey-introspect", daemon=True).start()
    return future


def rescan(env: Environment) -> Environment:
    """The same environment with its installed distributions read again, in-process.

    Called under the environment lock: another run may have changed it since introspection.
    A fresh venv (the CI and Docker case) has no distribution: one directory listing says so,
    without loading importlib.metadata (~10 ms of typing-heavy imports).
    """
    from dataclasses import replace

    search = sorted({env.paths["purelib"], env.paths["platlib"]})
    if not any(_has_distributions(directory) for directory in search):
        return replace(env, installed={})
    import importlib.metadata as md

    def record(dist: md.Distribution) -> dict[str, Any]:
        # .metadata parses METADATA on every access, and .version and .requires each read it:
        # parsed once here (46 dists: 138 email parses -> 46 on every warm sync and list)
        meta = dist.metadata
        requires = meta.get_all("Requires-Dist") or (
            dist.requires if dist.read_text("requires.txt") is not None else None  # egg-info
        )
        return {
            "name": meta["Name"],
            "version": meta["Version"],
            "requires": requires or (),
            "dist_info": str(getattr(dist, "_path", "")),
            "installer": (dist.read_text("INSTALLER") or "").strip(),
            "direct_url": dist.read_text("direct_url.json"),
        }

    records = (record(dist) for dist in md.distributions(path=search))
    return replace(env, installed=_installed(records))


_DIST_SUFFIXES = (".dist-info", ".egg-info", ".egg")


def _has_distributions(directory: str) -> bool:
    """Whether ``directory`` may hold a distribution importlib.metadata would find (a
    ``.dist-info``, ``.egg-info`` or ``.egg`` entry, any case); True when it cannot be listed."""
    try:
        with os.scandir(directory) as entries:
            return any(e.name.lower().endswith(_DIST_SUFFIXES) for e in entries)
    except FileNotFoundError:
        return False
    except OSError:
        return True


def _installed(records: Iterable[Mapping[str, Any]]) -> dict[str, Installed]:
    """Distributions by normalized name, from the introspection script's records or rescan's."""
    installed: dict[str, Installed] = {}
    for d in records:
        name = canonicalize_name(d["name"] or "")
        if not name or name in installed:  # first on the path wins, as at import time
            continue
        try:
            version = Version(d["version"])
        except (InvalidVersion, TypeError):
            # pip and uv still run in such an environment; one odd dist must not stop pipkey.
            log.warning(
                "ignoring %s in %s: %r is not a valid version", name, d["dist_info"], d["version"]
            )
            continue
        installed[name] = Installed(
            name=name,
            version=version,
            requires=tuple(d["requires"]),
            dist_info=d["dist_info"],
            installer=d["installer"],
            direct_url=d["direct_url"],
            raw_name=d["name"],
        )
    return installed


def _parse_tag(text: str) -> Tag:
    interpreter, abi, platform = text.split("-")
    return Tag(interpreter, abi, platform)


VERSION_REQUEST = re.compile(r"^(?:python)?(\d+(?:\.\d+){0,2})$")


def _venv_for_version(request: str, environ: dict[str, str], cwd: Path) -> str:
    """``--python 3.12`` / ``UV_PYTHON=3.12`` (uv): the active venv or ``.venv`` when it is that
    version; a system interpreter only with ``--system`` (never guessed into)."""
    match = VERSION_REQUEST.match(request)
    assert match is not None
    wanted = match.group(1).split(".")
    try:
        python = find_interpreter(None, environ, cwd)
    except TargetError:
        python = ""
    if python:
        cfg = Path(python).parent.parent / "pyvenv.cfg"
        text = cfg.read_text(encoding="utf-8", errors="replace") if cfg.is_file() else ""
        found = re.search(r"^version(?:_info)?\s*=\s*(\S+)", text, re.MULTILINE)
        if found and found.group(1).split(".")[: len(wanted)] == wanted:
            return python
    raise TargetError(
        f"no virtual environment for Python {match.group(1)} found (active or .venv): create "
        f"one (pipkey venv --python {match.group(1)}), or pass --system to use "
        f"python{match.group(1)} from PATH"
    )


def find_interpreter(python: str | None, environ: dict[str, str], cwd: Path) -> str:
    """``--python`` (an interpreter or a venv dir), else the active venv, else ``.venv`` upwards.

    Like uv, pipkey refuses to guess further: installing into whatever ``python`` is on PATH is
    how system interpreters get broken.
    """
    if python and VERSION_REQUEST.match(python) and not Path(python).exists():
        return _venv_for_version(python, environ, cwd)
    if python:
        path = Path(python)
        if path.is_dir():
            return str(_venv_python(path))
        if path.exists() or os.sep in python:
            return str(path)
        from shutil import which

        found = which(python)
        if found is None:
            raise TargetError(f"no interpreter named {python!r} on PATH")
        return found
    venv = environ.get("VIRTUAL_ENV")
    if venv:
        return str(_venv_python(Path(venv)))
    for parent in (cwd, *cwd.parents):
        if (parent / ".venv" / "pyvenv.cfg").is_file():
            return str(_venv_python(parent / ".venv"))
    raise TargetError(
        "no virtual environment found: activate one, create .venv, or pass --python PATH"
    )


def _venv_python(venv: Path) -> Path:
    for candidate in (venv / "bin" / "python", venv / "Scripts" / "python.exe"):
        if candidate.exists():
            return candidate
    raise TargetError(f"{venv} is not a virtual environment (no bin/python)")

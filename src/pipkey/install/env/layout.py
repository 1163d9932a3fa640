"""pip's other install schemes for one interpreter: ``--user`` (its user site), ``--prefix DIR``
(the prefix scheme under DIR) and ``--root DIR`` (every path moved under DIR, as for packaging
into an image). Asked of the target interpreter's own sysconfig: its scheme names and layout
(``nt``, ``posix_prefix``, ``osx_framework_user`` …) are its own.

The environment then belongs to that directory: the run's lock and journal live there, only
distributions found there count as installed, and nothing outside it is removed — an upgrade
leaves the interpreter's own copy alone (pip does the same for ``--prefix``/``--root``).
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from pipkey.install.env.environment import Environment, TargetError, rescan

_SCRIPT = r"""
import json, os, sys, sysconfig
kind, base = sys.argv[1], sys.argv[2]
if kind == "user":
    if hasattr(sysconfig, "get_preferred_scheme"):
        scheme = sysconfig.get_preferred_scheme("user")
    else:
        scheme = os.name + "_user"
    variables = None
    home = sysconfig.get_config_var("userbase")
else:
    scheme = "nt" if os.name == "nt" else "posix_prefix"
    variables = {k: base for k in ("base", "platbase", "installed_base", "installed_platbase")}
    home = base
paths = sysconfig.get_paths(scheme, vars=variables)
print(json.dumps({"home": home, "scheme": scheme,
                  "paths": {k: paths[k] for k in ("purelib", "platlib", "scripts", "data",
                                                 "include")}}))
"""


@dataclass(frozen=True)
class Layout:
    user: bool = False
    prefix: Path | None = None
    root: Path | None = None

    @property
    def default(self) -> bool:
        return not (self.user or self.prefix or self.root)


def apply(env: Environment, layout: Layout) -> Environment:
    """``env`` with its install paths (and installed distributions) those of ``layout``."""
    if layout.default:
        return env
    if env.target_dir is not None:
        raise TargetError("--target cannot be combined with --user, --prefix or --root")
    if layout.user and layout.prefix is not None:
        raise TargetError("--user and --prefix exclude each other")
    in_venv = (env.prefix / "pyvenv.cfg").is_file()
    if layout.user and in_venv:
        raise TargetError(
            f"{env.executable} is a virtual environment: its user site-packages are not "
            "visible from it; install without --user"
        )
    paths = dict(env.paths)
    home = env.prefix
    if layout.user or layout.prefix is not None:
        kind = "user" if layout.user else "prefix"
        base = str(layout.prefix.resolve()) if layout.prefix is not None else ""
        proc = subprocess.run([env.executable, "-I", "-c", _SCRIPT, kind, base],
                              capture_output=True, text=True, timeout=60)  # fmt: skip
        if proc.returncode != 0:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            raise TargetError(f"{env.executable} could not say where --{kind} installs go: {tail}")
        answer = json.loads(proc.stdout)
        paths, home = {k: v for k, v in answer["paths"].items() if v}, Path(answer["home"])
    if layout.root is not None:
        root = layout.root.resolve()
        paths = {key: str(_under(root, value)) for key, value in paths.items()}
        home = _under(root, str(home))
    home.mkdir(parents=True, exist_ok=True)
    # --user installs stay refused on an externally managed interpreter (PEP 668, as pip);
    # --prefix and --root write somewhere else and are allowed.
    managed = env.externally_managed and layout.user and layout.root is None
    moved = replace(env, paths=paths, target_dir=home, externally_managed=managed)
    return rescan(moved)


def _under(root: Path, path: str) -> Path:
    absolute = Path(os.path.abspath(path))
    return root.joinpath(*absolute.parts[1:]) if absolute.is_absolute() else root / absolute

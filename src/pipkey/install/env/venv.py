"""``pipkey venv``: a virtual environment as ``uv venv`` makes one.

The standard library's ``venv`` module of the chosen interpreter lays it out (so Windows'
``Scripts\\`` and macOS framework builds come out right), without pip; then ``pyvenv.cfg`` gets
uv's keys (``home``, ``implementation``, the tool and its version, ``version_info``,
``include-system-site-packages``, ``prompt``), and the directory a ``.gitignore`` (``*``) and a
``CACHEDIR.TAG`` — what uv writes, so tools that look for either find it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pipkey import __version__
from pipkey.install.env.environment import TargetError, _venv_python

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by pipkey.\n"
)
_VERSION_REQUEST = re.compile(r"^(?:python)?(\d+(?:\.\d+){0,2})$")


@dataclass(frozen=True)
class VenvRequest:
    path: Path
    python: str | None = None
    prompt: str | None = None
    system_site_packages: bool = False
    clear: bool = False
    allow_existing: bool = False


def base_interpreter(python: str | None) -> str:
    """``--python``: a path, a command on PATH, or a version (``3.12`` → ``python3.12``, as uv
    asks for it); none: the interpreter pipkey runs on (its base, not a venv's)."""
    if not python:
        return str(getattr(sys, "_base_executable", sys.executable))
    match = _VERSION_REQUEST.match(python)
    if match and not os.path.exists(python):
        version = match.group(1)
        for name in (f"python{version}", f"python{version.split('.')[0]}"):
            found = shutil.which(name)
            if found and _version_of(found).split(".")[: version.count(".") + 1] == version.split(
                "."
            ):
                return found
        raise TargetError(f"no Python {version} found on PATH (looked for python{version})")
    path = Path(python)
    if path.is_dir():
        return str(_venv_python(path))
    if path.exists():
        return str(path)
    found = shutil.which(python)
    if found is None:
        raise TargetError(f"no interpreter named {python!r} on PATH")
    return found


def _version_of(executable: str) -> str:
    proc = subprocess.run(
        [executable, "-I", "-c", "import sys; print('.'.join(map(str, sys.version_info[:3])))"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    return proc.stdout.strip() if proc.returncode == 0 else ""


_FACTS = (
    "import json, platform, sys; print(json.dumps({'implementation': "
    "platform.python_implementation(), 'version': '.'.join(map(str, sys.version_info[:3])), "
    "'release': sys.version_info.releaselevel, 'serial': sys.version_info.serial}))"
)


def project_prompt(root: Path) -> str:
    """The prompt ``uv sync`` gives a project's ``.venv``: the root's ``[project] name``, else
    the root directory's name (a workspace without a project)."""
    import tomllib

    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        data = {}
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) and name else root.resolve().name


def create(request: VenvRequest) -> Path:
    """Create the environment; its interpreter's path is returned."""
    path = request.path
    if path.exists() and not path.is_dir():
        raise TargetError(f"{path} exists and is not a directory")
    if path.is_dir() and any(path.iterdir()) and not (request.clear or request.allow_existing):
        what = "A virtual environment" if (path / "pyvenv.cfg").is_file() else "A directory"
        raise TargetError(
            f"{what} already exists at {path}: pass --clear to replace it, "
            "or --allow-existing to write over it"
        )
    if request.clear and path.is_dir():
        if not (path / "pyvenv.cfg").is_file() and any(path.iterdir()):
            raise TargetError(f"{path} is not a virtual environment: --clear will not empty it")
        shutil.rmtree(path)
    base = base_interpreter(request.python)
    argv = [base, "-m", "venv", "--without-pip"]
    if request.system_site_packages:
        argv.append("--system-site-packages")
    if request.prompt:
        argv += ["--prompt", request.prompt]
    proc = subprocess.run([*argv, str(path)], capture_output=True, text=True)
    if proc.returncode != 0:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise TargetError(f"could not create {path} with {base}: {tail}")
    python = _venv_python(path)
    write_config(path, str(python), request)
    (path / ".gitignore").write_text("*", encoding="utf-8")  # uv writes one byte, no newline
    (path / "CACHEDIR.TAG").write_text(CACHEDIR_TAG, encoding="utf-8")
    return python


def write_config(path: Path, python: str, request: VenvRequest) -> None:
    """uv's ``pyvenv.cfg`` keys, in uv's order, with pipkey's version where uv puts its own."""
    import json

    cfg = path / "pyvenv.cfg"
    existing = dict(line.split(" = ", 1) for line in cfg.read_text().splitlines() if " = " in line)
    proc = subprocess.run([python, "-I", "-c", _FACTS], capture_output=True, text=True)
    if proc.returncode != 0:
        raise TargetError(f"the new environment's interpreter {python} does not run")
    facts = json.loads(proc.stdout)
    version = facts["version"]
    if facts["release"] != "final":
        version += f"{facts['release'][0]}{facts['serial']}".replace("c", "rc", 1)
    lines = {
        "home": existing.get("home", ""),
        "implementation": facts["implementation"],
        "pipkey": __version__,
        "version_info": version,
        "include-system-site-packages": "true" if request.system_site_packages else "false",
    }
    if request.prompt:
        lines["prompt"] = existing.get("prompt", request.prompt).strip("'\"")
    cfg.write_text("".join(f"{k} = {v}\n" for k, v in lines.items()), encoding="utf-8")
